"""Diagnostics: located messages with a code, collected and reported together.

Format (gcc/sqlglot style): ``models.py:12:5: error FB102: message``, then the source line and a
caret under the column. Lines and columns are 1-based here; front-ends convert once at the edge.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # what the compiler decided, for the record; never a finding


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = Severity.ERROR
    source_line: str | None = field(default=None, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self, file: str | None = None) -> str:
        """The report; ``file`` is the path to show instead of ``self.file`` (the CLI shows
        one the user can open from where they are: cli/locations.py)."""
        shown = self.file if file is None else file
        head = f"{shown}:{self.line}:{self.column}: {self.severity.value} {self.code}: {self.message}"
        if self.source_line is None:
            return head
        text = self.source_line.rstrip("\r\n").expandtabs(1)
        caret = " " * max(self.column - 1, 0) + "^"
        return f"{head}\n    {text}\n    {caret}"


def with_source(diagnostic: Diagnostic, text: str) -> Diagnostic:
    """Attach the offending source line, so the caret line can be printed."""
    lines = _LINE_BREAK.split(text)  # only what ends a line in source files, not \f or U+2028
    if 1 <= diagnostic.line <= len(lines):
        return Diagnostic(
            diagnostic.file, diagnostic.line, diagnostic.column, diagnostic.code,
            diagnostic.message, diagnostic.severity, lines[diagnostic.line - 1],
        )
    return diagnostic


class CompileError(Exception):
    """The input does not compile; carries every diagnostic found, errors and warnings."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics)
        # The folder the diagnostics' files are relative to, once the pipeline knows it.
        self.root: Path | None = None
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

"""Diagnostics collected during a compile, reported together (errors raise at the end)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastbackend.diagnostics import CompileError, Diagnostic, Severity, with_source
from fastbackend.frontends.sqlalchemy.facts import ModuleFacts
from fastbackend.frontends.sqlalchemy.values import Pos


@dataclass
class Reporter:
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, module: ModuleFacts, pos: Pos, code: str, message: str) -> None:
        self._add(module, pos, code, message, Severity.ERROR)

    def warn(self, module: ModuleFacts, pos: Pos, code: str, message: str) -> None:
        self._add(module, pos, code, message, Severity.WARNING)

    def note(self, module: ModuleFacts, pos: Pos, code: str, message: str) -> None:
        self._add(module, pos, code, message, Severity.NOTE)

    def raw(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def _add(self, module: ModuleFacts, pos: Pos, code: str, message: str,
             severity: Severity) -> None:
        diagnostic = Diagnostic(module.relative, pos.line, pos.column, code, message, severity)
        if diagnostic not in self.diagnostics:
            self.diagnostics.append(with_source(diagnostic, module.text))

    @property
    def warnings(self) -> list[Diagnostic]:
        return sorted(d for d in self.diagnostics if not d.is_error)

    def raise_if_errors(self) -> None:
        if any(d.is_error for d in self.diagnostics):
            raise CompileError(self.diagnostics)

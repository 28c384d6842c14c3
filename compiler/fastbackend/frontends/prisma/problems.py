"""A located problem found by the Prisma front-end, before it becomes a Diagnostic."""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend.diagnostics import Diagnostic, Severity
from fastbackend.frontends.prisma.ast import Span


@dataclass(frozen=True)
class Problem:
    span: Span
    code: str
    message: str
    warning: bool = False

    def diagnostic(self) -> Diagnostic:
        severity = Severity.WARNING if self.warning else Severity.ERROR
        return Diagnostic(self.span.file, self.span.line, self.span.column, self.code,
                          self.message, severity)

"""Errors raised when an IR document is not acceptable."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IRProblem:
    """One reason an IR is refused, located by a JSON Pointer (RFC 6901)."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


class IRError(Exception):
    """Base class: the IR cannot be used."""

    def __init__(self, problems: list[IRProblem], origin: str | None = None) -> None:
        self.problems = problems
        self.origin = origin
        where = f"{origin}: " if origin else ""
        lines = [f"{where}invalid IR ({len(problems)} problem{'s' if len(problems) != 1 else ''})"]
        lines += [f"  {problem}" for problem in problems]
        super().__init__("\n".join(lines))


class IRValidationError(IRError):
    """The document does not match the IR schema or refers to things that do not exist."""


class IRVersionError(IRError):
    """The document's irVersion has a major version this package does not know."""

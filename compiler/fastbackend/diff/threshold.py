"""``--fail-on api=error,db=error``: which findings make ``diff`` exit 1."""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend.diff.findings import Finding
from fastbackend.diff.rules import Severity

DEFAULT_FAIL_ON = "api=error,db=error"
NEVER = "none"


@dataclass(frozen=True)
class Threshold:
    """The lowest severity that fails, per audience; None never fails."""

    api: Severity | None = Severity.ERROR
    db: Severity | None = Severity.ERROR

    def fails(self, finding: Finding) -> bool:
        return _at_least(finding.api, self.api) or _at_least(finding.db, self.db)

    def describe(self) -> str:
        return ", ".join(f"{name}>={level.label}" if level else f"{name} never"
                         for name, level in (("api", self.api), ("db", self.db)))


def _at_least(severity: Severity, threshold: Severity | None) -> bool:
    return threshold is not None and severity >= threshold


def parse_fail_on(text: str) -> Threshold:
    """``api=LEVEL,db=LEVEL`` with LEVEL error, warning, info or none; an audience left out
    keeps its default (error)."""
    levels: dict[str, Severity | None] = {"api": Severity.ERROR, "db": Severity.ERROR}
    for part in filter(None, (p.strip() for p in text.split(","))):
        audience, equals, level = part.partition("=")
        if not equals or audience.strip() not in levels:
            raise ValueError(f"--fail-on: expected api=LEVEL or db=LEVEL, got {part!r}")
        value = level.strip().lower()
        levels[audience.strip()] = None if value == NEVER else Severity.parse(value)
    return Threshold(levels["api"], levels["db"])

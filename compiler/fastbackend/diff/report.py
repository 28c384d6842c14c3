"""What a diff run found, and whether that fails it: the one place the exit code comes from."""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend.diff.findings import Finding
from fastbackend.diff.rules import Severity
from fastbackend.diff.threshold import Threshold


@dataclass(frozen=True)
class Report:
    base: str
    head: str
    findings: list[Finding]
    threshold: Threshold

    @property
    def failing(self) -> list[Finding]:
        return [finding for finding in self.findings if self.threshold.fails(finding)]

    @property
    def failed(self) -> bool:
        return bool(self.failing)

    def count(self, audience: str, severity: Severity) -> int:
        return sum(1 for f in self.findings if getattr(f, audience) is severity)

    def summary(self) -> str:
        if not self.findings:
            return "no changes"
        total = len(self.findings)
        parts = [f"{total} change{'s' if total != 1 else ''}"]
        for audience, label in (("api", "API"), ("db", "database")):
            errors, warnings = (self.count(audience, s) for s in (Severity.ERROR, Severity.WARNING))
            parts.append(f"{label}: {errors} error{'s' if errors != 1 else ''}, "
                         f"{warnings} warning{'s' if warnings != 1 else ''}")
        verdict = f"{len(self.failing)} at or above the threshold ({self.threshold.describe()})"
        return "; ".join(parts) + f"; {verdict}"

"""Plain text, one finding per line, gcc-style location first so editors can jump to it."""

from __future__ import annotations

from fastbackend.diff.findings import Finding
from fastbackend.diff.report import Report


def where(finding: Finding) -> str:
    return str(finding.location) if finding.location else finding.pointer


def line(finding: Finding) -> str:
    head = (f"{where(finding)}: {finding.rule} [api {finding.api.label}, db {finding.db.label}] "
            f"{finding.message}")
    return head + (f"\n    hint: {finding.hint}" if finding.hint else "")


def render(report: Report) -> str:
    lines = [line(finding) for finding in report.findings]
    return "\n".join([*lines, f"{report.base} -> {report.head}: {report.summary()}"]) + "\n"

"""GitHub Actions workflow commands: one annotation per finding on the changed line.

The annotation level is the worse of the two severities (info becomes a notice). Values are
escaped as the runner expects: % CR LF in messages, and also : and , in properties.
"""

from __future__ import annotations

from fastbackend.diff.findings import Finding
from fastbackend.diff.report import Report
from fastbackend.diff.rules import Severity

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    title = f"{finding.rule} (api {finding.api.label}, db {finding.db.label})"
    properties = [f"title={escape_property(title)}"]
    if finding.location is not None:
        properties = [f"file={escape_property(finding.location.file)}",
                      f"line={finding.location.line}", f"col={finding.location.column}",
                      *properties]
    message = finding.message + (f"\n{finding.hint}" if finding.hint else "")
    return f"::{LEVELS[finding.worst]} {','.join(properties)}::{escape_data(message)}"


def render(report: Report) -> str:
    closing = f"{report.base} -> {report.head}: {report.summary()}"
    return "\n".join([*(annotation(f) for f in report.findings), closing]) + "\n"

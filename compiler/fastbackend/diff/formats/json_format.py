"""Machine-readable JSON, in the same canonical form as the IR (sorted keys, stable bytes)."""

from __future__ import annotations

from fastbackend.diff.findings import Finding
from fastbackend.diff.report import Report
from fastbackend.diff.rules import RULES, Severity
from fastbackend_ir import canonical_json
from fastbackend_ir.types import JSONObject, JSONValue


def finding_json(finding: Finding) -> JSONObject:
    location: JSONValue = None
    if finding.location is not None:
        location = {"file": finding.location.file, "line": finding.location.line,
                    "column": finding.location.column}
    return {
        "rule": finding.rule,
        "title": RULES[finding.rule].title,
        "api": finding.api.label,
        "db": finding.db.label,
        "message": finding.message,
        "pointer": finding.pointer,
        "side": finding.side,
        "fingerprint": finding.fingerprint,
        "hint": finding.hint,
        "location": location,
    }


def _counts(report: Report) -> JSONObject:
    """Findings per audience and severity, for tools that only want the totals."""
    return {audience: {severity.label: report.count(audience, severity) for severity in Severity}
            for audience in ("api", "db")}


def render(report: Report) -> str:
    return canonical_json({
        "base": report.base,
        "head": report.head,
        "failOn": report.threshold.describe(),
        "failed": report.failed,
        "summary": report.summary(),
        "counts": _counts(report),
        "findings": [finding_json(f) for f in report.findings],
    })

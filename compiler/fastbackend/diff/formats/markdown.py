"""A Markdown summary for a pull-request comment (or $GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

from fastbackend.diff.findings import Finding
from fastbackend.diff.report import Report
from fastbackend.diff.rules import Severity

MARKS = {Severity.ERROR: "🔴 error", Severity.WARNING: "🟠 warning", Severity.INFO: "⚪ info"}
HEADER = "| Rule | API | Database | Change | Where |\n|---|---|---|---|---|"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(finding: Finding) -> str:
    where = str(finding.location) if finding.location else finding.pointer
    message = finding.message + (f" _(hint: {finding.hint})_" if finding.hint else "")
    cells = (f"`{finding.rule}`", MARKS[finding.api], MARKS[finding.db], _cell(message),
             f"`{_cell(where)}`")
    return "| " + " | ".join(cells) + " |"


def render(report: Report) -> str:
    verdict = "❌ breaking changes" if report.failed else "✅ no breaking changes"
    lines = [f"## FastBackend IR diff: {verdict}", "",
             f"`{_cell(report.base)}` → `{_cell(report.head)}`: {report.summary()}", ""]
    if report.findings:
        lines += [HEADER, *(_row(f) for f in report.findings), ""]
    return "\n".join(lines)

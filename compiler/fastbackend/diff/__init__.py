"""Classify the changes between two IRs for API clients and for the database.

``compare(base, head)`` returns findings, each with a rule from the catalogue (``RULES``), two
severities, a stable fingerprint, a message and a JSON Pointer; ``locate`` adds source locations.
"""

from fastbackend.diff.engine import compare
from fastbackend.diff.findings import Finding, fingerprint
from fastbackend.diff.locations import Locator, locate
from fastbackend.diff.report import Report
from fastbackend.diff.rules import RULES, Rule, Severity
from fastbackend.diff.threshold import DEFAULT_FAIL_ON, Threshold, parse_fail_on

__all__ = [
    "DEFAULT_FAIL_ON",
    "RULES",
    "Finding",
    "Locator",
    "Report",
    "Rule",
    "Severity",
    "Threshold",
    "compare",
    "fingerprint",
    "locate",
    "parse_fail_on",
]

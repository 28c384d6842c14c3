"""Findings: one classified change each, with a fingerprint that survives unrelated edits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Literal

from fastbackend.diff.rules import Severity, rule
from fastbackend_ir import Location

Side = Literal["base", "head"]


@dataclass(frozen=True)
class Finding:
    rule: str
    api: Severity
    db: Severity
    message: str
    pointer: str
    side: Side
    """Which IR ``pointer`` points into: ``base`` for something removed, else ``head``."""
    identity: str
    fingerprint: str
    hint: str | None = None
    location: Location | None = None

    def located(self, location: Location | None) -> Finding:
        return replace(self, location=location)

    @property
    def worst(self) -> Severity:
        return max(self.api, self.db)


def fingerprint(rule_id: str, identity: str) -> str:
    """A short hash of the rule and the element's identity (names, never positions or
    messages), so a finding keeps its fingerprint when unrelated parts of the schema change."""
    return hashlib.sha256(f"{rule_id}\0{identity}".encode()).hexdigest()[:16]


def escape(token: str) -> str:
    """One JSON Pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    return "".join(f"/{escape(str(token))}" for token in tokens)


@dataclass
class Collector:
    """Where comparison functions put what they find; severities come from the catalogue."""

    findings: list[Finding] = field(default_factory=list)

    def add(self, rule_id: str, identity: str, message: str, at: str, side: Side = "head",
            hint: str | None = None) -> None:
        spec = rule(rule_id)
        self.findings.append(Finding(
            rule_id, spec.api, spec.db, message, at, side, identity,
            fingerprint(rule_id, identity), hint,
        ))

"""Drives schemathesis over every operation of a live app's /openapi.json, in process (ASGI).

Each operation gets ``max_examples`` generated requests (derandomized, so a run is repeatable);
every response is checked: no 5xx, a documented status, a body matching its schema, the
documented content type and required headers. Failures are collected, not raised at the first,
so a report names every operation that broke.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          content_type_conformance, response_headers_conformance]


@dataclass
class Report:
    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    def summary(self) -> str:
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        return (f"schemathesis: {self.total} cases over {len(self.cases)} operations, "
                f"{sum(len(v) for v in self.failures.values())} failures ({statuses})")


Cases = dict[str, list[Any]]  # operation label -> its generated schemathesis cases, in order


def _generate(operation: Any, max_examples: int) -> list[Any]:
    drawn: list[Any] = []

    @settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=operation.as_strategy())
    def collect(case: Any) -> None:
        drawn.append(case)

    collect()
    return drawn


def generate_cases(app: Any, max_examples: int, only: str | None = None) -> Cases:
    """Each operation's ``max_examples`` requests. Generation (hypothesis drawing bodies from the
    document's schemas) is nine tenths of a run's CPU, and derandomized it does not depend on the
    answers: the same cases can be sent to the runtime on every database (`send`). ``only``: one
    operation's label (``GET /posts/{key}``)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    cases: Cases = {}
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            raise AssertionError(f"schemathesis cannot read an operation: {result.err()}")
        if only is None or result.ok().label == only:
            cases[result.ok().label] = _generate(result.ok(), max_examples)
    return cases


def send(app: Any, cases: Cases) -> Report:
    """Sends the cases to ``app`` (started by the caller: its lifespan entered), in order, and
    checks every answer against the document the cases were generated from."""
    report = Report()
    for label, drawn in cases.items():
        for case in drawn:
            report.cases[label] += 1
            try:
                response = case.call_and_validate(checks=CHECKS, app=app)
            # A failed check raises schemathesis' FailureGroup (a BaseExceptionGroup): record it.
            except (Exception, BaseExceptionGroup) as error:
                report.failures[label].append(str(error))
            else:
                report.statuses[response.status_code] += 1
    return report


def run_schemathesis(app: Any, max_examples: int, only: str | None = None) -> Report:
    """Generates the cases from ``app``'s own document and sends them to it."""
    return send(app, generate_cases(app, max_examples, only))

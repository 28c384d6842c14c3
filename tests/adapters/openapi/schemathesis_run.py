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


def _run_operation(operation: Any, max_examples: int, report: Report) -> None:
    label = operation.label

    @settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        report.cases[label] += 1
        try:
            response = case.call_and_validate(checks=CHECKS)
        # A failed check raises schemathesis' FailureGroup (a BaseExceptionGroup): record it.
        except (Exception, BaseExceptionGroup) as error:
            report.failures[label].append(str(error))
        else:
            report.statuses[response.status_code] += 1

    run()


def run_schemathesis(app: Any, max_examples: int, only: str | None = None) -> Report:
    """``app`` must be started (its lifespan entered) by the caller; ``only``: one operation's
    label (``GET /posts/{key}``)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    report = Report()
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            raise AssertionError(f"schemathesis cannot read an operation: {result.err()}")
        if only is None or result.ok().label == only:
            _run_operation(result.ok(), max_examples, report)
    return report

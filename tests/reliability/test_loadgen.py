"""The load generator's books catch each kind of lost, duplicated or phantom write: the checker
itself is tested on made-up database contents, so a load test that passes means something."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.reliability.loadgen import Report, _compare, wrote_nothing

TAG = "tabc"


def row(key: int, title: str, body: str = "b", status: str = "draft") -> dict[str, Any]:
    return {"id": key, "title": title, "body": body, "status": status, "author_id": 1}


def values(title: str, body: str = "b", status: str = "draft") -> dict[str, Any]:
    return {"title": title, "body": body, "status": status, "author_id": 1}


def books() -> Report:
    report = Report(TAG, 0.0)
    report.acknowledged = {1: values(f"{TAG}-0-1"), 2: values(f"{TAG}-0-2", "patched")}
    report.patched = {2}
    report.deleted = {3}
    report.unknown_creates = {f"{TAG}-0-4": values(f"{TAG}-0-4")}
    report.uncertain = {5: [values(f"{TAG}-0-5"), None]}
    report.refused_titles = {f"{TAG}-0-6"}
    report.refused_bodies = {"refused 7"}
    return report


GOOD = [row(1, f"{TAG}-0-1"), row(2, f"{TAG}-0-2", "patched"), row(9, "another run's row")]


def test_consistent_database_passes() -> None:
    assert _compare(books(), GOOD) == []
    # an unknown create and an uncertain delete may have happened or not
    assert _compare(books(), [*GOOD, row(4, f"{TAG}-0-4"), row(5, f"{TAG}-0-5")]) == []


@pytest.mark.parametrize(("database", "problem"), [
    ([GOOD[1]], "lost: acknowledged row 1"),
    ([GOOD[0], row(2, f"{TAG}-0-2", "old")], "lost update: row 2"),
    ([*GOOD, row(3, f"{TAG}-0-3")], "lost delete: row 3"),
    ([*GOOD, row(10, f"{TAG}-0-1")], "duplicated: 2 rows"),
    ([*GOOD, row(11, f"{TAG}-0-11")], "phantom: row 11"),
    ([*GOOD, row(12, f"{TAG}-0-6")], "refused write left a trace"),
    ([*GOOD, row(13, "x", "refused 7")], "refused write left a trace"),
    ([*GOOD, row(4, f"{TAG}-0-4", "other")], "but the create sent"),
    ([*GOOD, row(5, f"{TAG}-0-5", "half")], "row 5 is"),
])
def test_each_kind_of_damage_is_reported(database: list[dict[str, Any]], problem: str) -> None:
    problems = _compare(books(), database)
    assert any(problem in p for p in problems), problems


def test_unanswered_writes_may_be_required_absent() -> None:
    """After a graceful shutdown, an unanswered write was never processed: no trace at all."""
    untouched = row(5, f"{TAG}-0-5")  # the unanswered delete did not happen
    assert _compare(books(), [*GOOD, untouched], unanswered_absent=True) == []
    assert _compare(books(), GOOD, unanswered_absent=True) != []  # it did
    for extra in (row(4, f"{TAG}-0-4"), row(5, f"{TAG}-0-5", "half")):
        assert _compare(books(), [*GOOD, extra], unanswered_absent=True) != []


PROBLEM_JSON = {"content-type": "application/problem+json"}


def problem_response(status: int, kind: str) -> httpx.Response:
    body = {"type": f"https://fastbackend.dev/problems/{kind}", "status": status}
    return httpx.Response(status, json=body, headers=PROBLEM_JSON)


@pytest.mark.parametrize(("response", "nothing_written"), [
    (problem_response(409, "unique-violation"), True),
    (problem_response(503, "database-unavailable"), True),
    (problem_response(503, "database-timeout"), True),
    (problem_response(503, "commit-outcome-unknown"), False),
    (httpx.Response(503, text="Service Unavailable"), False),  # not the runtime's answer
    (httpx.Response(502, text="Bad Gateway"), False),
    (None, False),  # no answer at all
])
def test_which_answers_promise_that_nothing_was_written(response: httpx.Response | None,
                                                        nothing_written: bool) -> None:
    """A 503 problem of the runtime says nothing was written, except commit-outcome-unknown:
    such writes are booked as refused, so a trace of one in the database is reported."""
    assert wrote_nothing(response) is nothing_written

"""The schemathesis hook drops only the refusals docs/openapi.md lists, in their exact shape:
a look-alike that is the server's fault still fails the run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from schemathesis.core.failures import AcceptedNegativeData, Failure
from schemathesis.openapi.checks import RejectedPositiveData

from tests.adapters.openapi.schemathesis_hooks import filter_failure

WHERE = {"$ref": "#/components/schemas/PostWhere"}
RAW = {"components": {
    "parameters": {"Posts.where": {"name": "where", "in": "query",
                                   "schema": {"type": "string", "contentSchema": WHERE}}},
    "schemas": {"PostWhere": {"type": "object", "additionalProperties": False,
                              "properties": {"title": {"type": "string"}}}}}}


@dataclass
class _Definition:
    raw: dict[str, Any]


@dataclass
class _Schema:
    raw_schema: dict[str, Any]


@dataclass
class _Operation:
    label: str = "GET /posts"
    schema: _Schema = field(default_factory=lambda: _Schema(RAW))
    definition: _Definition = field(default_factory=lambda: _Definition(
        {"parameters": [{"$ref": "#/components/parameters/Posts.where"}]}))


@dataclass
class _Case:
    query: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    body: Any = None
    operation: _Operation = field(default_factory=_Operation)


@dataclass
class _Response:
    status_code: int
    content: bytes


def _response(status: int, detail: str = "", errors: list[dict[str, str]] | None = None
              ) -> _Response:
    body: dict[str, Any] = {"status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return _Response(status, json.dumps(body).encode())


def _kept(case: _Case, response: _Response, failure: Failure | None = None) -> bool:
    failure = failure or RejectedPositiveData(operation="x", message="m",
                                              status_code=response.status_code,
                                              allowed_statuses=["2xx"])
    return bool(filter_failure(None, failure, case, response))


def _filter_required() -> _Response:
    body = {"type": "https://fastbackend.dev/problems/filter-required", "status": 400,
            "detail": "a bulk update or delete needs a filter"}
    return _Response(400, json.dumps(body).encode())


FK = [{"pointer": "/author_id", "code": "foreign_key", "message": "no such row"}]
DROPPED = [
    (_Case(body={"author_id": 5}), _response(422, "a referenced row does not exist", FK)),
    (_Case(headers={"If-Match": '"x"'}), _response(412, "the row changed")),
    (_Case(query={"cursor": "abc"}), _response(400, "query parameter 'cursor': bad cursor")),
    (_Case(query={"sort": "id,id"}), _response(400, "query parameter 'sort': 'id' appears twice")),
    (_Case(query={"where": "nope"}), _response(400, "query parameter 'where': not valid JSON")),
    (_Case(query={"where": "4"}), _response(400, "query parameter 'where at /': expected an object")),
    (_Case(body={"where": {"AND": [{"x": 1}]}}),
     _response(400, "query parameter 'where at /AND/0/x': Post has no field 'x'")),
    (_Case(body={"where": {"author": {"is": {"x": 1}}}}),
     _response(400, "query parameter 'where at /author/is/x': User has no field 'x'")),
    (_Case(body={"where": {"OR": [{"'": 1}]}}),  # repr's double quotes around a quote
     _response(400, 'query parameter "where at /OR/0/\'": User has no field "\'"')),
    (_Case(query={}), _filter_required()),  # PATCH /posts naming no filter
    (_Case(query={"where": "{}", "all": "false"}), _filter_required()),
]
KEPT = [
    (_Case(body={"title": "x"}), _response(422, "invalid", [{"pointer": "/title",
                                                              "code": "too_long", "message": ""}])),
    (_Case(body={"author_id": 5}), _response(422, "mixed", [*FK, {"pointer": "/title",
                                                                  "code": "missing",
                                                                  "message": ""}])),
    (_Case(), _response(412, "the row changed")),  # no If-Match sent
    (_Case(query={"title__lt": "z"}), _response(400, "query parameter 'title__lt': too long")),
    (_Case(query={"sort": "title"}), _response(400, "query parameter 'sort': unknown field")),
    (_Case(query={"where": '{"title": "x"}'}),  # valid against contentSchema, still refused
     _response(400, "query parameter 'where at /title': bad value")),
    (_Case(body={"where": {"title": {"lt": 1}}}),
     _response(400, "query parameter 'where at /title/lt': expected text")),
    # a filter, or all=true, was sent: refusing it is the server's fault
    (_Case(query={"title": "x"}), _filter_required()),
    (_Case(query={"where": '{"id": 1}'}), _filter_required()),
    (_Case(query={"all": "true"}), _filter_required()),
]


@pytest.mark.parametrize(("case", "response"), DROPPED)
def test_the_listed_refusals_are_dropped(case: _Case, response: _Response) -> None:
    assert not _kept(case, response)


@pytest.mark.parametrize(("case", "response"), KEPT)
def test_look_alikes_that_are_the_servers_fault_are_kept(case: _Case,
                                                         response: _Response) -> None:
    assert _kept(case, response)


def _accepted_negative(status: int) -> AcceptedNegativeData:
    return AcceptedNegativeData(operation="x", message="m", status_code=status,
                                expected_statuses=["400", "422"])


def test_a_url_refused_for_its_length_is_the_only_excused_negative_data_acceptance() -> None:
    too_long = {"type": "https://fastbackend.dev/problems/url-too-long", "status": 414}
    response = _Response(414, json.dumps(too_long).encode())
    assert not _kept(_Case(), response, _accepted_negative(414))
    assert _kept(_Case(), _response(200), _accepted_negative(200))  # accepted: the server's fault
    other_414 = _Response(414, json.dumps({"type": "about:blank", "status": 414}).encode())
    assert _kept(_Case(), other_414, _accepted_negative(414))


def test_other_checks_are_never_dropped() -> None:
    """Only positive_data_acceptance has excuses: a 5xx or a schema mismatch always fails."""
    case, response = DROPPED[0]
    other = Failure(operation="x", title="Server error", message="m")
    assert _kept(case, response, other)

"""schemathesis against the live runtime (blog and kitchen, on SQLite, PostgreSQL and MariaDB):
every operation, no server error, no undocumented status, no response that violates its schema.

Generating the cases (the nested create and update bodies above all) is nine tenths of a run's
CPU, and the document is the same on every database: the cases are generated once per document
and volume in a worker and sent to the runtime on each database, so the two servers get as many
as SQLite for the price of sending them. `make soak` runs four times `make test`'s volume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fastbackend_fastapi import create_app
from fastbackend_openapi import emit
from tests.adapters.openapi.conftest import TestClient, ir_named
from tests.adapters.openapi.schemathesis_run import Cases, generate_cases, run_schemathesis, send

# Generated cases per operation (blog, kitchen), sent to the runtime on every database.
VOLUME = {"test": (15, 6), "soak": (100, 40)}
SEED: list[tuple[str, list[dict[str, Any]]]] = [
    ("/users", [{"email": f"user{i}@example.com", "name": f"User {i}"} for i in range(1, 4)]),
    ("/tags", [{"name": f"tag{i}"} for i in range(1, 4)]),
    ("/posts", [{"title": f"Post {i}", "body": "text", "author_id": 1} for i in range(1, 4)]),
    ("/comments", [{"body": "nice", "post_id": 1, "author_id": 2}]),
]



def _operation_count(document: dict[str, Any]) -> int:
    methods = {"get", "put", "post", "delete", "patch"}
    return sum(1 for item in document["paths"].values() for method in item if method in methods)


def _volume(soak: bool) -> tuple[int, int]:
    return VOLUME["soak" if soak else "test"]


_GENERATED: dict[tuple[str, int], Cases] = {}


def _cases(app: Any, examples: int) -> Cases:
    """The cases for ``app``'s document, generated the first time this worker sees it."""
    key = (json.dumps(app.openapi(), sort_keys=True), examples)
    if key not in _GENERATED:
        _GENERATED[key] = generate_cases(app, examples)
    return _GENERATED[key]


def _blog_honours_its_contract(database_url: str, examples: int) -> str:
    app = create_app(ir_named("blog"), database_url=database_url, custom_path=None)
    with TestClient(app) as client:
        for path, rows in SEED:  # rows to find, so generated keys reach more than 404s
            assert client.post(f"{path}/bulk", json=rows).status_code == 201
        report = send(app, _cases(app, examples))
    assert not report.failures, json.dumps(report.failures, indent=1)[:20000]
    assert len(report.cases) == _operation_count(emit(ir_named("blog")))  # every operation ran
    assert report.total >= len(report.cases) * 5
    assert {200, 201, 204, 404, 422} <= set(report.statuses)
    return f"{database_url.split(':')[0]} (blog): {report.summary()}"


def _kitchen_honours_its_contract(database_url: str, examples: int) -> str:
    """Every logical type, composite keys, a one-to-one: fewer examples, the same checks."""
    app = create_app(ir_named("kitchen"), database_url=database_url, custom_path=None)
    with TestClient(app):
        report = send(app, _cases(app, examples))
    assert not report.failures, json.dumps(report.failures, indent=1)[:20000]
    assert len(report.cases) == _operation_count(emit(ir_named("kitchen")))
    return f"{database_url.split(':')[0]} (kitchen): {report.summary()}"


@pytest.mark.slow
def test_the_blog_runtime_honours_its_contract(database_url: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    summary = _blog_honours_its_contract(database_url, _volume(soak=False)[0])
    with capsys.disabled():
        print(f"\n{summary}")


@pytest.mark.slow
def test_the_kitchen_runtime_honours_its_contract(database_url: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    summary = _kitchen_honours_its_contract(database_url, _volume(soak=False)[1])
    with capsys.disabled():
        print(f"\n{summary}")


@pytest.mark.soak
def test_the_runtimes_honour_their_contract_at_soak_volume(
        database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    blog, kitchen = _volume(soak=True)
    summaries = [_blog_honours_its_contract(database_url, blog),
                 _kitchen_honours_its_contract(database_url, kitchen)]
    with capsys.disabled():
        print("", *summaries, sep="\n")


def test_the_run_catches_a_response_that_breaks_the_document(tmp_path: Path) -> None:
    """The checks are live: a document that demands a field the runtime never returns fails."""
    app = create_app(ir_named("blog"), database_url=f"sqlite+pysqlite:///{tmp_path / 'a.db'}",
                     custom_path=None)
    with TestClient(app) as client:
        assert client.post("/tags", json={"name": "x"}).status_code == 201
        wrong = client.get("/openapi.json").json()
        wrong["components"]["schemas"]["TagRead"]["required"].append("colour")
        del wrong["paths"]["/tags/{key}"]["get"]["responses"]["4XX"]  # 404 undocumented
        app.openapi_schema = wrong
        report = run_schemathesis(app, 30, only="GET /tags/{key}")
    messages = "\n".join(report.failures["GET /tags/{key}"])
    assert "colour" in messages
    assert "404" in messages

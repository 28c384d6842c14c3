"""search= on the Express server against the FastAPI runtime, both on PostgreSQL with the same
IR (irs/search.ir.json: tests/search/conftest.py's models and fastbackend.yaml) and the same
rows: every answer the same, ranking, filters, sort and cursor pages, offset pages, the 400s."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fastbackend_fastapi import create_app
from tests.adapters.express.harness import IR_PATHS
from tests.adapters.express.servers import Servers, clients
from tests.search.conftest import TestClient

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

WORDS = ("kiwi", "lime", "plum", "lorem", "ipsum", "dolor")
REQUESTS: list[dict[str, Any]] = [
    {"search": "kiwi"},
    {"search": "kiwi", "limit": 3, "offset": 2},
    {"search": "kiwi or lime", "category": "odd"},
    {"search": '"kiwi lime" -plum'},
    {"search": "kiwi", "where": '{"views": {"gte": 300}}', "count": "none"},
    {"search": "kiwi", "sort": "-views", "limit": 4},
    {"search": "nothingmatches"},
    {"search": "kiwi", "cursor": "abc"},
    {"search": "  !! "},
]


@pytest.fixture
def express(express_servers: Servers) -> Iterator[httpx.Client]:
    yield from clients(express_servers.get("search"))


@pytest.fixture
def runtime(postgres_url: str) -> Iterator[TestClient]:
    app = create_app(IR_PATHS["search"], database_url=postgres_url, custom_path=None)
    with TestClient(app) as client:
        yield client


def _seed(*targets: Any) -> None:
    rng = random.Random(7)
    for i in range(24):
        body = " ".join(rng.choice(WORDS) for _ in range(10))
        row = {"title": f"entry {rng.choice(WORDS)}", "body": body,
               "category": "odd" if i % 2 else "even", "views": rng.randrange(600)}
        for target in targets:
            assert target.post("/articles", json=row).status_code == 201


def _answer(response: Any) -> tuple[int, Any]:
    body = response.json()
    if isinstance(body, dict):
        body.pop("request_id", None)
    return response.status_code, body


def test_search_answers_the_same_on_both_servers(express: httpx.Client,
                                                 runtime: TestClient) -> None:
    _seed(express, runtime)
    ranked = runtime.get("/articles", params={"search": "kiwi"}).json()["data"]
    assert len(ranked) > 5  # enough matches that the order is a real test
    for params in REQUESTS:
        assert _answer(express.get("/articles", params=params)) == \
            _answer(runtime.get("/articles", params=params)), params
        body = {k: v for k, v in params.items() if k != "where"}
        assert _answer(express.post("/articles/query", json=body)) == \
            _answer(runtime.post("/articles/query", json=body)), body


def test_cursor_pages_of_a_sorted_search_are_the_same(express: httpx.Client,
                                                      runtime: TestClient) -> None:
    _seed(express, runtime)
    params: dict[str, Any] = {"search": "kiwi", "sort": "-views", "limit": 3}
    pages = 0
    while True:
        mine, theirs = express.get("/articles", params=params), runtime.get("/articles",
                                                                               params=params)
        assert _answer(mine) == _answer(theirs)
        pages += 1
        cursor = mine.json()["meta"]["next_cursor"]
        if cursor is None:
            break
        params["cursor"] = cursor
    assert pages > 1


def test_a_model_without_search_refuses_it_on_both(express: httpx.Client,
                                                   runtime: TestClient) -> None:
    mine, theirs = express.get("/notes?search=x"), runtime.get("/notes?search=x")
    assert mine.status_code == theirs.status_code == 400
    assert mine.headers["content-type"] == "application/problem+json"
    assert _answer(mine) == _answer(theirs)


MYSQL_REQUESTS: list[dict[str, Any]] = [  # natural language mode: no web-search operators
    {"search": "kiwi"},
    {"search": "kiwi", "limit": 3, "offset": 2},
    {"search": "kiwi lime", "category": "odd"},
    {"search": "kiwi", "sort": "-views", "limit": 4},
    {"search": "nothingmatches"},
]


def _seed_bulk(*targets: Any) -> None:
    """_seed's rows, in one bulk create per server (MariaDB commits are the cost here)."""
    rng = random.Random(7)
    rows = [{"title": f"entry {rng.choice(WORDS)}",
             "body": " ".join(rng.choice(WORDS) for _ in range(10)),
             "category": "odd" if i % 2 else "even", "views": rng.randrange(600)}
            for i in range(24)]
    for target in targets:
        assert target.post("/articles/bulk", json=rows).status_code == 201


def _uncursored(response: Any) -> tuple[int, Any]:
    status, body = _answer(response)
    if isinstance(body, dict) and isinstance(body.get("meta"), dict):
        body["meta"]["next_cursor"] = body["meta"]["next_cursor"] is not None
    return status, body


@pytest.mark.mariadb
def test_search_on_mysql_answers_as_the_runtime_on_mariadb(express_servers: Servers,
                                                           mariadb_url: str) -> None:
    """The FULLTEXT index `fastbackend migrate` made, read by both servers' MATCH ... AGAINST."""
    app = create_app(IR_PATHS["search"], database_url=mariadb_url, custom_path=None)
    # the Express server starts here (node, and `fastbackend migrate` of its MariaDB database)
    server = express_servers.get("search_mysql")
    with TestClient(app) as runtime:
        for express in clients(server):
            _seed_bulk(express, runtime)
            ranked = runtime.get("/articles", params={"search": "kiwi"}).json()["data"]
            assert len(ranked) > 5
            for params in MYSQL_REQUESTS:  # cursors aside: the key is derived from each IR
                assert _uncursored(express.get("/articles", params=params)) == \
                    _uncursored(runtime.get("/articles", params=params)), params
            notes = express.get("/notes?search=x")
            assert _answer(notes) == _answer(runtime.get("/notes?search=x"))
            assert notes.status_code == 400

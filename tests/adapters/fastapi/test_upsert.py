"""Upsert by PUT: `PUT /regions/{key}` to a key no row has creates it (201) when the client
chooses the key (fastbackend_ir.contract.put_creates); a generated key stays a 404
(docs/rest-api.md, "Upsert"). On SQLite, PostgreSQL and MariaDB, and against Express."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests import local_http
from tests.adapters.fastapi.conftest import KITCHEN, problem
from tests.reliability.servers import uvicorn_server
from tests.services import temporary_mariadb_database, temporary_postgres_database

REGION = "/regions/de,by"
KEY = {"country": "de", "code": "by"}  # a PUT body is a create body: the key is repeated


def test_put_to_a_new_natural_key_creates_the_row(kitchen: TestClient) -> None:
    created = kitchen.put(REGION, json={**KEY, "name": "Bayern"})
    assert created.status_code == 201, created.text
    assert created.headers["location"] == REGION
    assert created.json() == {"country": "de", "code": "by", "name": "Bayern"}
    assert kitchen.get(REGION).headers["etag"] == created.headers["etag"]
    replaced = kitchen.put(REGION, json={**KEY, "name": "Bavaria"})
    assert replaced.status_code == 200 and "location" not in replaced.headers
    assert kitchen.get(REGION).json()["name"] == "Bavaria"
    assert kitchen.get("/regions").json()["meta"]["total"] == 1


def test_put_never_changes_the_key_the_url_names(kitchen: TestClient) -> None:
    other = kitchen.put("/regions/de,be", json={"country": "fr", "code": "be", "name": "x"})
    assert other.status_code == 422
    assert [error["pointer"] for error in problem(other)["errors"]] == ["/country"]
    assert kitchen.get("/regions/de,be").status_code == 404


def test_a_put_that_creates_validates_as_a_create(kitchen: TestClient) -> None:
    missing = kitchen.put(REGION, json=KEY)
    assert missing.status_code == 422
    assert [error["pointer"] for error in problem(missing)["errors"]] == ["/name"]
    assert kitchen.get(REGION).status_code == 404


def test_put_minimal_create_is_204_with_location(kitchen: TestClient) -> None:
    response = kitchen.put(REGION, json={**KEY, "name": "B"},
                           headers={"Prefer": "return=minimal"})
    assert response.status_code == 204 and response.headers["location"] == REGION
    assert kitchen.get(REGION).json()["name"] == "B"


def test_if_match_never_creates(kitchen: TestClient) -> None:
    """`If-Match` asks for the row as it is: with no row there is nothing to match (404)."""
    response = kitchen.put(REGION, json={**KEY, "name": "B"}, headers={"If-Match": "*"})
    assert response.status_code == 404
    assert kitchen.get(REGION).status_code == 404


def test_a_generated_key_is_never_created_by_put(blog: TestClient) -> None:
    response = blog.put("/tags/77", json={"name": "x"})
    assert response.status_code == 404
    assert blog.get("/tags").json()["data"] == []


@pytest.mark.slow
@pytest.mark.parametrize("database", [
    pytest.param(temporary_postgres_database, marks=pytest.mark.postgres, id="postgres"),
    pytest.param(temporary_mariadb_database, marks=pytest.mark.mariadb, id="mariadb")])
def test_fifty_clients_putting_one_new_key_make_one_row(
        tmp_path: Path, database: Callable[[], AbstractContextManager[str]]) -> None:
    """50 clients PUT the same new key at once to a real server: one creates it (201), the
    others replace it (200); never a 409 or a 500, and one row. On MariaDB, which has no
    INSERT ... ON CONFLICT, the insert in a savepoint waits for the winner's row."""
    with database() as url, \
            uvicorn_server(KITCHEN, url, workdir=tmp_path) as server, \
            local_http.client(base_url=server.url, timeout=60) as client:
        barrier = threading.Barrier(50, timeout=30)

        def put(index: int) -> int:
            barrier.wait()
            body = {"country": "fr", "code": "idf", "name": f"n{index}"}
            return client.put("/regions/fr,idf", json=body).status_code

        with ThreadPoolExecutor(50) as pool:
            statuses = list(pool.map(put, range(50)))
        assert sorted(statuses) == [200] * 49 + [201], statuses
        page = client.get("/regions").json()
        assert page["meta"]["total"] == 1
        assert page["data"][0]["name"] in {f"n{index}" for index in range(50)}

"""The execution modes other than each dialect's default still serve the same contract."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from fastbackend_fastapi import Settings, create_app
from fastbackend_fastapi.database import dialects
from tests.adapters.fastapi.conftest import BLOG


@pytest.fixture(params=["inline", "thread", "async"])
def client(request: pytest.FixtureRequest, database_url: str) -> Iterator[TestClient]:
    execution = request.param
    if execution == "async":
        if not dialects.for_url(database_url).async_driver:
            pytest.skip("async execution is for PostgreSQL (no asyncio driver for this database)")
        pytest.importorskip("greenlet", reason="async execution needs the optional greenlet")
    app = create_app(BLOG, database_url=database_url, custom_path=None,
                     settings=Settings(execution=execution))
    with TestClient(app) as test_client:
        assert app.state.runtime.database.execution == execution
        yield test_client


def test_crud_conflicts_and_conditional_writes(client: TestClient) -> None:
    user = client.post("/users", json={"email": "m@x.io"})
    assert user.status_code == 201
    path = user.headers["location"]
    assert client.post("/users", json={"email": "m@x.io"}).status_code == 409
    etag = client.get(path).headers["etag"]
    # the read by id ran through the driver (database/direct.py) in every mode, async's too
    store = client.app.state.runtime.entity("User").store  # type: ignore[attr-defined]
    assert [bool(c and c.results) for c in store.read_one._compiled.values()] == [True]
    assert client.patch(path, json={"name": "A"}, headers={"If-Match": etag}).status_code == 200
    assert client.patch(path, json={"name": "B"}, headers={"If-Match": etag}).status_code == 412
    listed = client.get("/users", params={"name": "A"}).json()
    assert [u["email"] for u in listed["data"]] == ["m@x.io"] and listed["meta"]["total"] == 1
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404

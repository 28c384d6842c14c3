"""What one read costs MariaDB in statements: the SELECT and the pool's ROLLBACK at checkin,
nothing more (docs/dialects.md, "MySQL and MariaDB"). Reads on autocommit, as on PostgreSQL,
made PyMySQL turn autocommit on and restore the pool's isolation level around every read:
six statements per read by id, and a third of the runtime's reads per second on MariaDB."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from fastbackend_fastapi import create_app
from fastbackend_fastapi.settings import Settings
from tests.adapters.fastapi.conftest import BLOG

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.mariadb


@pytest.fixture
def client(mariadb_url: str) -> Iterator[TestClient]:
    """One pooled connection, so every statement of a request is counted on it."""
    app = create_app(BLOG, database_url=mariadb_url, custom_path=None,
                     settings=Settings(pool_size=1, max_overflow=0, execution="inline"))
    with TestClient(app) as client:
        yield client


def _statements(client: TestClient, path: str) -> int:
    """The statements the server received on the pool's one connection while serving ``path``
    (its session's Questions counter; reading the counter twice costs two of its own: the
    SHOW and the ROLLBACK of its checkin)."""
    engine: sa.Engine = client.app.state.runtime.database.engine  # type: ignore[attr-defined]

    def questions() -> int:
        with engine.connect() as connection:
            row = connection.execute(sa.text("SHOW SESSION STATUS LIKE 'Questions'")).one()
            return int(row[1])

    idle = -questions() + questions()
    before = questions()
    assert client.get(path).status_code == 200
    return questions() - before - idle


def test_a_read_is_its_select_and_the_pools_rollback(client: TestClient) -> None:
    author = client.post("/users", json={"email": "a@b.io", "name": "A"}).json()["id"]
    post = client.post("/posts", json={"title": "t", "body": "b", "author_id": author})
    assert post.status_code == 201, post.text
    assert _statements(client, f"/posts/{post.json()['id']}") == 2
    assert _statements(client, "/posts?status=draft&limit=20") == 2  # page and count: one SELECT

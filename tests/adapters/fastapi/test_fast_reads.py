"""Reads by id without SQLAlchemy's Connection (runtime.Database.read_first): on PostgreSQL in
thread mode through psycopg's AsyncConnection on the event loop (database/dialects/
psycopg_reads.py), on SQLite on a pooled DBAPI connection (direct.raw_rows); and the start-up
probe that switches the direct path off when SQLAlchemy's internals are not what it reads."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from starlette.testclient import TestClient

from fastbackend_fastapi.database import direct
from fastbackend_fastapi.problems import Problem
from fastbackend_fastapi.runtime import Database
from fastbackend_fastapi.settings import Settings
from tests.adapters.fastapi.conftest import BLOG, start_app
from tests.adapters.fastapi.test_direct_reads import terminate_backends
from tests.adapters.fastapi.test_relations import created


def _database(client: TestClient) -> Database:
    database: Database = client.app.state.runtime.database  # type: ignore[attr-defined]
    return database


@pytest.fixture
def direct_path() -> Iterator[None]:
    """The probe's finding restored after a test that changed it."""
    yield
    direct.check(again=True)
    assert direct.enabled()


def _read_on_the_loop(client: TestClient, statement: sa.Select[Any]) -> Any:
    """``statement``'s first row through Database.read_first, on the app's event loop."""
    database = _database(client)

    def fallback(connection: Connection) -> Any:
        raise AssertionError("the statement took the thread path")

    async def read() -> Any:
        return await database.read_first(direct.DirectStatement(statement), {}, fallback)

    return client.portal.call(read)  # type: ignore[union-attr]


@pytest.mark.postgres
@pytest.mark.parametrize("pooler", ["none", "transaction"])
def test_postgresql_reads_run_on_the_loop_with_the_sync_paths_session(
        postgres_url: str, pooler: str) -> None:
    """The async connections get the statement timeout, and behind a transaction pooler no
    server-side prepared statement (psycopg prepares after a statement's 5th run)."""
    settings = Settings(statement_timeout_ms=4321, pooler=pooler)  # type: ignore[arg-type]
    with TestClient(start_app(BLOG, postgres_url, settings=settings, custom_path=None)) as blog:
        assert _database(blog).async_reads is not None
        user = created(blog, "/users", {"email": "loop@x.io"})
        for _ in range(8):
            assert blog.get(f"/users/{user['id']}").json() == user
        timeout, prepared = _read_on_the_loop(blog, sa.select(
            sa.func.current_setting("statement_timeout"),
            sa.select(sa.func.count()).select_from(sa.table("pg_prepared_statements"))
            .scalar_subquery()))
    # behind a pooler the role's settings apply (no startup options): here the server's 0
    assert (timeout, prepared > 0) == (("4321ms", True) if pooler == "none" else ("0", False))


@pytest.mark.postgres
def test_postgresql_loop_reads_fail_as_the_thread_reads_do(postgres_url: str) -> None:
    """A statement past the timeout is 503 database-timeout; a dead connection (the server
    restarted) is replaced and the read answered."""
    settings = Settings(statement_timeout_ms=50)
    with TestClient(start_app(BLOG, postgres_url, settings=settings, custom_path=None)) as blog:
        user = created(blog, "/users", {"email": "dead@x.io"})
        assert blog.get(f"/users/{user['id']}").json() == user  # an async connection is open
        with pytest.raises(Problem) as timed_out:
            _read_on_the_loop(blog, sa.select(sa.func.pg_sleep(0.5)))
        assert (timed_out.value.status, timed_out.value.type) == (503, "database-timeout")
        terminate_backends(postgres_url)
        for _ in range(3):
            assert blog.get(f"/users/{user['id']}").json() == user


@pytest.mark.postgres
def test_postgresql_loop_reads_wait_for_a_connection_then_503(postgres_url: str) -> None:
    settings = Settings(async_read_pool_size=1, pool_timeout=0.05)
    with TestClient(start_app(BLOG, postgres_url, settings=settings, custom_path=None)) as blog:
        user = created(blog, "/users", {"email": "busy@x.io"})
        reads: Any = _database(blog).async_reads
        held = blog.portal.call(reads._checkout)  # type: ignore[union-attr]
        try:
            busy = blog.get(f"/users/{user['id']}")
            assert (busy.status_code, busy.json()["type"].rsplit("/", 1)[1]) == (
                503, "database-busy")
        finally:
            blog.portal.call(reads._checkin, held, False)  # type: ignore[union-attr]
        assert blog.get(f"/users/{user['id']}").json() == user


@pytest.mark.postgres
def test_postgresql_reads_take_the_threads_with_no_async_pool(postgres_url: str) -> None:
    settings = Settings(async_read_pool_size=0)
    with TestClient(start_app(BLOG, postgres_url, settings=settings, custom_path=None)) as blog:
        assert _database(blog).async_reads is None
        user = created(blog, "/users", {"email": "threads@x.io"})
        assert blog.get(f"/users/{user['id']}").json() == user


def test_sqlite_reads_by_id_use_no_connection_object(tmp_path: Path) -> None:
    """The read engine's `engine_connect` event never fires for a read by id (no Connection
    is made); a listener on it puts the Connection back, and both give the same answer."""
    url = f"sqlite+pysqlite:///{tmp_path / 'app.db'}"
    with TestClient(start_app(BLOG, url, custom_path=None)) as blog:
        user = created(blog, "/users", {"email": "raw@x.io"})
        engine = _database(blog).read_engine
        connected: list[Connection] = []

        def listener(connection: Connection) -> None:
            connected.append(connection)

        sa.event.listen(engine, "engine_connect", listener)
        try:
            assert direct.engine_eligible(engine, safe=True) is False
            assert blog.get(f"/users/{user['id']}").json() == user
            assert len(connected) == 1
        finally:
            sa.event.remove(engine, "engine_connect", listener)
        assert direct.engine_eligible(engine, safe=True) is True
        assert blog.get(f"/users/{user['id']}").json() == user
        assert len(connected) == 1


def test_a_sqlalchemy_without_the_internals_turns_the_direct_path_off(
        database_url: str, direct_path: None, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """The probe fails on a missing internal (as a SQLAlchemy release that renamed it
    would), says so once, and every read answers as it does through the direct path."""
    def answers(client: TestClient) -> list[tuple[int, Any, str | None]]:
        responses = [client.get(f"/posts/{post['id']}"), client.get("/posts/1000000"),
                     client.get("/posts?limit=5")]
        return [(r.status_code, {**r.json(), "request_id": None}, r.headers.get("etag"))
                for r in responses]

    with TestClient(start_app(BLOG, database_url, custom_path=None)) as blog:
        user = created(blog, "/users", {"email": "probe@x.io"})
        post = created(blog, "/posts", {"title": "t", "body": "b", "author_id": user["id"]})
        direct_answers = answers(blog)
        assert [bool(c and c.results) for c in _store_compiled(blog)] == [True]

    monkeypatch.delattr(Connection, "_handle_dbapi_exception")
    with caplog.at_level(logging.WARNING, logger="fastbackend_fastapi.direct"):
        assert direct.check(again=True) is not None
    assert not direct.enabled() and len(caplog.records) == 1
    with TestClient(start_app(BLOG, database_url, custom_path=None)) as blog:
        assert answers(blog) == direct_answers
        assert _store_compiled(blog) == []  # nothing ran through the driver
        assert _database(blog).async_reads is None
    assert len(caplog.records) == 1  # logged once, not per app or per read


def _store_compiled(client: TestClient) -> list[Any]:
    store = client.app.state.runtime.entity("Post").store  # type: ignore[attr-defined]
    return list(store.read_one._compiled.values())


def test_the_probe_passes_with_the_installed_sqlalchemy(direct_path: None) -> None:
    assert direct.check(again=True) is None and direct.enabled()
    assert asyncio.iscoroutinefunction(Database.read_first)


def test_a_starlette_without_the_internals_leaves_routing_to_fastapi(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """The route index (dispatch.py) is not installed when Starlette's helper it uses is
    gone, said once; every route answers as it does through the index."""
    import starlette._utils

    from fastbackend_fastapi import dispatch

    url = f"sqlite+pysqlite:///{tmp_path / 'app.db'}"

    def answers() -> tuple[bool, list[tuple[int, Any]]]:
        with TestClient(start_app(BLOG, url, custom_path=None)) as blog:
            indexed = isinstance(blog.app.router.middleware_stack,  # type: ignore[attr-defined]
                                 dispatch.RouteIndex)
            responses = [blog.get("/users/1"), blog.get("/posts?limit=2"), blog.get("/nowhere"),
                         blog.delete("/users"), blog.get("/users/1/posts")]
            return indexed, [(r.status_code, {**r.json(), "request_id": None})
                             if r.headers.get("content-type", "").endswith("json")
                             else (r.status_code, r.text) for r in responses]

    with TestClient(start_app(BLOG, url, custom_path=None)) as blog:
        created(blog, "/users", {"email": "route@x.io"})
    indexed, expected = answers()
    monkeypatch.setattr(dispatch, "_WARNED", [])
    monkeypatch.delattr(starlette._utils, "get_route_path")
    with caplog.at_level(logging.WARNING, logger="fastbackend_fastapi.dispatch"):
        assert answers() == (False, expected) and indexed
        assert answers()[0] is False
    assert len(caplog.records) == 1


def test_a_driver_error_without_a_connection_is_sqlalchemys(tmp_path: Path) -> None:
    """raw_rows: the error SQLAlchemy's path raises, and the pooled connection returned."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        reader = engine.execution_options(**{direct.DIRECT: True})
        statement = sa.select(sa.table("missing", sa.column("id")))
        compiled = direct.compile_for(statement, engine.dialect)
        assert compiled is not None
        with pytest.raises(sa.exc.OperationalError, match="no such table") as raised:
            direct.raw_rows(reader, compiled, {})
        with reader.connect() as connection, pytest.raises(sa.exc.OperationalError) as theirs:
            connection.execute(statement)
        assert (type(raised.value), raised.value.orig.args) == (  # type: ignore[union-attr]
            type(theirs.value), theirs.value.orig.args)  # type: ignore[union-attr]
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        engine.dispose()

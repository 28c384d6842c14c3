"""Reads by id without SQLAlchemy's Connection (runtime.Database.read_first): on PostgreSQL in
thread mode through psycopg's AsyncConnection on the event loop (database/dialects/
psycopg_reads.py), on SQLite on a pooled DBAPI connection (direct.raw_rows); and the start-up
probe that switches the direct path off when SQLAlchemy's internals are not what it reads."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
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
        async with asyncio.timeout(60):  # a hang bound: a read that never ends fails the test
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


def test_named_placeholders_become_libpqs_numbered_ones() -> None:
    """SQLAlchemy's psycopg SQL as libpq takes it: a name used twice is one parameter, and
    %% (a literal %) is %."""
    from fastbackend_fastapi.database.dialects.psycopg_reads import numbered

    assert numbered("SELECT %(a)s, %(b_1)s WHERE x LIKE 'a%%' AND y = %(a)s") == (
        "SELECT $1, $2 WHERE x LIKE 'a%' AND y = $1", ("a", "b_1"))


@pytest.mark.postgres
def test_postgresql_loop_reads_send_what_the_socket_cannot_take_at_once(
        postgres_url: str) -> None:
    """A statement bigger than the socket's buffer is sent as the socket drains (libpq's
    flush in non-blocking mode), and a value bigger than it comes back whole."""
    with TestClient(start_app(BLOG, postgres_url, custom_path=None)) as blog:
        big = "x" * 8_000_000
        for _ in range(2):  # the second time on the same, now prepared, statement
            assert _read_on_the_loop(blog, sa.select(sa.func.length(sa.bindparam("big", big)),
                                                     sa.bindparam("again", big))) == (len(big),
                                                                                      big)


@pytest.mark.postgres
def test_postgresql_reads_take_the_threads_with_no_async_pool(postgres_url: str) -> None:
    settings = Settings(async_read_pool_size=0)
    with TestClient(start_app(BLOG, postgres_url, settings=settings, custom_path=None)) as blog:
        assert _database(blog).async_reads is None
        user = created(blog, "/users", {"email": "threads@x.io"})
        assert blog.get(f"/users/{user['id']}").json() == user


def test_sqlite_reads_by_id_keep_one_connection_out_of_the_pool(tmp_path: Path) -> None:
    """Inline mode's reads by id take no connection from the pool once they have one of their
    own; it is out of the pool, so a pool of one still serves a write beside it."""
    url = f"sqlite+pysqlite:///{tmp_path / 'app.db'}"
    settings = Settings(pool_size=1, max_overflow=0, pool_timeout=0.5)
    with TestClient(start_app(BLOG, url, settings=settings, custom_path=None)) as blog:
        database = _database(blog)
        assert database.execution == "inline"
        user = created(blog, "/users", {"email": "kept@x.io"})
        assert blog.get(f"/users/{user['id']}").json() == user
        checkouts: list[object] = []

        def checkout(*_: object) -> None:
            checkouts.append(_)

        sa.event.listen(database.read_engine.pool, "checkout", checkout)
        try:
            for _ in range(5):
                assert blog.get(f"/users/{user['id']}").json() == user
            assert checkouts == []
            other = blog.post("/users", json={"email": "beside@x.io"})  # the pool's one
            assert other.status_code == 201, other.text
            assert len(checkouts) == 1
        finally:
            sa.event.remove(database.read_engine.pool, "checkout", checkout)
        assert database._kept is not None
        kept = database._kept.take().dbapi_connection
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):  # closed at shutdown
        kept.execute("SELECT 1")


def test_a_kept_connection_that_failed_is_closed_and_replaced(tmp_path: Path) -> None:
    """raw_rows on a kept connection: the error SQLAlchemy's path raises, the failed connection
    closed (the Connection that handled the error closes it), the next read on another."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    kept = direct.KeptConnection(engine.execution_options(**{direct.DIRECT: True}))
    try:
        missing = direct.compile_for(sa.select(sa.table("missing", sa.column("id"))),
                                     engine.dialect)
        one = direct.compile_for(sa.select(sa.literal(1)), engine.dialect)
        assert missing is not None and one is not None
        failed = kept.take().dbapi_connection
        with pytest.raises(sa.exc.OperationalError, match="no such table"):
            direct.raw_rows(kept.engine, missing, {}, kept)
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            failed.execute("SELECT 1")
        assert direct.raw_rows(kept.engine, one, {}, kept) == [(1,)]
        assert kept.take().dbapi_connection is not failed
    finally:
        kept.close()
        engine.dispose()


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


@pytest.mark.parametrize("internal", [("starlette._utils", "get_route_path"), (
    "starlette._exception_handler", "wrap_app_handling_exceptions")])
def test_a_starlette_without_the_internals_leaves_routing_to_fastapi(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture, internal: tuple[str, str]) -> None:
    """The route index (dispatch.py) is not installed when a Starlette helper it uses is
    gone, said once; every route answers as it does through the index."""
    import importlib

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
    monkeypatch.delattr(importlib.import_module(internal[0]), internal[1])
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


# Direct answers (dispatch.answer_directly, routes/item.py direct_read): the route index
# answers a plain read by id itself, without FastAPI's routing or a Request.

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


@contextlib.contextmanager
def ordinary_routing(client: TestClient) -> Iterator[list[int]]:
    """Every request goes the ordinary way (no direct answer) while inside; yields the count
    of requests that reached FastAPI's router code (APIRouter.app)."""
    from fastbackend_fastapi import dispatch

    index = client.app.router.middleware_stack  # type: ignore[attr-defined]
    assert isinstance(index, dispatch.RouteIndex)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dispatch, "_direct", lambda route: None)
        index._built_from = []  # rebuilt without the answers
        with routed(client) as count:
            yield count
    index._built_from = []


@contextlib.contextmanager
def routed(client: TestClient) -> Iterator[list[int]]:
    """The count of requests that reached FastAPI's router code (APIRouter.app) inside."""
    from fastapi.routing import APIRouter

    count = [0]
    ordinary = APIRouter.app

    async def counted(self: Any, scope: Any, receive: Any, send: Any) -> None:
        count[0] += 1
        await ordinary(self, scope, receive, send)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(APIRouter, "app", counted)
        yield count


def _answers(client: TestClient, paths: list[str], **headers: str) -> list[Answer]:
    """Status, every header in order, and the body's bytes, over raw ASGI (no client
    normalising), with a fixed request id so two answers can be equal."""
    sent = [(b"x-request-id", b"same-id"),
            *((name.replace("_", "-").encode(), value.encode()) for name, value in headers.items())]

    async def answer(path: str) -> Answer:
        messages: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)

        raw, _, query = path.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"},
                 "http_version": "1.1", "method": "GET", "scheme": "http", "path": raw,
                 "raw_path": raw.encode(), "query_string": query.encode(), "root_path": "",
                 "headers": [(b"host", b"testserver"), *sent], "client": ("127.0.0.1", 1),
                 "server": ("testserver", 80), "state": {}}
        with contextlib.suppress(RuntimeError):  # (a bug: its 500 is sent, then raised on)
            await client.app(scope, receive, send)  # type: ignore[operator]
        start = messages[0]
        return (start["status"], list(start["headers"]),
                b"".join(m.get("body", b"") for m in messages[1:]))

    async def every() -> list[Answer]:
        return [await answer(path) for path in paths]

    return client.portal.call(every)  # type: ignore[union-attr]


def _direct_and_ordinary(client: TestClient, paths: list[str], **headers: str
                         ) -> tuple[list[Answer], list[int], list[Answer], list[int]]:
    with routed(client) as direct_count:
        direct_answers = _answers(client, paths, **headers)
    with ordinary_routing(client) as ordinary_count:
        ordinary_answers = _answers(client, paths, **headers)
    return direct_answers, direct_count, ordinary_answers, ordinary_count


def test_a_read_by_id_answers_directly_as_the_route_does(
        sqlite_or_postgres_url: str, tmp_path: Path) -> None:
    """Every column type (the kitchen's scalars, json, bytes, enums; an array of a mapped
    enum), a missing row, a key that is no key: the same status, headers in the same order
    and body bytes directly as through FastAPI's routing, which the direct answers skip."""
    from fastbackend_fastapi import create_app
    from tests.adapters.fastapi.conftest import KITCHEN
    from tests.adapters.fastapi.test_enum_lists import _compiled
    from tests.adapters.fastapi.test_types import FULL

    with TestClient(start_app(KITCHEN, sqlite_or_postgres_url, custom_path=None)) as kitchen:
        full = created(kitchen, "/samples", FULL)
        bare = created(kitchen, "/samples", {"label": "bare"})
        paths = [f"/samples/{full['id']}", f"/samples/{bare['id']}",
                 "/samples/00000000-0000-7000-8000-000000000000", "/samples/not-a-key"]
        direct_answers, direct_count, ordinary, ordinary_count = _direct_and_ordinary(
            kitchen, paths)
    assert direct_answers == ordinary
    assert [status for status, _, _ in ordinary] == [200, 200, 404, 404]
    assert (direct_count, ordinary_count) == ([0], [4])
    with TestClient(create_app(_compiled(tmp_path / "app"), database_url=sqlite_or_postgres_url,
                               custom_path=None)) as users:
        user = created(users, "/users", {"name": "ann", "roles": ["ADMIN", "MEMBER"]})
        direct_answers, direct_count, ordinary, _ = _direct_and_ordinary(
            users, [f"/users/{user['id']}"])
    assert direct_answers == ordinary and direct_count == [0]
    assert b'"roles":["ADMIN","MEMBER"]' in ordinary[0][2]


def test_a_read_that_asks_more_goes_the_ordinary_way(tmp_path: Path) -> None:
    """A query string (include=) and If-None-Match are the route's to answer (304 there)."""
    url = f"sqlite+pysqlite:///{tmp_path / 'app.db'}"
    with TestClient(start_app(BLOG, url, custom_path=None)) as blog:
        user = created(blog, "/users", {"email": "more@x.io"})
        post = created(blog, "/posts", {"title": "t", "body": "b", "author_id": user["id"]})
        path = f"/posts/{post['id']}"
        etag = blog.get(path).headers["etag"]
        with routed(blog) as count:
            included = _answers(blog, [f"{path}?include=author"])
            unchanged = _answers(blog, [path], if_none_match=etag)
            plain = _answers(blog, [path])
    assert (included[0][0], unchanged[0][0], plain[0][0], count) == (200, 304, 200, [2])
    assert b'"author":{' in included[0][2]


def test_a_direct_answer_raising_is_answered_by_the_apps_handlers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception that is not a problem (a bug) is the same 500 problem either way."""
    url = f"sqlite+pysqlite:///{tmp_path / 'app.db'}"
    with TestClient(start_app(BLOG, url, custom_path=None),
                    raise_server_exceptions=False) as blog:
        user = created(blog, "/users", {"email": "bug@x.io"})
        representation = blog.app.state.runtime.entity("User").representation  # type: ignore[attr-defined]

        def broken(row: Any) -> Any:
            raise RuntimeError("a bug")

        monkeypatch.setattr(type(representation), "body_and_etag",
                            lambda self, row: broken(row))
        direct_answers, direct_count, ordinary, ordinary_count = _direct_and_ordinary(
            blog, [f"/users/{user['id']}"])
    assert direct_answers == ordinary and (direct_count, ordinary_count) == ([0], [1])
    assert direct_answers[0][0] == 500

"""Failures of the database itself, from real errors on SQLite and PostgreSQL (no mocks): a
statement past the statement timeout, a schema older than the IR, a write lock held elsewhere."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from starlette.testclient import TestClient

from fastbackend_fastapi import Settings, create_app, database
from fastbackend_fastapi.database import dialects, errors
from fastbackend_fastapi.problems import Problem
from fastbackend_fastapi.runtime import Database
from fastbackend_fastapi.settings import from_environment
from tests.adapters.fastapi.conftest import BLOG, problem

TIMEOUT_MS = 300
# Far longer than the timeout (SQLite has no sleep: a long recursion, ~10 s here) and than HANG,
# so only a timeout that fires ends it in time; finite, so a broken one fails instead of hanging.
RUNAWAY = {
    "sqlite": "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
              "WHERE i < 200000000) SELECT count(*) FROM r",
    "postgresql": "SELECT pg_sleep(600)",
    "mysql": "SELECT SLEEP(600)", "mariadb": "SELECT SLEEP(600)",
}
HANG = 30.0  # seconds: an upper bound that only a hang (or a runaway statement) exceeds


@pytest.fixture
def timed_app(database_url: str) -> Iterator[tuple[TestClient, Database]]:
    settings = Settings(statement_timeout_ms=TIMEOUT_MS, pool_size=1, max_overflow=0)
    app = create_app(BLOG, database_url=database_url, custom_path=None, settings=settings)
    with TestClient(app) as client:
        yield client, app.state.runtime.database


def _start_while_another_instance_creates(url: str, hold: Callable[[sa.Connection], None],
                                          waiting: Callable[[sa.Connection], bool],
                                          release: Callable[[sa.Connection], None]) -> None:
    """An app starts while another connection holds the tables' creation lock past the
    statement timeout, then lets go: the start waits (``waiting`` observes it) and serves."""
    holder = sa.create_engine(url)
    outcome: dict[str, object] = {}

    def start() -> None:
        settings = Settings(statement_timeout_ms=TIMEOUT_MS, pool_size=1, max_overflow=0)
        app = create_app(BLOG, database_url=url, custom_path=None, settings=settings)
        try:
            with TestClient(app) as client:
                outcome["status"] = client.get("/posts").status_code
        except BaseException as error:  # the test's answer, reported below
            outcome["error"] = repr(error)

    try:
        with holder.connect() as other_instance, ThreadPoolExecutor(1) as pool:
            hold(other_instance)
            starting = pool.submit(start)
            deadline = time.monotonic() + HANG
            while not waiting(other_instance) and not starting.done():
                assert time.monotonic() < deadline, "the start never waited on the lock"
            time.sleep(3 * TIMEOUT_MS / 1000)  # a lower bound: held past the timeout
            release(other_instance)
            starting.result(timeout=HANG)
    finally:
        holder.dispose()
    assert outcome == {"status": 200}, outcome


@pytest.mark.postgres
def test_creating_the_tables_waits_for_another_instance_past_the_statement_timeout(
        postgres_url: str) -> None:
    """Two instances starting at once: the second waits on the first's creation lock. The
    statement timeout bounds requests, not that wait (it failed the start after 300 ms)."""
    from fastbackend_fastapi.database.dialects.postgresql import CREATE_LOCK_KEY

    def hold(connection: sa.Connection) -> None:
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": CREATE_LOCK_KEY})

    def release(connection: sa.Connection) -> None:
        connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": CREATE_LOCK_KEY})
        connection.commit()

    _start_while_another_instance_creates(postgres_url, hold, _waits_on_advisory_lock, release)


def _waits_on_advisory_lock(connection: sa.Connection) -> bool:
    connection.commit()  # a new snapshot for pg_stat_activity
    return bool(connection.scalar(sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory' "
        "AND datname = current_database()")))


@pytest.mark.mariadb
def test_on_mariadb_creating_the_tables_waits_for_another_instance_past_the_timeout(
        mariadb_url: str) -> None:
    """As on PostgreSQL, with MySQL's named lock: its name holds the database's (named locks
    are the whole server's, so instances of other databases do not wait on each other)."""
    from fastbackend_fastapi.database.dialects.mysql import CREATE_LOCK, LOCK_NAME

    def hold(connection: sa.Connection) -> None:
        connection.execute(sa.text(f"SELECT GET_LOCK({LOCK_NAME}, 0)"), {"prefix": CREATE_LOCK})

    def release(connection: sa.Connection) -> None:
        connection.execute(sa.text(f"DO RELEASE_LOCK({LOCK_NAME})"), {"prefix": CREATE_LOCK})

    _start_while_another_instance_creates(mariadb_url, hold, _waits_on_named_lock, release)


def _waits_on_named_lock(connection: sa.Connection) -> bool:
    return bool(connection.scalar(sa.text(
        "SELECT count(*) FROM information_schema.processlist WHERE db = DATABASE() "
        "AND info LIKE 'SELECT GET_LOCK%' AND id <> CONNECTION_ID()")))


def _run(database: Database, work: Callable[[sa.Connection], Any], write: bool = False) -> Any:
    call = database.write if write else database.read
    return asyncio.run(call(work))


@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
def test_a_statement_past_the_timeout_is_a_503_and_the_connection_serves_again(
        timed_app: tuple[TestClient, Database], write: bool) -> None:
    client, database = timed_app
    runaway = RUNAWAY[database.engine.dialect.name]
    began = time.monotonic()
    with pytest.raises(Problem) as raised:
        _run(database, lambda c: c.exec_driver_sql(runaway).all(), write)
    elapsed = time.monotonic() - began
    assert (raised.value.status, raised.value.type) == (503, "database-timeout")
    assert raised.value.headers == {"Retry-After": "5"}
    assert TIMEOUT_MS / 1000 * 0.9 < elapsed < HANG, elapsed
    # The pool has one connection: the same one answers the next statements at once.
    assert _run(database, lambda c: c.exec_driver_sql("SELECT 1").scalar_one()) == 1
    assert client.post("/users", json={"email": "after@x.io"}).status_code == 201


def test_statements_within_the_timeout_are_not_touched(
        timed_app: tuple[TestClient, Database]) -> None:
    client, _ = timed_app
    for n in range(20):  # the deadline is per statement, not per connection
        assert client.post("/users", json={"email": f"u{n}@x.io"}).status_code == 201
    time.sleep(TIMEOUT_MS / 1000 * 1.5)  # longer than the timeout since the last statement
    assert client.get("/users").json()["meta"]["total"] == 20


def test_a_timed_out_write_left_nothing(timed_app: tuple[TestClient, Database]) -> None:
    client, database = timed_app
    runaway = RUNAWAY[database.engine.dialect.name]

    def insert_then_hang(connection: sa.Connection) -> None:
        connection.exec_driver_sql("INSERT INTO users (email) VALUES ('ghost@x.io')")
        connection.exec_driver_sql(runaway).all()

    with pytest.raises(Problem) as raised:
        _run(database, insert_then_hang, write=True)
    assert raised.value.type == "database-timeout"
    assert client.get("/users", params={"email": "ghost@x.io"}).json()["data"] == []


def _drop(database_url: str, statement: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.mark.parametrize(("statement", "path"), [
    ("ALTER TABLE users DROP COLUMN name", "/users"),
    ("DROP TABLE post_tags", "/tags/1/posts"),
], ids=["no-such-column", "no-such-table"])
def test_a_schema_older_than_the_ir_is_a_503_naming_the_migration(
        blog: TestClient, database_url: str, statement: str, path: str) -> None:
    created = blog.post("/tags", json={"name": "t"})
    assert created.status_code == 201
    _drop(database_url, statement)
    response = blog.get(path)
    body = problem(response)
    assert response.status_code == 503, body
    assert body["type"] == "https://fastbackend.dev/problems/schema-out-of-date"
    assert "fastbackend migrate --apply" in str(body["detail"])
    assert response.headers["retry-after"] == "30"  # not before someone migrates
    assert blog.get("/posts").status_code == 200  # the rest of the API still serves


def test_a_write_lock_held_past_the_busy_timeout_is_a_503_then_writes_resume(
        tmp_path: Path) -> None:
    """SQLite: another connection holds the write lock longer than busy_timeout."""
    path = tmp_path / "app.db"
    settings = Settings(sqlite_busy_timeout_ms=100)
    app = create_app(BLOG, database_url=f"sqlite:///{path}", custom_path=None, settings=settings)
    with TestClient(app) as client:
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            began = time.monotonic()
            response = client.post("/tags", json={"name": "locked-out"})
            elapsed = time.monotonic() - began
            body = problem(response)
            assert response.status_code == 503, body
            assert body["type"] == "https://fastbackend.dev/problems/database-busy"
            assert response.headers["retry-after"] == "1"
            assert 0.09 < elapsed < HANG, elapsed  # waited busy_timeout, not forever
            with app.state.runtime.database.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 100
            assert client.get("/tags").status_code == 200  # WAL: readers are not blocked
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert client.post("/tags", json={"name": "after"}).status_code == 201
        names = [tag["name"] for tag in client.get("/tags").json()["data"]]
        assert names == ["after"]


# COMMIT runs a deferred trigger that waits for an advisory lock the test holds: the commit is
# in progress, and stays so until the test has killed its backend (no race with a sleep).
COMMIT_GATE = 7_301
SLOW_COMMIT = f"""
CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN PERFORM pg_advisory_lock({COMMIT_GATE}); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON tags
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();
"""


@pytest.mark.postgres
def test_a_connection_lost_during_commit_is_an_unknown_outcome_never_a_success(
        postgres_url: str) -> None:
    """A deferred trigger makes COMMIT wait on a lock the test holds; the test kills the backend
    while it commits. The client cannot know whether the row was saved: 503
    commit-outcome-unknown, and the write is not retried (a retry would have answered 201)."""
    app = create_app(BLOG, database_url=postgres_url, custom_path=None)
    gate = sa.create_engine(postgres_url)
    with TestClient(app) as client, gate.connect() as holder:
        _drop(postgres_url, SLOW_COMMIT)
        holder.exec_driver_sql(f"SELECT pg_advisory_lock({COMMIT_GATE})")
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(client.post, "/tags", json={"name": "maybe"})
            try:
                killed = _terminate_when_committing(postgres_url, answer)
                response = answer.result(timeout=HANG)
            finally:  # else a failure here waits forever for the request the gate holds
                holder.exec_driver_sql(f"SELECT pg_advisory_unlock({COMMIT_GATE})")
        body = problem(response)
        assert killed, f"no backend was seen committing; the request answered {body}"
        assert response.status_code == 503, body
        assert body["type"] == "https://fastbackend.dev/problems/commit-outcome-unknown"
        assert response.headers["retry-after"] == "1"
        assert client.get("/tags").status_code == 200  # the pool serves again
    gate.dispose()


def _terminate_when_committing(database_url: str, answer: Future[Any]) -> bool:
    """Terminate the backend whose COMMIT waits on the gate; False if the request ended first."""
    # Autocommit: inside one transaction pg_stat_activity is the snapshot of its first read, so
    # a first look before the COMMIT began would never have seen it (a hang in make test-fast).
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + HANG
    try:
        with engine.connect() as admin:
            while not answer.done():
                assert time.monotonic() < deadline, f"no backend was seen committing in {HANG} s"
                pid = admin.exec_driver_sql(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND query = 'COMMIT' AND wait_event_type = 'Lock'").scalar()
                if pid is not None:
                    return bool(admin.exec_driver_sql(
                        f"SELECT pg_terminate_backend({int(pid)})").scalar())
                time.sleep(0.05)  # polling for the backend to reach its COMMIT
            return False
    finally:
        engine.dispose()


def test_a_database_host_that_never_answers_fails_within_the_connect_timeout() -> None:
    """A listener that never accepts: TCP connects (the kernel's backlog), then nothing comes
    back, as from a host behind a dead network. libpq gives up after connect_timeout."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/postgres"
    engine = database.create_engine(url, Settings(connect_timeout=2))
    pool = ThreadPoolExecutor(1)
    try:
        began = time.monotonic()
        attempt = pool.submit(lambda: engine.connect().close())
        error = attempt.exception(timeout=HANG)
        elapsed = time.monotonic() - began
    finally:
        # Bounded even if the timeout broke: closing the listener resets the connection.
        silent.close()
        pool.shutdown(wait=True)
        engine.dispose()
    assert isinstance(error, sa_exc.OperationalError), error
    assert 1.5 < elapsed < HANG, elapsed  # libpq gave up: it would otherwise wait forever
    unavailable = errors.failure_problem(error)
    assert unavailable is not None and unavailable.type == "database-unavailable"


def test_the_timeouts_are_read_from_the_environment() -> None:
    settings = from_environment({
        "FASTBACKEND_CONNECT_TIMEOUT": "3", "FASTBACKEND_STATEMENT_TIMEOUT_MS": "0",
        "FASTBACKEND_POOL_TIMEOUT": "0.5", "FASTBACKEND_SQLITE_BUSY_TIMEOUT_MS": "250"})
    assert (settings.connect_timeout, settings.statement_timeout_ms) == (3, 0)
    assert (settings.pool_timeout, settings.sqlite_busy_timeout_ms) == (0.5, 250)
    defaults = from_environment({})
    assert (defaults.connect_timeout, defaults.statement_timeout_ms) == (5, 15000)
    assert defaults.pool_timeout == 10.0
    with pytest.raises(ValueError, match="FASTBACKEND_POOL_TIMEOUT"):
        from_environment({"FASTBACKEND_POOL_TIMEOUT": "soon"})


@pytest.mark.postgres
def test_the_statement_timeout_joins_the_options_given_in_the_url(postgres_url: str) -> None:
    url = f"{postgres_url}?options=-c%20search_path%3Dpublic"
    engine = database.create_engine(url, Settings(statement_timeout_ms=1234))
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "1234ms"
            assert connection.exec_driver_sql("SHOW search_path").scalar() == "public"
            assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
    finally:
        engine.dispose()
    off = dialects.for_url(postgres_url).connect_args(
        postgres_url, Settings(statement_timeout_ms=0, postgres_jit=True))
    assert off == {"connect_timeout": 5}


@pytest.mark.postgres
def test_jit_is_off_unless_asked_for(postgres_url: str) -> None:
    for environment, expected in (({}, {"off"}), ({"FASTBACKEND_POSTGRES_JIT": "1"}, {"on"})):
        engine = database.create_engine(postgres_url, from_environment(environment))
        try:
            with engine.connect() as connection:
                # PostgreSQL 15's own default is on; "1" leaves it to the server.
                assert {connection.exec_driver_sql("SHOW jit").scalar()} == expected
        finally:
            engine.dispose()
    with pytest.raises(ValueError, match="FASTBACKEND_POSTGRES_JIT"):
        from_environment({"FASTBACKEND_POSTGRES_JIT": "maybe"})

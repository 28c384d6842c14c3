"""The realtime feed's resume when transactions commit out of id order (docs/events.md
"Realtime", "Ids follow commits"), on PostgreSQL and MariaDB (SQLite has one writer).

An outbox id is taken at insert, before commit: a write A that took a lower id and commits
after a write B with a higher one would be skipped by a client that resumes from B's id. The
scenario is driven by a lock the test holds, no sleeps: a trigger (the test's own, on the
outbox table) makes A's transaction wait after its feed row is inserted (PostgreSQL: on an
advisory lock; MariaDB, whose triggers cannot wait on GET_LOCK's session locks in a way the
test controls: on a row of the test's table that the test holds FOR UPDATE); B is then
written; a client reads the feed (what was committed then) and disconnects; the lock is
released; the client resumes with the last id it saw and must have had each of A and B exactly
once, in id order.

One server and database per database for the module."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from tests import local_http
from tests.adapters.fastapi.tenancy import CONFIG as TENANCY
from tests.adapters.fastapi.tenancy import write_project
from tests.events.test_realtime import ALICE, DEADLINE, REALTIME, Server, Stream, _serve, _until
from tests.services import temporary_mariadb_database, temporary_postgres_database

HOLD = 4242  # PostgreSQL: the test's advisory lock A's transaction waits on after its feed row
HOLD_TRIGGER = f"""
CREATE FUNCTION fb_test_hold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_advisory_xact_lock_shared({HOLD}); RETURN NEW; END $$;
CREATE TRIGGER fb_test_hold AFTER INSERT ON fastbackend_events FOR EACH ROW
  WHEN (NEW.destination = '$realtime' AND NEW.payload LIKE '%hold me%')
  EXECUTE FUNCTION fb_test_hold();
"""
# MariaDB: A's trigger updates the row the test holds FOR UPDATE, and waits for it
HOLD_TABLE = ("CREATE TABLE IF NOT EXISTS fb_test_hold (id INT PRIMARY KEY, n INT NOT NULL) "
              "ENGINE=InnoDB", "INSERT IGNORE INTO fb_test_hold VALUES (1, 0)")
HOLD_TRIGGER_MARIADB = """
CREATE TRIGGER IF NOT EXISTS fb_test_hold AFTER INSERT ON fastbackend_events FOR EACH ROW
BEGIN
  IF NEW.destination = '$realtime' AND NEW.payload LIKE '%hold me%' THEN
    UPDATE fb_test_hold SET n = n + 1 WHERE id = 1;
  END IF;
END
"""
# MariaDB: A's trigger, and a stream's settled read (FOR UPDATE on the gate, which waits while A
# holds it shared). Read from the process list: INNODB_TRX does not list a FOR UPDATE on a key
# that waits while the optimizer reads the row (its state is `Statistics`).
MARIADB_WAITERS = """
SELECT count(*) FROM information_schema.PROCESSLIST
WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND COMMAND <> 'Sleep'
  AND (INFO LIKE 'UPDATE fb_test_hold%' OR INFO LIKE '%fastbackend_feed_gate%FOR UPDATE%')
"""


@pytest.fixture(scope="module", params=[pytest.param("postgres", marks=pytest.mark.postgres),
                                        pytest.param("mariadb", marks=pytest.mark.mariadb)])
def served(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    database = (temporary_postgres_database() if request.param == "postgres"
                else temporary_mariadb_database())
    with pytest.MonkeyPatch.context() as patch, database as url:
        patch.setenv("FASTBACKEND_EVENTS_WORKER", "0")
        from fastbackend_fastapi import create_app

        ir_path = write_project(tmp_path_factory.mktemp("resume") / "project",
                                TENANCY + REALTIME)
        server = _serve(create_app(ir_path, database_url=url, custom_path=None))
        hold_trigger(url)
        yield server, url
        server.stop()


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _postgres(url: str) -> bool:
    return url.startswith("postgres")


@contextlib.contextmanager
def _mariadb(url: str, autocommit: bool = True) -> Iterator[Any]:
    import pymysql

    parts = sa.make_url(url)
    connection = pymysql.connect(host=parts.host or "127.0.0.1", port=parts.port or 3306,
                                 user=parts.username or "root", password=parts.password or "",
                                 database=parts.database, autocommit=autocommit)
    try:
        yield connection
    finally:
        connection.close()


def hold_trigger(url: str) -> None:
    """The test's trigger on the outbox of the database at ``url`` (created once)."""
    if not _postgres(url):
        with _mariadb(url) as connection, connection.cursor() as cursor:
            for statement in (*HOLD_TABLE, HOLD_TRIGGER_MARIADB):
                cursor.execute(statement)
        return
    with psycopg.connect(_plain(url), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_proc WHERE proname = 'fb_test_hold'").fetchone():
            connection.execute(HOLD_TRIGGER)


@contextlib.contextmanager
def _holding(url: str) -> Iterator[None]:
    """The lock A's trigger waits on, held until the block ends."""
    if _postgres(url):
        with psycopg.connect(_plain(url), autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", (HOLD,))
            yield
            holder.execute("SELECT pg_advisory_unlock(%s)", (HOLD,))
        return
    with _mariadb(url, autocommit=False) as holder, holder.cursor() as cursor:
        cursor.execute("SELECT n FROM fb_test_hold WHERE id = 1 FOR UPDATE")
        yield
        holder.rollback()


def _drain(stream: Stream) -> list[dict[str, Any]]:
    events = []
    while not stream.events.empty():
        events.append(stream.events.get_nowait())
    return events


def _replay(changes: str, headers: dict[str, str], last: str) -> list[dict[str, Any]]:
    """The events a client gets on (re)connecting with Last-Event-ID ``last``, up to the
    stream's `: open` (the replay of what is settled); it then disconnects."""
    stream = Stream(changes, {**headers, "Last-Event-ID": last})
    threading.Thread(target=stream.run, daemon=True).start()
    assert stream.opened.wait(DEADLINE), "the stream did not open"
    stream.closing = True
    return _drain(stream)


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Event, list[Any]]:
    done, result = threading.Event(), []

    def run() -> None:
        try:
            result.append(call())
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    return done, result


def _lock_waiters(url: str) -> int:
    """The database's sessions waiting for a lock: A, then B or a stream's settled id (on
    MariaDB, a stream's: B's shared lock on the gate does not wait for A's)."""
    if not _postgres(url):
        with _mariadb(url) as connection, connection.cursor() as cursor:
            cursor.execute(MARIADB_WAITERS)
            row = cursor.fetchone()
        return int(row[0]) if row else 0
    with psycopg.connect(_plain(url), autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND wait_event = 'advisory'").fetchone()
    return int(row[0]) if row else 0


def check_resume(url: str, changes: str, headers: dict[str, str],
                 post: Callable[[str], Any]) -> None:
    """The scenario on a server whose feed is ``changes`` (its database at ``url``, with
    hold_trigger); ``post(name)`` writes a row whose payload holds ``name`` and returns it."""
    start = post("before")  # a position to resume from
    position = next(e["id"] for e in _replay(changes, headers, "0")
                    if e["data"]["data"] == start)
    live = Stream(changes, {**headers, "Last-Event-ID": position})
    threading.Thread(target=live.run, daemon=True).start()
    assert live.opened.wait(DEADLINE), "the stream did not open"
    with _holding(url):
        a_done, a = _in_thread(lambda: post("hold me"))
        _until(lambda: _lock_waiters(url) >= 1, "A to wait inside its transaction")
        b_done, b = _in_thread(lambda: post("B"))
        # B commits and the stream sends it, or something waits for A: B or the stream
        _until(lambda: not live.events.empty() or _lock_waiters(url) >= 2,
               "B to reach the stream or to wait for A")
        live.closing = True  # the client drops, having seen what it has seen
        seen = _drain(live)
    assert a_done.wait(DEADLINE) and b_done.wait(DEADLINE)
    resumed = _replay(changes, headers, seen[-1]["id"] if seen else position)
    got = [event["data"]["data"] for event in seen + resumed]
    assert got == [a[0], b[0]]  # each once, in id order: A's lower id is not skipped
    ids = [int(event["id"]) for event in seen + resumed]
    assert ids == sorted(ids)


def test_a_lower_id_committed_last_is_resumed_not_skipped(served: tuple[Server, str]) -> None:
    server, url = served

    def post(name: str) -> Any:
        response = local_http.post(server.base + "/projects", json={"name": name}, headers=ALICE,
                              timeout=DEADLINE * 3)
        assert response.status_code == 201, response.text
        return response.json()

    check_resume(url, server.base + "/projects/changes", ALICE, post)

"""The realtime feed's resume on PostgreSQL when transactions commit out of id order
(docs/events.md "Realtime", "Ids follow commits").

An outbox id is taken from the sequence at insert, before commit: a write A that took a lower
id and commits after a write B with a higher one would be skipped by a client that resumes
from B's id. The scenario is driven by an advisory lock the test holds, no sleeps: a trigger
(the test's own, on the outbox table) makes A's transaction wait after its feed row is
inserted; B is then written; a client reads the feed (what was committed then) and
disconnects; the lock is released; the client resumes with the last id it saw and must have
had each of A and B exactly once, in id order.

One server and database for the module (PostgreSQL only: SQLite has one writer)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest

from tests.adapters.fastapi.tenancy import CONFIG as TENANCY
from tests.adapters.fastapi.tenancy import write_project
from tests.events.test_realtime import ALICE, DEADLINE, REALTIME, Server, Stream, _serve, _until
from tests.services import temporary_postgres_database

pytestmark = pytest.mark.postgres
HOLD = 4242  # the test's advisory lock: A's transaction waits on it after its feed row
HOLD_TRIGGER = f"""
CREATE FUNCTION fb_test_hold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_advisory_xact_lock_shared({HOLD}); RETURN NEW; END $$;
CREATE TRIGGER fb_test_hold AFTER INSERT ON fastbackend_events FOR EACH ROW
  WHEN (NEW.destination = '$realtime' AND NEW.payload LIKE '%hold me%')
  EXECUTE FUNCTION fb_test_hold();
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    with pytest.MonkeyPatch.context() as patch, temporary_postgres_database() as url:
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


def hold_trigger(url: str) -> None:
    """The test's trigger on the outbox of the database at ``url`` (created once)."""
    with psycopg.connect(_plain(url), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_proc WHERE proname = 'fb_test_hold'").fetchone():
            connection.execute(HOLD_TRIGGER)


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


def _advisory_waiters(url: str) -> int:
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
    with psycopg.connect(_plain(url), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (HOLD,))
        a_done, a = _in_thread(lambda: post("hold me"))
        _until(lambda: _advisory_waiters(url) >= 1, "A to wait inside its transaction")
        b_done, b = _in_thread(lambda: post("B"))
        # B commits and the stream sends it, or something waits for A: B or the stream
        _until(lambda: not live.events.empty() or _advisory_waiters(url) >= 2,
               "B to reach the stream or to wait for A")
        live.closing = True  # the client drops, having seen what it has seen
        seen = _drain(live)
        holder.execute("SELECT pg_advisory_unlock(%s)", (HOLD,))
    assert a_done.wait(DEADLINE) and b_done.wait(DEADLINE)
    resumed = _replay(changes, headers, seen[-1]["id"] if seen else position)
    got = [event["data"]["data"] for event in seen + resumed]
    assert got == [a[0], b[0]]  # each once, in id order: A's lower id is not skipped
    ids = [int(event["id"]) for event in seen + resumed]
    assert ids == sorted(ids)


def test_a_lower_id_committed_last_is_resumed_not_skipped(served: tuple[Server, str]) -> None:
    server, url = served

    def post(name: str) -> Any:
        response = httpx.post(server.base + "/projects", json={"name": name}, headers=ALICE,
                              timeout=DEADLINE * 3)
        assert response.status_code == 201, response.text
        return response.json()

    check_resume(url, server.base + "/projects/changes", ALICE, post)

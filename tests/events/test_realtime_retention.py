"""The realtime feed's retention (docs/events.md "Retention") on every database: the server
prunes feed rows beyond `retention_rows` (here 2, pruning every 0.05 s), and a client resuming
from before the rows kept gets a `reset` event, never a silent gap. One server per database
for the module."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from fastbackend_fastapi import create_app
from fastbackend_fastapi.events import retention
from fastbackend_fastapi.events.images import FEED_ID
from fastbackend_fastapi.events.outbox import REALTIME, outbox_table
from fastbackend_fastapi.events.realtime import Hub
from fastbackend_ir import load
from tests import local_http
from tests.events.conftest import compile_project, wait_for
from tests.events.test_realtime import DEADLINE, Server, Stream, _serve
from tests.events.test_realtime_resume import _plain, _replay

CONFIG = """
events:
  realtime: {models: [Note], heartbeat_seconds: 0.5, retention_rows: 2}
"""


@pytest.fixture(scope="module")
def served(module_database_url: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, Path]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FASTBACKEND_EVENTS_WORKER", "0")
        patch.setenv(retention.PRUNE_VARIABLE, "0.05")
        ir_path = compile_project(tmp_path_factory.mktemp("retention") / "project", CONFIG)
        server = _serve(create_app(ir_path, database_url=module_database_url,
                                   custom_path=None))
        yield server, module_database_url, ir_path
        server.stop()


def _feed_rows(url: str) -> list[int]:
    engine = sa.create_engine(url)
    try:
        table = outbox_table(sa.MetaData())
        with engine.connect() as connection:
            return list(connection.execute(sa.select(table.c.id).where(
                table.c.destination == REALTIME).order_by(table.c.id)).scalars())
    finally:
        engine.dispose()


def _images(url: str) -> list[int]:
    """The feed ids of the notes' row images (events/images.py): pruned with their rows."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(
                f"SELECT {FEED_ID} FROM fastbackend_image_notes ORDER BY {FEED_ID}")).scalars())
    finally:
        engine.dispose()


def _post(server: Server, slug: str) -> Any:
    response = local_http.post(server.base + "/notes", json={"slug": slug, "title": slug},
                          timeout=DEADLINE)
    assert response.status_code == 201, response.text
    return response.json()


def test_rows_past_retention_go_and_a_stale_resume_is_told_to_reload(
        served: tuple[Server, str, Path]) -> None:
    server, url, _ = served
    changes = server.base + "/notes/changes"
    live = Stream(changes, {})
    threading.Thread(target=live.run, daemon=True).start()
    assert live.opened.wait(DEADLINE)
    notes = [_post(server, f"n{i}") for i in range(4)]
    ids = [live.next()["id"] for _ in notes]  # the live stream is ahead of the prune
    kept = wait_for(lambda: (rows := _feed_rows(url)) and len(rows) == 2 and rows,
                    what="the server to keep 2 feed rows")
    assert kept == [int(i) for i in ids[2:]]
    assert wait_for(lambda: _images(url) == kept, what="the images to go with their rows")
    stale = _replay(changes, {}, ids[0])  # the second event is gone: reload
    assert [(e["event"], e["data"]["reason"]) for e in stale] == [("reset", "expired")]
    assert int(stale[0]["id"]) >= int(ids[-1])  # where to go on from after the reload
    assert _replay(changes, {}, stale[0]["id"]) == []  # from there: nothing lost, no reset
    fresh = _replay(changes, {}, ids[1])  # the last event pruned was seen: no gap
    assert [e["data"]["data"] for e in fresh] == notes[2:]
    _post(server, "after")
    assert live.next()["data"]["key"] == ["after"]  # a live stream goes on
    live.closing = True


def test_age_prunes_too(served: tuple[Server, str, Path]) -> None:
    """The age bound (a day by default), through the pruning function with a later clock."""
    server, url, ir_path = served
    _post(server, "old")
    events = load(ir_path).events
    assert events is not None
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            later = time.time() + events.retention_seconds + 1
            assert retention.prune(connection, outbox_table(sa.MetaData()), events, later) >= 1
    finally:
        engine.dispose()
    assert _feed_rows(url) == []


def _others(url: str, condition: str = "true") -> int:
    """The connections to the database at ``url`` but this one that meet ``condition``."""
    with psycopg.connect(_plain(url), autocommit=True) as connection:
        row = connection.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                 f"current_database() AND pid <> pg_backend_pid() AND {condition}"
                                 ).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.postgres
def test_a_prune_under_way_ends_before_the_engine_is_disposed(postgres_url: str,
                                                              tmp_path: Path) -> None:
    """Shutting down cancels the pruning task but cannot stop its thread: the hub waits for the
    prune under way, so its connection is back in the pool when the server disposes of it (a
    connection returned to a disposed pool stays open until the garbage collector finds it)."""
    events = load(compile_project(tmp_path / "project", CONFIG)).events
    engine = sa.create_engine(postgres_url)
    table = outbox_table(sa.MetaData())
    table.create(engine)
    hub = Hub(engine, table, events)
    disposed = engine.pool  # held, so what comes back to it after dispose is not collected
    with psycopg.connect(_plain(postgres_url)) as holder:
        holder.execute(f"LOCK TABLE {table.name} IN ACCESS EXCLUSIVE MODE")

        async def shut_down() -> None:
            await hub.start()
            await asyncio.to_thread(wait_for, lambda: _others(postgres_url,
                                                              "wait_event_type = 'Lock'"),
                                    what="the first prune to wait for the lock")
            closing = asyncio.ensure_future(hub.close())
            # close must not return while the prune waits; if it does (the defect), dispose
            # at once, as the server does, and let the prune finish after it.
            await asyncio.wait({closing}, timeout=1)
            if not closing.done():
                holder.commit()
                await closing
            engine.dispose()
            holder.commit()

        asyncio.run(shut_down())
    # Every connection closed: the engine's with it, the holder's, the hub's LISTEN. A prune
    # that ends after the engine was disposed leaves its connection idle here.
    wait_for(lambda: _others(postgres_url) == 0, what="no connection left open")
    assert disposed.checkedin() == 0

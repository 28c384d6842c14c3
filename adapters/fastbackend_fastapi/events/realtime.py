"""The realtime feed's source: which outbox rows to look at, and when (docs/events.md).

A write to a realtime entity inserts one outbox row per event for the feed (destination
``$realtime``, outbox.py); its id is the Server-Sent Events id. The hub wakes the open streams:

- **PostgreSQL**: one connection per server LISTENs on ``fastbackend_events``; each write
  NOTIFYs in its own transaction (so on commit only) with the feed rows' ids.
- **SQLite** (and the others): the server's own writes wake the streams after their commit
  (``Database.on_commit``). On MySQL/MariaDB only this server's writes wake it.

A woken stream reads the feed rows after the last id it sent, up to the *settled* id: the
highest below which no feed row can commit any more. Each write inserts its feed rows last,
holding a lock shared (``Dialect.lock_feed``, outbox.py: PostgreSQL's advisory lock, the gate
row of MySQL/MariaDB); the settled id is the latest id read while holding it exclusively, which
waits for the writes in flight (they are committing) and is before any later write's ids. So a
lower id that commits after a higher one is never skipped, and the same position serves
``Last-Event-ID``. SQLite has one writer.

Streams end when the hub closes: at the server's graceful shutdown (graceful.py calls
``close_all`` before uvicorn waits for open connections) and at the app's lifespan end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.events import retention
from fastbackend_fastapi.events.outbox import CHANNEL, REALTIME
from fastbackend_ir import Events

log = logging.getLogger("fastbackend.events")
_OPEN: set[Hub] = set()  # every running hub of this process, for close_all
BATCH = 500  # feed rows read at once
READY_SECONDS = 10.0  # a stream waits this long at most for the LISTEN connection


def close_all() -> None:
    """End every open stream of this process (the server is shutting down)."""
    for hub in list(_OPEN):
        hub.closing.set()


@dataclass(frozen=True)
class FeedRow:
    id: int
    operation: str
    payload: str


class Hub:
    """Fans commits out to the open streams: a wake means "read past your last id"."""

    def __init__(self, engine: Engine, table: sa.Table, events: Events | None = None,
                 images: Mapping[str, sa.Table] | None = None) -> None:
        self.engine, self.table, self.events = engine, table, events
        self.images = dict(images or {})  # each realtime entity's image table (images.py)
        self.listens = dialects.of(engine.dialect).notifies
        self.queues: set[asyncio.Queue[tuple[int, ...] | None]] = set()
        self.closing = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None
        self._pruning: asyncio.Task[None] | None = None
        self._prune_thread: asyncio.Future[int] | None = None  # the prune running now, if any
        # wakes so far, and the settled id with the wake count it was worked out after
        self.generation = 1
        self._settled = (0, 0)
        self._settling = threading.Lock()

    async def start(self) -> None:
        self._loop, self.closing = asyncio.get_running_loop(), asyncio.Event()
        _OPEN.add(self)
        if self.listens:
            self._ready = asyncio.Event()
            self._task = asyncio.create_task(listen(self.engine, self._deliver, self._ready),
                                             name="fastbackend-realtime")
        if self.events is not None:
            self._pruning = asyncio.create_task(self._prune(retention.prune_seconds()),
                                                name="fastbackend-realtime-retention")

    async def close(self) -> None:
        self.closing.set()
        _OPEN.discard(self)
        for task in (self._task, self._pruning):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        # A thread cannot be cancelled: the prune under way ends before the server disposes of
        # its engine, or its connection would come back to a disposed pool and stay open.
        if self._prune_thread is not None:
            with contextlib.suppress(sa.exc.SQLAlchemyError):  # logged by _prune, if it saw it
                await self._prune_thread

    async def _prune(self, every: float) -> None:
        """The feed rows past retention, deleted now and every ``every`` seconds."""
        while True:
            self._prune_thread = asyncio.ensure_future(asyncio.to_thread(self.prune_once))
            try:
                await asyncio.shield(self._prune_thread)
            except sa.exc.SQLAlchemyError as error:
                log.warning("events: pruning the realtime feed failed: %s", error)
            await asyncio.sleep(every)

    def prune_once(self) -> int:
        assert self.events is not None
        with dialects.of(self.engine.dialect).writer(self.engine).begin() as connection:
            return retention.prune(connection, self.table, self.events,
                                   images=self.images.values())

    async def ready(self, timeout: float = READY_SECONDS) -> None:
        """Returns once the hub's LISTEN is in place (at once without one), or after
        ``timeout`` seconds: a stream then opens and replays, and its live events wait for the
        listener's next connection (logged)."""
        if self._ready is None or self._ready.is_set():
            return
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            log.warning("events: the realtime LISTEN is not connected after %g s", timeout)

    def wake(self) -> None:
        """A write committed (any thread): the ``after`` mode's streams read on."""
        loop = self._loop
        if self.listens or loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._deliver, None)

    def _deliver(self, ids: tuple[int, ...] | None) -> None:
        self.generation += 1
        for queue in self.queues:
            queue.put_nowait(ids)

    @contextlib.contextmanager
    def subscription(self) -> Any:
        queue: asyncio.Queue[tuple[int, ...] | None] = asyncio.Queue()
        self.queues.add(queue)
        try:
            yield queue
        finally:
            self.queues.discard(queue)

    # -- reading the feed rows (in a worker thread: synchronous connections) ---------------

    def settled(self, connection: Connection) -> int:
        """The id below which no feed row can commit any more (Dialect.settled_feed_id).

        Worked out once per wake for all the hub's streams: a value worked out after a wake
        holds every row that wake announced, and a settled id stays settled, so the streams
        woken together share it (on PostgreSQL each working-out is an exclusive lock that
        queues writers: one per wake, not one per stream)."""
        generation = self.generation  # before working it out: what it will cover
        with self._settling:
            if self._settled[0] < generation:
                latest = sa.select(sa.func.coalesce(sa.func.max(self.table.c.id), 0))
                value = dialects.of(connection.dialect).settled_feed_id(connection, latest)
                self._settled = (generation, value)
            return self._settled[1]

    def renew(self) -> None:
        """The next ``settled`` works it out again (a stream's heartbeat: a wake lost with the
        LISTEN connection is caught up)."""
        self.generation += 1

    def after(self, connection: Connection, entity: str,
              last: int) -> tuple[list[FeedRow], int, bool]:
        """The entity's feed rows after ``last`` up to the settled id (at most BATCH), the
        position to read on from, and whether rows after ``last`` were pruned (retention.py:
        then none, and the settled id, where the client's reload starts)."""
        settled, t = self.settled(connection), self.table
        statement = (sa.select(t.c.id, t.c.operation, t.c.payload)
                     .where(t.c.destination == REALTIME, t.c.entity == entity, t.c.id > last,
                            t.c.id <= settled)
                     .order_by(t.c.id).limit(BATCH))
        rows = [FeedRow(*row) for row in connection.execute(statement)]
        if last < retention.pruned_through(connection, t):  # read after the rows: see a prune
            return [], max(last, settled), True           # that took rows from this read
        return rows, (rows[-1].id if len(rows) == BATCH else max(last, settled)), False


async def listen(engine: Engine, deliver: Any, ready: asyncio.Event | None = None,
                 retry_seconds: float = 1.0) -> None:
    """LISTEN until cancelled; ``deliver(ids)`` per notification (in commit order). A lost
    connection is reopened; meanwhile missed notifications are not replayed (a stream resumes
    with Last-Event-ID; the delivery worker polls anyway)."""
    import psycopg

    while True:
        try:
            async with await psycopg.AsyncConnection.connect(dialects.of(engine.dialect).listen_url(engine),
                                                             autocommit=True) as connection:
                await connection.execute(f"LISTEN {CHANNEL}")
                if ready is not None:
                    ready.set()
                async for notice in _notices(connection):
                    deliver(tuple(int(part) for part in notice.split(",") if part))
        except psycopg.Error as error:
            log.warning("events: LISTEN %s failed, again in %g s: %s", CHANNEL,
                        retry_seconds, error)
            await asyncio.sleep(retry_seconds)


async def _notices(connection: Any) -> AsyncIterator[str]:
    async for notify in connection.notifies():
        yield notify.payload

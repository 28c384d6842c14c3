"""Delivery: claim due events, send them, record the outcome; at least once, in order per row.

A claim takes the oldest pending event of each (destination, entity, row) whose time has come
and that no earlier pending event of the same row precedes, so a row's events leave in order
and a failing one holds back the row's later events (never other rows'). On PostgreSQL and
MySQL/MariaDB the claim locks its rows (``FOR UPDATE SKIP LOCKED``) until their outcome is
written: several workers (servers, ``fastbackend worker`` processes) share the outbox, each
event delivered by one of them; a worker that dies mid-delivery releases its locks with its
connection and the events are delivered again. SQLite has one writer: run one worker (the
server's or one ``fastbackend worker``), which claims without locks.

Failures are retried after ``backoff_seconds`` doubled per attempt (at most
``max_backoff_seconds``); after ``max_attempts`` the event is ``dead`` (kept, with its last
error, and no longer holding back its row).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.events.destinations import Sender
from fastbackend_fastapi.events.outbox import DEAD, DELIVERED, PENDING
from fastbackend_ir import Events

log = logging.getLogger("fastbackend.events")


@dataclass(frozen=True)
class Outcome:
    id: int
    attempts: int
    error: str | None  # None: delivered


class Worker:
    def __init__(self, engine: Engine, table: sa.Table, events: Events,
                 senders: Mapping[str, Sender], batch: int = 100, idle_seconds: float = 0.2):
        self.engine, self.table, self.events = engine, table, events
        self.senders, self.batch, self.idle_seconds = senders, batch, idle_seconds
        self.locking = dialects.of(engine.dialect).row_locks
        self.claim = self._claim_statement()
        self.delivered = 0  # events this worker delivered (its outcome recorded)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    def _claim_statement(self) -> sa.Select[Any]:
        table, earlier = self.table, self.table.alias("earlier")
        precedes = (sa.select(sa.literal(1))
                    .where(earlier.c.status == PENDING, earlier.c.id < table.c.id,
                           earlier.c.destination == table.c.destination,
                           earlier.c.entity == table.c.entity,
                           earlier.c.row_key == table.c.row_key))
        statement = (sa.select(table.c.id, table.c.event_id, table.c.destination,
                               table.c.payload, table.c.attempts)
                     .where(table.c.status == PENDING,
                            table.c.next_attempt_at <= sa.bindparam("now"),
                            ~precedes.exists())
                     .order_by(table.c.id).limit(self.batch))
        return statement.with_for_update(skip_locked=True) if self.locking else statement

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; a failure of the database is logged and retried.
        Between empty claims it waits ``idle_seconds``, or less when ``notify`` is called (the
        server calls it after each committed write)."""
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        while not stop.is_set():
            self._wake.clear()
            try:
                settled = await self.run_once()
            except sa.exc.SQLAlchemyError as error:
                log.warning("events: the outbox could not be read: %s", error)
                settled = 0
            if settled == 0:
                await _first(stop, self._wake, self.idle_seconds)

    def notify(self) -> None:
        """A write committed: claim now instead of after the idle wait (any thread)."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    async def run_once(self) -> int:
        """One claim: the number of events it settled (delivered, retried or dead)."""
        connection = await asyncio.to_thread(self.engine.connect)
        try:
            rows = await asyncio.to_thread(self._claimed, connection)
            if not rows:
                await asyncio.to_thread(connection.rollback)
                return 0
            outcomes = await asyncio.gather(*(self._deliver(row) for row in rows))
            await asyncio.to_thread(self._settle, connection, outcomes)
            self.delivered += sum(outcome.error is None for outcome in outcomes)
            return len(outcomes)
        finally:
            await asyncio.to_thread(connection.close)

    def _claimed(self, connection: Connection) -> list[Any]:
        connection.begin()
        rows = list(connection.execute(self.claim, {"now": time.time()}))
        if not self.locking:
            connection.commit()  # SQLite: hold no transaction while sending (one worker)
        return rows

    async def _deliver(self, row: Any) -> Outcome:
        attempts = row.attempts + 1
        try:
            await self.senders[row.destination].send(row.event_id, row.payload)
        except Exception as error:  # any failure of a destination is a failed attempt
            message = f"{type(error).__name__}: {error}"[:2000]
            log.warning("events: %s to %s failed (attempt %d): %s", row.event_id,
                        row.destination, attempts, message)
            return Outcome(row.id, attempts, message)
        return Outcome(row.id, attempts, None)

    def _settle(self, connection: Connection, outcomes: list[Outcome]) -> None:
        if not connection.in_transaction():
            connection.begin()
        now, table = time.time(), self.table
        delivered = [o for o in outcomes if o.error is None]
        for attempts in sorted({o.attempts for o in delivered}):  # one UPDATE per attempt count
            ids = [o.id for o in delivered if o.attempts == attempts]
            connection.execute(sa.update(table).where(table.c.id.in_(ids)).values(
                status=DELIVERED, attempts=attempts, delivered_at=now, last_error=None))
        for outcome in outcomes:
            if outcome.error is None:
                continue
            values: dict[str, Any] = {"attempts": outcome.attempts, "last_error": outcome.error}
            if outcome.attempts >= self.events.max_attempts:
                values["status"] = DEAD
            else:
                values["next_attempt_at"] = now + self.delay(outcome.attempts)
            connection.execute(sa.update(table).where(table.c.id == outcome.id).values(values))
        connection.commit()

    def delay(self, attempts: int) -> float:
        """Seconds before the next attempt after ``attempts`` failed ones: exponential."""
        events = self.events
        return float(min(events.max_backoff_seconds,
                         events.backoff_seconds * 2 ** (attempts - 1)))

    async def close(self) -> None:
        for sender in self.senders.values():
            try:
                await sender.close()
            except Exception as error:  # closing a broken connection: nothing left to lose
                log.debug("events: closing a destination failed: %s", error)


async def _first(stop: asyncio.Event, wake: asyncio.Event, timeout: float) -> None:
    """Returns when either event is set, or after ``timeout`` seconds."""
    waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())}
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()

"""The outbox table and the one call every write path makes in its own transaction.

One outbox row per event and destination: delivery, retries and the dead-letter state are per
destination, and a destination's events of one row are delivered in ``id`` order. The row's
``payload`` is the event's JSON, written once here; the worker sends it as it is.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from fastbackend_fastapi.database import dialects, sqltypes
from fastbackend_fastapi.database.dialects.base import FEED_GATE
from fastbackend_fastapi.events.images import image_values
from fastbackend_ir import Entity, Events, Field


class _Store(Protocol):
    def key_of(self, row: Any) -> tuple[Any, ...]: ...
    @property
    def scope_fields(self) -> tuple[str, ...]: ...


class _Representation(Protocol):
    def body(self, row: Any) -> bytes: ...


class EntityRuntime(Protocol):
    """What recording needs of runtime.EntityRuntime (named here: the table module is imported
    by the database package, which may not import the HTTP layer)."""

    @property
    def entity(self) -> Entity: ...
    @property
    def store(self) -> _Store: ...
    @property
    def representation(self) -> _Representation: ...

T = TypeVar("T")
TABLE = "fastbackend_events"
PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
# The realtime feed's rows (events/realtime.py): one per event of a realtime entity, written
# `delivered` (no worker sends them); their id is the SSE event id. A destination name the
# config cannot declare (names are identifiers).
REALTIME = "$realtime"
# The private key of a realtime row's payload holding a deleted row's scope values, written
# before the image tables (IR 1.9, images.py) where the IR has none; never sent.
SCOPE_KEY = "_scope"
# PostgreSQL: NOTIFY on this channel in the write's transaction (sent on commit only), the
# payload the realtime rows' ids, comma-separated (empty: only destinations' events).
CHANNEL = "fastbackend_events"
_PENDING = "fastbackend_feed"  # connection.info: the deferring transaction's _Pending
_MAX_PAYLOAD = 7000  # characters of one NOTIFY payload (PostgreSQL's limit is 8000 bytes)
# a generated bigint key, spelled by each dialect (SQLite autoincrements only INTEGER keys)
_ID = sqltypes.with_variants(sa.BigInteger(), Field(name="id", column="id", type="bigint",
                                                    primary_key=True, autoincrement=True))


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    """Added to the app's metadata when the IR has events: created with the app's tables and
    part of what `fastbackend migrate` compares (docs/migrations.md)."""
    return sa.Table(
        TABLE, metadata,
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("destination", sa.String(100), nullable=False),
        sa.Column("entity", sa.String(100), nullable=False),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("row_key", sa.String(64), nullable=False),  # the key's SHA-256: any length
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, default=PENDING),
        sa.Column("attempts", sa.Integer(), nullable=False, default=0),
        # seconds since the epoch, UTC, as doubles: MySQL's FLOAT (sa.Float) is single precision,
        # 128 s apart at today's epoch, which held events back for up to a minute on MariaDB
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("next_attempt_at", sa.Double(), nullable=False),
        sa.Column("delivered_at", sa.Double(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Index("ix_fastbackend_events_due", "status", "next_attempt_at"),
        sa.Index("ix_fastbackend_events_row", "destination", "entity", "row_key", "id"),
    )


def feed_gate_table(metadata: sa.MetaData) -> sa.Table:
    """Added with the outbox when the IR has a realtime feed: the gate whose one row writers
    lock shared before their feed rows and streams exclusively to know the settled id, where
    the database has no transaction-scoped advisory lock (MySQL/MariaDB: Dialect.lock_feed;
    docs/events.md "Ids follow commits"). Created on every database, so a migration compares
    the same tables wherever it runs; its row is written by the first write that needs it."""
    return sa.Table(FEED_GATE, metadata,
                    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False))


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str, ensure_ascii=False)


@dataclass(frozen=True)
class Outbox:
    """Records events in the caller's transaction: rolled back with it, committed with it."""

    events: Events
    table: sa.Table
    images: Mapping[str, sa.Table] = field(default_factory=dict)  # by entity (images.py)

    def record(self, connection: Connection, runtime: EntityRuntime, operation: str,
               rows: Sequence[Row[Any]], changed: Sequence[str] | None = None,
               link: Mapping[str, Any] | None = None) -> None:
        entity = runtime.entity.name
        destinations = self.events.destinations_of(entity, operation)
        realtime = entity in self.events.realtime
        if not (destinations or realtime) or not rows:
            return
        now = time.time()
        values: list[dict[str, Any]] = []
        feed: list[_Feed] = []
        for row in rows:
            key = list(runtime.store.key_of(row))
            event_id = f"evt_{uuid.uuid4().hex}"
            event: dict[str, Any] = {"id": event_id, "type": f"{entity}.{operation}",
                                     "timestamp": now, "entity": entity,
                                     "operation": operation, "key": key}
            if operation in ("create", "update", "delete") and not isinstance(row, _KeyRow):
                # a delete's: the row as it was (its before image)
                event["data"] = json.loads(runtime.representation.body(row))
            if changed is not None:
                event["changed"] = sorted(changed)
            if link is not None:
                event.update(link)
            payload = _json(event)
            common = {"event_id": event_id, "entity": entity, "operation": operation,
                      "row_key": hashlib.sha256(_json(key).encode()).hexdigest(),
                      "created_at": now, "next_attempt_at": now}
            values.extend({**common, "destination": name, "payload": payload,
                           "status": PENDING, "attempts": 0} for name in destinations)
            if realtime:
                image = self.images.get(entity)
                feed.append(_Feed({**common, "destination": REALTIME, "status": DELIVERED,
                                   "attempts": 0, "delivered_at": now,
                                   "payload": _feed_payload(event, runtime, row, operation,
                                                            image is not None)},
                                  _imaged(image, row, operation)))
        if values:
            connection.execute(sa.insert(self.table), values)
        pending = connection.info.get(_PENDING)
        if isinstance(pending, _Pending):  # inserted just before the commit (deferring)
            pending.feed.extend(feed)
            pending.wake = pending.wake or bool(values)
            return
        self._flush(connection, feed, wake=bool(values))

    def deferring(self, work: Callable[[Connection], T]) -> Callable[[Connection], T]:
        """``work`` (a write's whole transaction, runtime.Database.write) with its realtime
        feed rows inserted at its end, under the dialect's feed lock, just before the commit:
        the lock is held only from there to the commit, and taken after every row lock the
        write needs, so it adds no deadlock."""
        def run(connection: Connection) -> T:
            self.defer(connection)
            try:
                result = work(connection)
                self.flush_deferred(connection)
                return result
            finally:
                self.drop_deferred(connection)
        return run

    def defer(self, connection: Connection) -> None:
        """From here on, the feed rows ``connection`` records wait for flush_deferred."""
        connection.info[_PENDING] = _Pending()

    def flush_deferred(self, connection: Connection) -> None:
        pending = connection.info.pop(_PENDING, None)
        if pending is not None:
            self._flush(connection, pending.feed, pending.wake)

    @staticmethod
    def drop_deferred(connection: Connection) -> None:
        connection.info.pop(_PENDING, None)

    def _flush(self, connection: Connection, feed: list[_Feed], wake: bool) -> None:
        """The realtime rows, after the feed lock (ids follow commits: docs/events.md), one
        statement each (in order, so ids follow the events' order), each with its row's
        image (images.py); then the NOTIFY."""
        dialect = dialects.of(connection.dialect)
        ids = []
        if feed:
            dialect.lock_feed(connection)
            for item in feed:
                result = connection.execute(sa.insert(self.table).values(item.values))
                ids.append(int((result.inserted_primary_key or (0,))[0]))
                if item.image is not None:
                    table, row = item.image
                    connection.execute(sa.insert(table).values(image_values(table, ids[-1],
                                                                            row)))
        if dialect.notifies and (ids or wake):
            _notify(connection, ids)

    def record_keys(self, connection: Connection, runtime: EntityRuntime, operation: str,
                    keys: Sequence[Sequence[Any]], link: Mapping[str, Any] | None = None) -> None:
        """Events of rows known by their key only (a delete without RETURNING, a link)."""
        rows = [_KeyRow(runtime.entity.api.key, tuple(key)) for key in keys]
        self.record(connection, runtime, operation, rows, link=link)  # type: ignore[arg-type]


def _feed_payload(event: dict[str, Any], runtime: EntityRuntime, row: Any,
                  operation: str, imaged: bool) -> str:
    """Without an image table (an IR before 1.9), a deleted row's scope values go along
    (under SCOPE_KEY, never sent): the feed cannot read the row any more to check a
    subscriber's scope."""
    fields = runtime.store.scope_fields
    if imaged or operation != "delete" or not fields or isinstance(row, _KeyRow):
        return _json(event)
    mapping = row._mapping
    return _json({**event, SCOPE_KEY: {name: mapping[name] for name in fields}})


def _notify(connection: Connection, ids: list[int]) -> None:
    """NOTIFY in the write's transaction: PostgreSQL sends it on commit, never on rollback.
    Wakes the delivery workers that listen (any payload) and the realtime feeds (the ids)."""
    chunks, current = [], ""
    for text in map(str, ids):
        if current and len(current) + len(text) + 1 > _MAX_PAYLOAD:
            chunks.append(current)
            current = ""
        current = f"{current},{text}" if current else text
    chunks.append(current)
    for chunk in chunks:
        connection.execute(sa.select(sa.func.pg_notify(CHANNEL, chunk)))


def _imaged(image: sa.Table | None, row: Any,
            operation: str) -> tuple[sa.Table, Any] | None:
    """The image table and row a feed row's image is made of: a create's and an update's row
    (after image), a delete's (before image); none for a link, an unlink, a row known by its
    key only, or an entity without an image table."""
    if image is None or operation not in ("create", "update", "delete") \
            or isinstance(row, _KeyRow):
        return None
    return image, row


@dataclass(frozen=True)
class _Feed:
    """A feed row's values and, when it has one, its image's table and row."""

    values: dict[str, Any]
    image: tuple[sa.Table, Any] | None = None


@dataclass
class _Pending:
    """A deferring transaction's feed rows, and whether it recorded destinations' rows."""

    feed: list[_Feed] = field(default_factory=list)
    wake: bool = False


@dataclass(frozen=True)
class _KeyRow:
    """Quacks as a Row for store.key_of: its ``_mapping`` holds the key fields."""

    names: tuple[str, ...]
    values: tuple[Any, ...]

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(zip(self.names, self.values, strict=True))

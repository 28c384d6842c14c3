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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from fastbackend_fastapi.database import sqltypes
from fastbackend_ir import Entity, Events, Field


class _Store(Protocol):
    def key_of(self, row: Any) -> tuple[Any, ...]: ...


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

TABLE = "fastbackend_events"
PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
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


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str, ensure_ascii=False)


@dataclass(frozen=True)
class Outbox:
    """Records events in the caller's transaction: rolled back with it, committed with it."""

    events: Events
    table: sa.Table

    def record(self, connection: Connection, runtime: EntityRuntime, operation: str,
               rows: Sequence[Row[Any]], changed: Sequence[str] | None = None,
               link: Mapping[str, Any] | None = None) -> None:
        destinations = self.events.destinations_of(runtime.entity.name, operation)
        if not destinations or not rows:
            return
        now = time.time()
        values: list[dict[str, Any]] = []
        for row in rows:
            key = list(runtime.store.key_of(row))
            event_id = f"evt_{uuid.uuid4().hex}"
            event: dict[str, Any] = {"id": event_id, "type": f"{runtime.entity.name}.{operation}",
                                     "timestamp": now, "entity": runtime.entity.name,
                                     "operation": operation, "key": key}
            if operation in ("create", "update"):
                event["data"] = json.loads(runtime.representation.body(row))
            if changed is not None:
                event["changed"] = sorted(changed)
            if link is not None:
                event.update(link)
            payload = _json(event)
            row_key = hashlib.sha256(_json(key).encode()).hexdigest()
            values.extend({"event_id": event_id, "destination": name,
                           "entity": runtime.entity.name, "operation": operation,
                           "row_key": row_key, "payload": payload, "status": PENDING,
                           "attempts": 0, "created_at": now, "next_attempt_at": now}
                          for name in destinations)
        connection.execute(sa.insert(self.table), values)

    def record_keys(self, connection: Connection, runtime: EntityRuntime, operation: str,
                    keys: Sequence[Sequence[Any]], link: Mapping[str, Any] | None = None) -> None:
        """Events of rows known by their key only (a delete without RETURNING, a link)."""
        rows = [_KeyRow(runtime.entity.api.key, tuple(key)) for key in keys]
        self.record(connection, runtime, operation, rows, link=link)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _KeyRow:
    """Quacks as a Row for store.key_of: its ``_mapping`` holds the key fields."""

    names: tuple[str, ...]
    values: tuple[Any, ...]

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(zip(self.names, self.values, strict=True))

"""GET {path}/changes: the realtime feed, Server-Sent Events of an entity's change events
(docs/events.md "Realtime").

The list's filters (and `where`), parsed by the list's parser; the list's auth dependencies and
row scope, resolved once when the stream opens. Each event is judged by the row it carries, its
image (events/images.py), never by the row as it is when the event is sent: the list's own
conditions run on the image table (one query per batch of events; relations are followed to
the related rows as they are). A create is sent when its image matches the filters and the
subscriber's scope; an update too, and an update whose image does not match is sent as
``event: leave`` (the key, no data) to the subscribers whose scope holds the image; a delete
goes to every subscriber whose scope held the row (its before image), whatever the filters.
A link or an unlink, and an event without an image (written before the image tables), is
judged by its row as the database holds it. ``data`` is the event as the outbox holds it: rows
as a read returns them, hidden and write-only fields never in it.

``id:`` is the feed row's outbox id: a client reconnecting with ``Last-Event-ID`` gets the
events after it from the outbox, then the live ones, each read up to the settled id (ids follow
commits: events/realtime.py); a position whose next events were pruned gets a ``reset`` event
instead (events/retention.py). A comment line every heartbeat keeps
proxies from closing an idle stream; the stream ends when the server shuts down.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.engine import Connection

from fastbackend_fastapi import scope
from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.events.images import FEED_ID
from fastbackend_fastapi.events.outbox import SCOPE_KEY
from fastbackend_fastapi.events.realtime import BATCH, FeedRow, Hub
from fastbackend_fastapi.problems import Problem
from fastbackend_fastapi.query.errors import bad_parameter
from fastbackend_fastapi.query.nodes import Query
from fastbackend_fastapi.query.parse import RESERVED
from fastbackend_fastapi.query.sql import related_scope_parameters
from fastbackend_fastapi.routes.common import query_limits
from fastbackend_fastapi.runtime import Database, EntityRuntime

Endpoint = Callable[[Request], Awaitable[Response]]
HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}  # nginx: do not buffer
IMAGED = ("create", "update", "delete")  # the operations whose events carry a row image
LEAVE = "leave"  # an update whose image left the subscriber's filters: the key, no data
LEAVE_KEYS = ("id", "type", "timestamp", "entity", "operation", "key")


def changes_endpoint(runtime: EntityRuntime, db: Database, hub: Hub,
                     heartbeat: float) -> Endpoint:
    async def changes(request: Request) -> Response:
        items = request.query_params.multi_items()
        for name, _ in items:
            if name in RESERVED and name != "where":
                raise bad_parameter(name, "the feed takes the list's filters and `where` only")
        query = runtime.parser.parse(items, query_limits(request))
        query = replace(query, count=False, cursor=None, offset=0, limit=BATCH)
        last = _last_event_id(request)
        if runtime.store.scope_fields:
            runtime.store.scope_parameters()  # 403 now, before streaming, when unresolved
        feed = Feed(runtime, db, hub, query, scope.CURRENT.get(), heartbeat)
        return StreamingResponse(feed.stream(last), media_type="text/event-stream",
                                 headers=HEADERS)

    return changes


def _last_event_id(request: Request) -> int | None:
    text = request.headers.get("last-event-id")
    if text is None or not text.strip():
        return None
    if not text.strip().isdigit():
        raise Problem(400, "malformed-header",
                      "Last-Event-ID must be the id of an event this feed sent (digits)")
    return int(text)


class Feed:
    """One open stream: its query, its subscriber's scope, and where it is in the outbox."""

    def __init__(self, runtime: EntityRuntime, db: Database, hub: Hub, query: Query,
                 resolved: scope.Resolved | None, heartbeat: float) -> None:
        self.runtime, self.db, self.hub, self.query = runtime, db, hub, query
        self.resolved, self.heartbeat = resolved, heartbeat
        self.entity = runtime.entity.name
        self._judge: tuple[sa.Select[Any], tuple[str, ...]] | None = None  # _judging's

    async def stream(self, last: int | None) -> AsyncIterator[str]:
        scope.CURRENT.set(self.resolved)  # this task's: db.read copies it to its thread
        with self.hub.subscription() as queue:
            await self.hub.ready()
            self.hub.renew()  # a stream opens on a settled id worked out afresh
            if last is None:
                last = await self.db.read(self.hub.settled, primary=True)
            while True:  # the outbox after Last-Event-ID, then live
                frames, last, more = await self._read(last)
                for frame in frames:
                    yield frame
                if not more:
                    break
            yield ": open\n\n"  # the headers and a first byte: the client knows it is live
            async for batch in self._live(queue, last):
                for frame in batch or [": heartbeat\n\n"]:
                    yield frame

    async def _live(self, queue: asyncio.Queue[tuple[int, ...] | None],
                    last: int) -> AsyncIterator[list[str] | None]:
        """Frames as their rows commit, read past the last position on every wake, up to the
        settled id (events/realtime.py); None when ``heartbeat`` seconds passed without a
        wake, after reading anyway (a notification lost with the LISTEN connection is caught
        up)."""
        hub = self.hub
        while not hub.closing.is_set():
            woken = await _next(queue, hub.closing, self.heartbeat)
            if hub.closing.is_set():
                return
            while not queue.empty():
                queue.get_nowait()
            if woken is None:
                hub.renew()
            more = True
            while more:
                frames, last, more = await self._read(last)
                if frames:
                    yield frames
            if woken is None:
                yield None

    async def _read(self, last: int) -> tuple[list[str], int, bool]:
        """The frames of the rows after ``last`` (or a ``reset`` when some were pruned: the
        client reloads, docs/events.md "Retention"), the new position, and whether more rows
        may follow at once. From the primary: a replica behind it would read nothing now."""
        rows, position, expired = await self.db.read(
            partial(self.hub.after, entity=self.entity, last=last), primary=True)
        if expired:
            return [_reset(position)], position, False
        return await self._frames(rows), position, len(rows) == BATCH

    async def _frames(self, rows: Sequence[FeedRow]) -> list[str]:
        if not rows:
            return []
        events = [json.loads(row.payload) for row in rows]
        imaged = [row.id for row in rows if row.operation in IMAGED]
        judged = await self.db.read(lambda c: self._judged(c, imaged)) if imaged else {}
        live = [event for row, event in zip(rows, events, strict=True) if row.id not in judged
                and event["operation"] != "delete"]
        matching = await self.db.read(lambda c: self._matching(c, live)) if live else set()
        frames = []
        for row, event in zip(rows, events, strict=True):
            name = self._verdict(row, event, judged.get(row.id), matching)
            if name is None:
                continue
            if name == LEAVE:
                event = {key: event[key] for key in LEAVE_KEYS if key in event}
            event.pop(SCOPE_KEY, None)
            data = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
            frames.append(f"id: {row.id}\nevent: {name}\ndata: {data}\n\n")
        return frames

    def _verdict(self, row: FeedRow, event: dict[str, Any], image: tuple[bool, bool] | None,
                 matching: set[Any]) -> str | None:
        """The event's name on this stream, or None when it is not sent: by its image
        (``image``: matches the filters and scope, is held by the scope) when it has one."""
        operation = str(event["operation"])
        if image is None:  # no image: a link, an unlink, or an event from before them
            if operation == "delete":
                return operation if self._scope_held(event) else None
            return operation if self._key(event) in matching else None
        matches, held = image
        if operation == "delete":
            return operation if held else None
        if matches:
            return operation
        return LEAVE if operation == "update" and held else None

    def _judged(self, connection: Connection, ids: list[int]) -> dict[int, tuple[bool, bool]]:
        """Per feed row among ``ids`` that has an image: whether the image matches the
        filters and the subscriber's scope, and whether the scope alone holds it."""
        image = self.hub.images.get(self.entity)
        if image is None:
            return {}
        lists = self.runtime.lists
        dialect = dialects.of(connection.dialect)
        statement, scoped = self._judging(dialect, image)
        parameters = lists.parameters(self.query, dialect)
        if scoped:
            parameters.update(related_scope_parameters(scoped, lists.related_scopes))
        parameters["feed_ids"] = ids
        return {int(row[0]): (bool(row[1]), bool(row[2]))
                for row in connection.execute(statement, parameters)}

    def _judging(self, dialect: dialects.Dialect, image: sa.Table) -> tuple[sa.Select[Any],
                                                                             tuple[str, ...]]:
        """The stream's statement judging images (built once: its query is the stream's), and
        the related scoped entities whose parameters it needs."""
        if self._judge is None:
            matches, held, scoped = self.runtime.lists.on_images(self.query, dialect, image)
            feed_id = image.c[FEED_ID]
            among = feed_id.in_(sa.bindparam("feed_ids", expanding=True))
            statement: sa.Select[Any] = sa.select(
                feed_id, sa.case((matches, 1), else_=0), sa.case((held, 1), else_=0)).where(among)
            self._judge = (statement, scoped)
        return self._judge

    def _scope_held(self, event: dict[str, Any]) -> bool:
        fields = self.runtime.store.scope_fields
        if not fields:
            return True
        held = event.get(SCOPE_KEY)
        values = None if self.resolved is None else self.resolved.filters.get(self.entity)
        if held is None or values is None:
            return False  # fail closed
        return all(json.loads(json.dumps(values[name], default=str)) == held.get(name)
                   for name in fields)

    def _key(self, event: dict[str, Any]) -> tuple[Any, ...] | None:
        try:
            return tuple(adapter.validate_python(value) for adapter, value in
                         zip(self.runtime.keys.adapters, event["key"], strict=True))
        except ValueError:
            return None

    def _matching(self, connection: Connection, events: list[dict[str, Any]]) -> set[Any]:
        """The keys of ``events`` whose rows match the filters and the scope now: the list's
        own statement (filters, row scope, related scopes) with a condition on the keys (the
        events without an image: links, unlinks, events from before the image tables)."""
        runtime, query = self.runtime, self.query
        keys = {key for key in map(self._key, events) if key is not None}
        if not keys:
            return set()
        dialect = dialects.of(connection.dialect)
        lists = runtime.lists
        built = lists.for_query(query, dialect)
        parameters = lists.parameters(query, dialect)
        parameters.update(page_limit=len(keys), page_offset=0)
        if built.scoped:
            parameters.update(related_scope_parameters(built.scoped, lists.related_scopes))
        columns = [runtime.store.entity_table.columns[name] for name in runtime.store.key_fields]
        among = sa.or_(*(sa.and_(*(column == value for column, value in
                                   zip(columns, key, strict=True))) for key in keys))
        rows = connection.execute(built.page.where(among), parameters)
        return {runtime.store.key_of(row) for row in rows}


def _reset(position: int) -> str:
    """Events the client has not had were pruned (retention): it reloads what it shows, and
    goes on from ``position`` (its EventSource sends that id when it reconnects)."""
    data = json.dumps({"reason": "expired", "detail": "events after the client's last one "
                       "are no longer kept: reload, then go on from this event's id"},
                      separators=(",", ":"))
    return f"id: {position}\nevent: reset\ndata: {data}\n\n"


async def _next(queue: asyncio.Queue[tuple[int, ...] | None], closing: asyncio.Event,
                timeout: float) -> list[tuple[int, ...] | None] | None:
    """The next wake (in a list), or None after ``timeout`` seconds or once ``closing``."""
    getter = asyncio.ensure_future(queue.get())
    closed = asyncio.ensure_future(closing.wait())
    try:
        await asyncio.wait({getter, closed}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
    finally:
        closed.cancel()
        got = getter.done() and not getter.cancelled()
        if not got:
            getter.cancel()
    return [getter.result()] if got else None

"""The IR's ``events`` (IR 1.4+, docs/events.md): destinations, which entity's events go where,
delivery's retry policy, and the realtime feed (IR 1.5+: which entities serve
``GET {path}/changes``, its heartbeat and retention; IR 1.9: each feed's image table).

Two audiences again. **API**: the REST clients and, here, the consumers of the events (a webhook
receiver, a stream's readers, a feed's subscribers), whose integration stops silently when
events stop: that is why a removed destination or a removed entity -> destination route is an
error, like a removed route. **Database**: the feed's image tables (a migration renames or
creates them) and how many feed rows are kept.

A change another rule explains is reported once: the ``changes`` route of an entity whose feed
was added or removed is the ``realtime-*`` finding (not ``route-*``), the entity -> destination
routes of a removed destination are the ``event-destination-removed`` finding, and an entity
removed or renamed is reported by the entity rules.
"""

from __future__ import annotations

from fastbackend.diff.findings import Collector, pointer
from fastbackend.diff.scope import Renames
from fastbackend_ir import IR, Events

_NONE = Events()


def compare_events(base: IR, head: IR, renames: Renames, out: Collector) -> None:
    old, new = base.events or _NONE, head.events or _NONE
    _destinations(old, new, out)
    _routes(old, new, renames, out)
    _realtime(old, new, renames, out)


def realtime_of(ir: IR) -> frozenset[str]:
    return frozenset(ir.events.realtime) if ir.events is not None else frozenset()


def _destinations(old: Events, new: Events, out: Collector) -> None:
    for name, spec in sorted(new.destinations.items()):
        at = pointer("events", "destinations", name)
        before = old.destinations.get(name)
        if before is None:
            out.add("event-destination-added", f"events.{name}",
                    f"event destination {name} ({spec.kind}) added", at)
        elif before != spec:
            changed = [key for key in ("kind", "url", "url_env", "secret_env", "stream",
                                       "subject", "exchange", "routing_key")
                       if getattr(before, key) != getattr(spec, key)]
            out.add("event-destination-changed", f"events.{name}",
                    f"event destination {name}: {', '.join(changed)} changed", at)
    for name, spec in sorted(old.destinations.items()):
        if name not in new.destinations:
            out.add("event-destination-removed", f"events.{name}",
                    f"event destination {name} ({spec.kind}) removed: its deliveries stop",
                    pointer("events", "destinations", name), side="base")
    if new.destinations and old.destinations and _policy(old) != _policy(new):
        out.add("event-delivery-changed", "events.delivery",
                "event delivery retries (maxAttempts, backoffSeconds, maxBackoffSeconds) "
                f"{_policy(old)} -> {_policy(new)}", "/events")


def _policy(events: Events) -> tuple[int, float, float]:
    return events.max_attempts, events.backoff_seconds, events.max_backoff_seconds


def _routes(old: Events, new: Events, renames: Renames, out: Collector) -> None:
    """entity.operation -> destination, for the destinations and entities both sides have."""
    before = {(renames.entity(entity), operation, destination): (entity, i)
              for entity, operations in old.entities.items()
              for operation, names in operations.items() for i, destination in enumerate(names)
              if destination in new.destinations}
    after = {(entity, operation, destination): i
             for entity, operations in new.entities.items()
             for operation, names in operations.items() for i, destination in enumerate(names)
             if destination in old.destinations}
    for key in sorted(after.keys() - before.keys()):
        entity, operation, destination = key
        out.add("event-route-added", f"events.{entity}.{operation}.{destination}",
                f"{entity} {operation} events now sent to {destination}",
                pointer("events", "entities", entity, operation, after[key]))
    for key in sorted(before.keys() - after.keys()):
        entity, operation, destination = key
        base_entity, index = before[key]
        out.add("event-route-removed", f"events.{entity}.{operation}.{destination}",
                f"{entity} {operation} events no longer sent to {destination}",
                pointer("events", "entities", base_entity, operation, index), side="base")


def _realtime(old: Events, new: Events, renames: Renames, out: Collector) -> None:
    was = {renames.entity(name): name for name in old.realtime}
    for i, name in enumerate(new.realtime):
        if name not in was:
            out.add("realtime-added", f"events.realtime.{name}",
                    f"{name}: realtime feed added (GET .../changes, image table "
                    f"{new.image_tables.get(name, 'none')})", pointer("events", "realtime", i))
    for name, base_name in sorted(was.items()):
        if name not in new.realtime:
            out.add("realtime-removed", f"events.realtime.{name}",
                    f"{name}: realtime feed removed (GET .../changes no longer served)",
                    pointer("events", "realtime", old.realtime.index(base_name)), side="base")
            continue
        before, after = old.image_tables.get(base_name), new.image_tables.get(name)
        if before != after:
            out.add("realtime-image-table-changed", f"events.imageTables.{name}",
                    f"{name}: feed image table {before or 'none'} -> {after or 'none'}",
                    pointer("events", "imageTables", name) if after else
                    pointer("events", "realtime", new.realtime.index(name)))
    if old.realtime and new.realtime:
        _feed_settings(old, new, out)


def _feed_settings(old: Events, new: Events, out: Collector) -> None:
    if old.heartbeat_seconds != new.heartbeat_seconds:
        out.add("realtime-heartbeat-changed", "events.heartbeat",
                f"realtime heartbeat {old.heartbeat_seconds:g}s -> {new.heartbeat_seconds:g}s",
                "/events")
    shorter = (new.retention_seconds < old.retention_seconds
               or _rows(new.retention_rows) < _rows(old.retention_rows))
    longer = (new.retention_seconds > old.retention_seconds
              or _rows(new.retention_rows) > _rows(old.retention_rows))
    label = f"{_retention(old)} -> {_retention(new)}"
    if shorter:
        out.add("realtime-retention-reduced", "events.retention",
                f"realtime retention reduced: {label}", "/events")
    if longer:
        out.add("realtime-retention-extended", "events.retention",
                f"realtime retention extended: {label}", "/events")


def _rows(rows: int | None) -> float:
    return float("inf") if rows is None else rows


def _retention(events: Events) -> str:
    rows = "unlimited" if events.retention_rows is None else str(events.retention_rows)
    return f"{events.retention_seconds:g}s, {rows} rows"

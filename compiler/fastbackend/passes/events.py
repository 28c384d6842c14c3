"""Change events, decided once: fastbackend.yaml's `events` into the IR's `events`.

    events:
      destinations:
        hooks: {type: webhook, url: "https://example.com/hooks", secret_env: HOOKS_SECRET}
        stream: {type: redis, url_env: REDIS_URL, stream: blog-events}
      models:
        Post: {hooks: all, stream: [create, delete]}
      realtime:
        models: [Post]                # GET /posts/changes: Server-Sent Events

The config module checks the section's shape; this pass checks the model names against the
schema (FB406 at the name) and records the decision. No section: no `events`, no outbox.
Each realtime model's image table (the rows its events carry, which the feed judges filters
and row scope against: docs/events.md "Realtime") is named here, once: `fastbackend_image_`
and the model's table, shortened to 63 characters with a hash, never a table the schema has.
"""

from __future__ import annotations

from dataclasses import replace

from fastbackend import config
from fastbackend.config import Document
from fastbackend_ir import IR
from fastbackend_ir.names import legacy_name

IMAGE_PREFIX = "fastbackend_image"
OWN_TABLES = ("fastbackend_events", "fastbackend_feed_gate")


def apply(ir: IR, document: Document) -> IR:
    events = config.events(document)
    if events is None:
        return ir
    for name in events.entities:
        if name not in ir.entities:
            raise document.error(("events", "models", name), "FB406",
                                 f"{name!r}, not a model; models: " + ", ".join(ir.entities),
                                 at_key=True)
    for name in events.realtime:
        if name not in ir.entities:
            # the declared position: `realtime` is sorted in the IR, not in the file
            models = document.data["events"]["realtime"]["models"]
            raise document.error(("events", "realtime", "models", models.index(name)), "FB406",
                                 f"{name!r}, not a model; models: " + ", ".join(ir.entities))
    return replace(ir, events=replace(events, image_tables=image_tables(ir, events.realtime)))


def image_tables(ir: IR, realtime: tuple[str, ...]) -> dict[str, str]:
    """Each realtime entity's image table: a name no table of the schema (nor another image
    table, nor the outbox's) has, on every database (63 characters: PostgreSQL's limit)."""
    taken = {entity.table.lower() for entity in ir.entities.values()}
    taken |= {table.table.lower() for table in ir.join_tables.values()} | set(OWN_TABLES)
    names: dict[str, str] = {}
    for name in realtime:
        table, n = ir.entities[name].table, 0
        candidate = legacy_name(IMAGE_PREFIX, table, [])
        while candidate.lower() in taken:
            n += 1
            candidate = legacy_name(IMAGE_PREFIX, table, [str(n)])
        taken.add(candidate.lower())
        names[name] = candidate
    return names

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
"""

from __future__ import annotations

from dataclasses import replace

from fastbackend import config
from fastbackend.config import Document
from fastbackend_ir import IR


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
    return replace(ir, events=events)

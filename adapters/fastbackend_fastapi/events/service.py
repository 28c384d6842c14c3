"""The worker built from the IR's events, run inside the server or alone.

Inside the server it runs as a background task of the app's lifespan unless
FASTBACKEND_EVENTS_WORKER=0 (then deliver with `fastbackend worker`). Building it resolves every
destination's variables, so a missing secret stops startup instead of dropping events.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from fastbackend_fastapi.events import destinations, settings
from fastbackend_fastapi.events.worker import Worker
from fastbackend_ir import Events

IN_SERVER = "FASTBACKEND_EVENTS_WORKER"


def in_server(environ: Mapping[str, str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get(IN_SERVER, "1").strip().lower()
    return value not in ("0", "false", "no", "off")


def build_worker(engine: Engine, table: sa.Table, events: Events,
                 environ: Mapping[str, str] | None = None) -> Worker:
    """EventsConfigError when a destination's variable is missing or wrong."""
    resolved = settings.resolve(events, environ)
    senders = {name: destinations.sender(item) for name, item in resolved.items()}
    return Worker(engine, table, events, senders)


class Background:
    """The worker as a task of the running event loop."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.stop = asyncio.Event()  # of the loop that runs it
        self.task = asyncio.create_task(self.worker.run(self.stop), name="fastbackend-events")

    async def close(self) -> None:
        self.stop.set()
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.worker.close()

"""`fastbackend worker`: deliver the outbox without serving HTTP.

Reads the IR (FASTBACKEND_IR, default .fastbackend/ir.json) and DATABASE_URL as the server
does; stops on SIGTERM or SIGINT after settling the claim in flight. Exit 2 for a missing
variable or an IR without events.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from fastbackend_contract.config import environment
from fastbackend_fastapi import database
from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.events import realtime
from fastbackend_fastapi.events.outbox import outbox_table
from fastbackend_fastapi.events.service import build_worker
from fastbackend_fastapi.events.settings import EventsConfigError
from fastbackend_fastapi.events.worker import Worker
from fastbackend_fastapi.settings import from_environment
from fastbackend_ir import load

CONFIGURATION_ERROR = 2


def run(ir_path: Path, database_url: str | None = None) -> int:
    ir = load(ir_path)
    if ir.events is None:
        print("error: the IR has no events: declare them in fastbackend.yaml's `events` "
              "(docs/events.md) and compile", file=sys.stderr)
        return CONFIGURATION_ERROR
    settings = from_environment().with_database_url(database_url)
    engine = database.create_engine(settings.resolved_database_url(ir_path.parent), settings)
    table = outbox_table(sa.MetaData())
    try:
        # the project's .env too (the process environment wins), as the server reads it
        worker = build_worker(engine, table, ir.events, environment(ir_path.parent.parent))
    except EventsConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        engine.dispose()
        return CONFIGURATION_ERROR
    table.create(engine, checkfirst=True)  # a worker started before any server
    try:
        asyncio.run(_serve(worker, engine))
    finally:
        engine.dispose()
    return 0


async def _serve(worker: Worker, engine: Engine) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print("fastbackend worker: delivering events", file=sys.stderr, flush=True)
    # PostgreSQL: each write NOTIFYs on commit (outbox.py), so the worker claims at once
    # instead of at its next poll (which stays, for retries and a lost LISTEN connection)
    listening = (asyncio.create_task(realtime.listen(engine, lambda ids: worker.notify()))
                 if dialects.of(engine.dialect).notifies else None)
    try:
        await worker.run(stop)
    finally:
        if listening is not None:
            listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listening
        await worker.close()
        print(f"fastbackend worker: stopped; delivered {worker.delivered} events",
              file=sys.stderr, flush=True)

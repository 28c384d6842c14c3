"""Read replicas, the HTTP side: who the client is, for read-your-writes (database/replicas.py
routes the reads).

A client is identified as the rate limits identify one (`rate_limit.client`: the connection's
address, a hash of its API key, or its token's subject), whether rate limits are on or not, so
one setting says who "a client" is. The memory of who wrote recently is this process's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from fastbackend_fastapi.database import replicas
from fastbackend_fastapi.operations.config import Operations, replica_urls
from fastbackend_fastapi.operations.ratelimit import client_id
from fastbackend_fastapi.runtime import Runtime


class ClientIdentity:
    """Names the client of each request for the replica router (a plain ASGI middleware)."""

    def __init__(self, app: ASGIApp, kind: str, api_key_header: bytes) -> None:
        self.app, self.kind, self.api_key_header = app, kind, api_key_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            replicas.use_client(client_id(scope, self.kind, self.api_key_header))
        await self.app(scope, receive, send)


def install(app: FastAPI, runtime: Runtime, config: Operations) -> None:
    database = runtime.database
    if database.async_engine is not None:
        raise ValueError("read replicas (DATABASE_REPLICA_URLS) are served in the thread and "
                         "inline execution modes, not with FASTBACKEND_EXECUTION=async")
    policy = replicas.Policy(config["replicas.max_lag_seconds"],
                             config["replicas.read_your_writes_seconds"],
                             config["replicas.check_interval_seconds"])
    database.replicas = replicas.build(database.engine, replica_urls(config), runtime.settings,
                                       runtime.catalog.schemas(), policy)
    app.state.replicas = database.replicas
    _start_with(app, database.replicas)
    header = config["rate_limit.api_key_header"].lower().encode("latin-1")
    app.add_middleware(ClientIdentity, kind=config["rate_limit.client"], api_key_header=header)


def _start_with(app: FastAPI, router: replicas.Router) -> None:
    """The checks start with the app (runtime.Database.close stops them)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(owner: Any) -> AsyncIterator[Any]:
        router.start()
        async with inner(owner) as state:
            yield state

    app.router.lifespan_context = lifespan

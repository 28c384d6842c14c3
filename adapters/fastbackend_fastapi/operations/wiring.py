"""Install every operations feature on an app (docs/operations.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from fastbackend_fastapi.operations import health, logs, requests, routes
from fastbackend_fastapi.operations.config import Operations, replica_urls
from fastbackend_fastapi.runtime import Runtime


def install(app: FastAPI, runtime: Runtime, config: Operations, project_folder: Path) -> None:
    """Routes first (before the generated ones), then the middleware around everything."""
    logs.configure(config["logs.format"], config["logs.level"], config["logs.access"])
    health.install(app, runtime, project_folder)
    observe = limiter = None
    if config["metrics.enabled"]:
        from fastbackend_fastapi.operations import metrics

        observe = metrics.install(app, runtime, config["metrics.path"]).observe
    if config["tracing.enabled"]:
        from fastbackend_fastapi.operations import telemetry

        on_shutdown(app, _async(telemetry.install(app, runtime, config).shutdown))
    if config["rate_limit.enabled"]:
        from fastbackend_fastapi.operations import ratelimit

        limiter = ratelimit.build(config, runtime.ir)
        on_shutdown(app, limiter.buckets.close)
    if replica_urls(config):
        from fastbackend_fastapi.operations import replicas

        replicas.install(app, runtime, config)
    features = requests.Features(access_log=config["logs.access"], observe=observe,
                                 limiter=limiter, routes_known=config["tracing.enabled"])
    requests.install(app, features, routes.operations(runtime.ir))


def on_shutdown(app: FastAPI, close: Callable[[], Awaitable[None]]) -> None:
    """Run ``close`` after the app's own lifespan ends (the database is closed by then)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(owner: Any) -> AsyncIterator[Any]:
        async with inner(owner) as state:
            try:
                yield state
            finally:
                await close()

    app.router.lifespan_context = lifespan


def _async(call: Callable[[], object]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        call()

    return run

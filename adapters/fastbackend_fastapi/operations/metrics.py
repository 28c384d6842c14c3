"""Prometheus metrics at `/metrics` (prometheus_client, imported only when switched on).

Requests by method, route template and status (a counter and a latency histogram), the
connection pool's use, and database errors by kind. Each app has its own registry, so two
apps in one process (tests, a dev reload) never count into each other's series.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from fastbackend_fastapi.database import direct
from fastbackend_fastapi.runtime import Runtime

# Seconds: a cached read answers in about a millisecond, a slow write in a second or more.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# SQLAlchemy's DBAPI error classes (PEP 249's names) -> the `kind` label.
ERROR_KINDS: tuple[tuple[type[Exception], str], ...] = (
    (sa_exc.IntegrityError, "integrity"),
    (sa_exc.DataError, "data"),
    (sa_exc.ProgrammingError, "programming"),
    (sa_exc.NotSupportedError, "not_supported"),
    (sa_exc.InternalError, "internal"),
    (sa_exc.OperationalError, "operational"),
)


class PoolCollector(Collector):
    """The pool's connections, read when scraped (no work per request)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.pool = engine.pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("fastbackend_db_pool_connections",
                                   "Database connections of the pool, by state",
                                   labels=["state"])
        for state, method in (("checked_out", "checkedout"), ("idle", "checkedin"),
                              ("overflow", "overflow")):
            read = getattr(self.pool, method, None)  # QueuePool; SQLite's pools lack some
            if callable(read):
                family.add_metric([state], float(read()))
        size = getattr(self.pool, "size", None)
        if callable(size):
            yield GaugeMetricFamily("fastbackend_db_pool_size", "Connections the pool keeps open",
                                    value=float(size()))
        yield family


class Metrics:
    def __init__(self, runtime: Runtime) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("fastbackend_http_requests", "HTTP requests answered",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("fastbackend_http_request_duration_seconds",
                                 "Time from a request's start to its answer's end",
                                 ["method", "route", "status"], buckets=BUCKETS,
                                 registry=self.registry)
        self.db_errors = Counter("fastbackend_db_errors", "Errors raised by the database driver",
                                 ["kind"], registry=self.registry)
        # Each request's two series, looked up once (labels() takes a lock and builds a key).
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.registry.register(PoolCollector(runtime.database.engine))
        for engine in _engines(runtime):
            sa.event.listen(engine, "handle_error", self._count_error)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        series = self._series.get((method, route, status))
        if series is None:  # (bounded: route templates, not paths; methods and statuses)
            labels = (method, route, str(status))
            series = self._series[method, route, status] = (self.requests.labels(*labels),
                                                             self.latency.labels(*labels))
        series[0].inc()
        series[1].observe(seconds)

    @direct.observer  # (reads on the driver's asyncio connection call it too)
    def _count_error(self, context: Any) -> None:
        error = context.sqlalchemy_exception
        kind = "disconnect" if context.is_disconnect else next(
            (name for cls, name in ERROR_KINDS if isinstance(error, cls)), "other")
        self.db_errors.labels(kind).inc()

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def _engines(runtime: Runtime) -> list[sa.Engine]:
    found = [runtime.database.engine]
    if runtime.database.async_engine is not None:
        found.append(runtime.database.async_engine.sync_engine)
    return found


def install(app: FastAPI, runtime: Runtime, path: str) -> Metrics:
    metrics = Metrics(runtime)

    async def serve_metrics() -> Response:
        return metrics.render()

    app.add_api_route(path, serve_metrics, methods=["GET"], include_in_schema=False)
    return metrics

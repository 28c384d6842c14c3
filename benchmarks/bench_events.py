"""Change events to Redis Streams (docs/events.md): delivery throughput (events/s, one worker
and two sharing the outbox) and end-to-end latency (a committed POST to its stream entry, p50
and p99), on PostgreSQL. Needs PostgreSQL and Redis (tests/services.py), else says why.

Throughput: 5,000 events recorded first (bulk creates, the server's worker off), then the
workers drain the outbox. Latency: the server's own worker; each POST's clock starts before the
request and stops when XREAD returns its entry, so it includes the request itself; the
worker claims as soon as a write commits (Database.on_commit wakes it; else every 0.2 s).

Measured on this 2-core shared machine (PostgreSQL, Redis, runtime and workers on it): 1,374
events/s with one worker, 1,860 with two; p50 17.7 ms, p99 41.1 ms. Before the wake-up and the
one-statement settle: 421 and 575 events/s, p50 216 ms (the idle poll).

Realtime (docs/events.md "Realtime"): uvicorn serving the app, one Server-Sent Events client
on GET /notes/changes; each POST's clock stops when its event arrives on the stream, on
PostgreSQL (LISTEN/NOTIFY) and SQLite (the in-process wake). Measured here: SQLite p50
15.7 ms, p99 75.3 ms; PostgreSQL p50 21.5 ms, p99 85.1 ms.

Settled ids (docs/events.md "Ids follow commits"): 8 concurrent writers and one stream, with the
feed lock and without it, on PostgreSQL and MariaDB (the gate row): MariaDB 169-263 writes/s
with it, 184-223 without, and without it 3 and 7 of 1,600 events missed by the stream.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

EVENTS = 5_000
SAMPLES = 200
CONFIG = """
events:
  destinations:
    stream: {{type: redis, url_env: BENCH_REDIS_URL, stream: {stream}}}
  models:
    Note: {{stream: all}}
"""


def main() -> None:
    from tests.services import REDIS_URL, temporary_mariadb_database, temporary_postgres_database

    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        with temporary_postgres_database() as url:
            _run(url, REDIS_URL)
        with tempfile.TemporaryDirectory() as folder:
            _realtime(f"sqlite+pysqlite:///{folder}/bench.db", "SQLite")
        with temporary_postgres_database() as url:
            _realtime(url, "PostgreSQL")
        for locked in (True, False):
            with temporary_postgres_database() as url:
                _feed_lock_cost(url, locked)
        for locked in (True, False):
            with temporary_mariadb_database() as url:
                _feed_lock_cost(url, locked)
    except Exception as error:  # a missing service: say so, measure nothing
        if "postgres" in str(error).lower() or "redis" in str(error).lower():
            print(f"   skipped: {error}")
            return
        raise


def _run(database_url: str, redis_url: str) -> None:
    from fastbackend_fastapi import create_app
    from tests.adapters.fastapi.conftest import TestClient
    from tests.events.conftest import compile_project

    stream = f"fastbackend-bench-{uuid.uuid4().hex}"
    os.environ["BENCH_REDIS_URL"] = redis_url
    with tempfile.TemporaryDirectory() as folder:
        ir = compile_project(Path(folder) / "project", CONFIG.format(stream=stream))
        os.environ["FASTBACKEND_EVENTS_WORKER"] = "0"
        try:
            with TestClient(create_app(ir, database_url=database_url, custom_path=None)) as client:
                for workers in (1, 2):
                    _record(client, workers)
                    rate = asyncio.run(_drain(ir, database_url, workers))
                    print(f"   throughput, {workers} worker{'s' if workers > 1 else ''}: "
                          f"{rate:,.0f} events/s ({EVENTS:,} events to Redis, PostgreSQL outbox)")
        finally:
            del os.environ["FASTBACKEND_EVENTS_WORKER"]
        with TestClient(create_app(ir, database_url=database_url, custom_path=None)) as client:
            latencies = _latencies(client, redis_url, stream)
    import redis

    redis.Redis.from_url(redis_url).delete(stream)
    cut = statistics.quantiles(latencies, n=100)
    print(f"   end-to-end latency, POST to stream entry ({SAMPLES} writes, one at a time): "
          f"p50 {cut[49] * 1000:.1f} ms, p99 {cut[98] * 1000:.1f} ms")


def _record(client: object, round_: int) -> None:
    for batch in range(EVENTS // 1000):
        rows = [{"slug": f"r{round_}-{batch}-{i}", "title": "t"} for i in range(1000)]
        response = client.post("/notes/bulk", json=rows)  # type: ignore[attr-defined]
        assert response.status_code == 201, response.text


async def _drain(ir: Path, database_url: str, count: int) -> float:
    from fastbackend_fastapi.events.outbox import PENDING, outbox_table
    from fastbackend_fastapi.events.service import build_worker
    from fastbackend_ir import load

    events = load(ir).events
    assert events is not None
    engine = sa.create_engine(database_url, pool_size=count + 1)
    table = outbox_table(sa.MetaData())
    workers = [build_worker(engine, table, events) for _ in range(count)]
    started = time.perf_counter()
    try:
        while True:
            settled = await asyncio.gather(*(w.run_once() for w in workers))
            if not any(settled):
                with engine.connect() as connection:
                    left = connection.execute(sa.select(sa.func.count()).where(
                        table.c.status == PENDING)).scalar_one()
                if left == 0:
                    break
        return EVENTS / (time.perf_counter() - started)
    finally:
        for worker in workers:
            await worker.close()
        engine.dispose()


def _latencies(client: object, redis_url: str, stream: str) -> list[float]:
    import redis

    reader = redis.Redis.from_url(redis_url)
    last = reader.xrevrange(stream, count=1)
    cursor = last[0][0] if last else b"0-0"
    latencies = []
    for i in range(SAMPLES):
        started = time.perf_counter()
        response = client.post("/notes", json={"slug": f"lat-{i}", "title": "t"})  # type: ignore[attr-defined]
        assert response.status_code == 201, response.text
        found = reader.xread({stream: cursor}, count=1, block=10_000)
        assert found, "no stream entry within 10 s"
        latencies.append(time.perf_counter() - started)
        cursor = found[0][1][0][0]
    reader.close()
    return latencies


REALTIME = """
events:
  realtime: {models: [Note]}
"""


@contextmanager
def _realtime_stream(database_url: str, on_line: Callable[[str], None]) -> Iterator[str]:
    """A runtime serving REALTIME's notes (uvicorn on a port of its own, in a thread) with one
    Server-Sent Events client reading /notes/changes, each line given to ``on_line``; yields
    the server's base URL once the stream is open."""
    import threading

    import httpx
    import uvicorn

    from fastbackend_fastapi import create_app
    from fastbackend_fastapi.graceful import GracefulServer
    from tests.events.conftest import compile_project, wait_for

    with tempfile.TemporaryDirectory() as folder:
        ir = compile_project(Path(folder) / "project", REALTIME)
        app = create_app(ir, database_url=database_url, custom_path=None)
        server = GracefulServer(uvicorn.Config(app, port=0, log_level="warning"))
        thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
        thread.start()
        wait_for(lambda: server.started, what="the server")
        base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        opened = threading.Event()

        def read() -> None:
            with httpx.Client(timeout=60) as client, \
                    client.stream("GET", base + "/notes/changes") as response:
                for line in response.iter_lines():
                    opened.set()
                    on_line(line)

        threading.Thread(target=read, daemon=True).start()
        assert opened.wait(30), "the stream did not open"
        try:
            yield base
        finally:
            server.should_exit = True
            thread.join(30)


def _realtime(database_url: str, label: str) -> None:
    import queue

    import httpx

    arrived: queue.Queue[float] = queue.Queue()

    def on_line(line: str) -> None:
        if line.startswith("data: "):
            arrived.put(time.perf_counter())

    latencies = []
    with _realtime_stream(database_url, on_line) as base, \
            httpx.Client(base_url=base, timeout=30) as client:
        for i in range(SAMPLES):
            started = time.perf_counter()
            response = client.post("/notes", json={"slug": f"rt-{i}", "title": "t"})
            assert response.status_code == 201, response.text
            latencies.append(arrived.get(timeout=10) - started)
    cut = statistics.quantiles(latencies, n=100)
    print(f"   realtime latency, POST to SSE event ({label}, {SAMPLES} writes, one at a "
          f"time): p50 {cut[49] * 1000:.1f} ms, p99 {cut[98] * 1000:.1f} ms")


CONCURRENT, WRITES = 8, 1_600


def _feed_lock_cost(database_url: str, locked: bool) -> None:
    """Single POSTs of a realtime model from CONCURRENT clients at once (uvicorn, one
    Server-Sent Events client reading along), with the feed's settled-id locking
    (docs/events.md "Ids follow commits") and, for the comparison only, without it (a resume
    could then skip a lower id that committed late)."""
    import httpx

    from fastbackend_fastapi.database.dialects.base import Dialect
    from fastbackend_fastapi.database.dialects.mysql import MySQL
    from fastbackend_fastapi.database.dialects.postgresql import PostgreSQL
    from tests.events.conftest import wait_for

    async def write(base: str) -> float:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            async def one(worker: int) -> None:
                for i in range(WRITES // CONCURRENT):
                    response = await client.post("/notes", json={"slug": f"c{worker}-{i}",
                                                                  "title": "t"})
                    assert response.status_code == 201, response.text

            started = time.perf_counter()
            await asyncio.gather(*(one(worker) for worker in range(CONCURRENT)))
            return WRITES / (time.perf_counter() - started)

    dialect: type[Dialect] = PostgreSQL if database_url.startswith("postgres") else MySQL
    label = "PostgreSQL" if dialect is PostgreSQL else "MariaDB"
    saved = dialect.lock_feed, dialect.settled_feed_id
    if not locked:
        dialect.lock_feed = Dialect.lock_feed  # type: ignore[method-assign]
        dialect.settled_feed_id = Dialect.settled_feed_id  # type: ignore[method-assign]
    received = [0]

    def on_line(line: str) -> None:
        received[0] += line.startswith("data: ")

    try:
        with _realtime_stream(database_url, on_line) as base:
            rate = asyncio.run(write(base))
            try:  # every event, once: the settled ids' promise (without them, a few are lost)
                wait_for(lambda: received[0] == WRITES, 30 if locked else 5, what="the events")
            except AssertionError:
                if locked:
                    raise
    finally:
        dialect.lock_feed, dialect.settled_feed_id = saved  # type: ignore[method-assign]
    print(f"   realtime writes, {CONCURRENT} clients at once, one stream reading ({label}, "
          f"settled ids {'on' if locked else 'off: comparison only'}): {rate:,.0f} writes/s, "
          f"{received[0]:,} of {WRITES:,} events on the stream")

if __name__ == "__main__":
    main()

"""Requests/s of the generated runtime vs a hand-written FastAPI + SQLAlchemy app and the stack's
ceiling (a constant body from memory), same run, same database, same load generator.

Scenarios on the blog domain: read-by-id, filtered list, create, patch; on SQLite and (when
reachable) PostgreSQL and MariaDB. Short by default; FASTBACKEND_BENCH_SECONDS lengthens each measurement.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import sqlalchemy as sa

from benchmarks.runtime_cpu import cpu_per_request
from benchmarks.runtime_load import Scenario, load_generator
from benchmarks.runtime_servers import (
    ROOT,
    mariadb_available,
    mariadb_database,
    postgres_available,
    postgres_database,
    started,
)
from fastbackend_fastapi.database import create_engine, create_tables
from fastbackend_fastapi.settings import Settings
from fastbackend_fastapi.tables import build_catalog
from fastbackend_ir import load

IR_PATH = ROOT / "tests" / "golden" / "blog.ir.json"
SECONDS = float(os.environ.get("FASTBACKEND_BENCH_SECONDS", "2"))
DATABASES = os.environ.get("FASTBACKEND_BENCH_DATABASES", "sqlite,postgresql,mariadb"
                           ).split(",")
ROUNDS = int(os.environ.get("FASTBACKEND_BENCH_ROUNDS", "2"))
CONNECTIONS = 16
USERS, POSTS = 20, 1000
SCENARIOS = (
    Scenario("read-by-id", "GET", "/posts/{id}"),
    Scenario("filtered list", "GET", "/posts?status=published&limit=20"),
    # What the default count costs (issue #23): the same list without it, and planned.
    Scenario("list, no count", "GET", "/posts?status=published&limit=20",
             prefer="count=none", runtime_only=True),
    Scenario("list, planned", "GET", "/posts?status=published&limit=20",
             prefer="count=planned", runtime_only=True),
    Scenario("create", "POST", "/posts",
             '{"title": "bench {n}", "body": "text", "author_id": 1, "status": "published"}'),
    Scenario("patch", "PATCH", "/posts/{id}", '{"body": "patched {n}"}'),
)
# FASTBACKEND_EXECUTION modes measured per database; "auto" picks the first (settings.py).
MODES = {
    "SQLite": ("inline", "thread"),
    "PostgreSQL": ("async", "thread", "inline"),
    "MariaDB": ("thread", "inline"),  # no asyncio driver (docs/dialects.md)
}
CEILING = "ceiling"
TARGETS = {"read": 2.0, "write": 1.5}


def seed(url: str) -> None:
    """Tables from the IR (as the runtime creates them) and rows every app then shares."""
    catalog = build_catalog(load(IR_PATH))
    engine = create_engine(url, Settings())
    create_tables(engine, catalog.metadata)
    users, posts = catalog.entities["User"].table, catalog.entities["Post"].table
    statuses = ("draft", "published", "archived")
    with engine.begin() as connection:
        connection.execute(sa.insert(users), [{"email": f"u{i}@bench.io", "name": f"U{i}"}
                                              for i in range(USERS)])
        connection.execute(sa.insert(posts), [
            {"title": f"post {i}", "body": "x" * 200, "author_id": 1 + i % USERS,
             "status": statuses[i % 3]} for i in range(POSTS)])
    engine.dispose()


def reset(url: str) -> None:
    """Remove rows the create scenario added, so each database run starts from the seed."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM posts WHERE id > :n"), {"n": POSTS})
    engine.dispose()


def apps(url: str, label: str) -> dict[str, tuple[str, dict[str, str], bool]]:
    """name -> (uvicorn target, environment, factory)."""
    env = {"DATABASE_URL": url}
    found = {"hand-written": ("benchmarks.handwritten_blog:app", env, False)}
    for mode in MODES[label]:
        if mode == "async" and importlib.util.find_spec("greenlet") is None:
            print("   (async mode skipped: it needs the greenlet package)")
            continue
        found[f"runtime ({mode})"] = (
            "fastbackend_fastapi.asgi:create_app_from_env",
            {**env, "FASTBACKEND_IR": str(IR_PATH), "FASTBACKEND_EXECUTION": mode}, True)
    return found


def measure_interleaved(servers: dict[str, tuple[int, str]]
                        ) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Best of ROUNDS per app and scenario, the apps taking turns within each round, so a burst
    of load from elsewhere on the machine hits every app alike. Reads run before writes, so
    every app lists the same rows. (requests/s, and the server's CPU µs per request: the
    highest rate, the least CPU.)"""
    best: dict[str, dict[str, float]] = {name: {} for name in servers}
    cpu: dict[str, dict[str, float]] = {name: {} for name in servers}
    for scenario in SCENARIOS:
        for _ in range(ROUNDS):
            for name, (pid, base_url) in servers.items():
                if name == CEILING and scenario is not SCENARIOS[0]:
                    continue  # the ceiling serves one constant read
                if name == "hand-written" and scenario.runtime_only:
                    continue
                prefix = f"{name[:3]}{time.time_ns() % 10**9}-"
                micro, result = cpu_per_request(pid, base_url, scenario, POSTS, SECONDS,
                                                CONNECTIONS, prefix)
                if result.errors:
                    print(f"   ! {name} {scenario.name}: {result.errors} error responses")
                rate = max(best[name].get(scenario.name, 0.0), result.requests_per_second)
                best[name][scenario.name] = rate
                cpu[name][scenario.name] = min(cpu[name].get(scenario.name, micro), micro)
    return best, cpu


def bench_database(label: str, url: str) -> None:
    seed(url)
    with ExitStack() as stack:
        servers = {name: stack.enter_context(started(target, env, factory))
                   for name, (target, env, factory) in apps(url, label).items()}
        servers[CEILING] = stack.enter_context(started("benchmarks.runtime_ceiling:app", {}))
        results, cpu = measure_interleaved(servers)
    reset(url)
    top = results.pop(CEILING)[SCENARIOS[0].name]
    report(label, results.pop("hand-written"), results, top)
    report_cpu(cpu)


def report_cpu(cpu: dict[str, dict[str, float]]) -> None:
    """The server's CPU per request (benchmarks/runtime_cpu.py): what the load disturbs least."""
    print(f"   server CPU µs per request (ceiling {cpu.pop(CEILING)[SCENARIOS[0].name]:,.0f})")
    print(f"   {'scenario':<15}" + "".join(f"{n:>20}" for n in cpu))
    for scenario in SCENARIOS:
        print(f"   {scenario.name:<15}" + "".join(
            f"{per[scenario.name]:>20,.0f}" if scenario.name in per else f"{'':>20}"
            for per in cpu.values()))


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite+pysqlite:///{Path(folder) / 'bench.db'}"


def report(label: str, baseline: dict[str, float], results: dict[str, dict[str, float]],
           top: float) -> None:
    print(f"-- {label}: req/s (ratio to hand-written; share of the ceiling {top:,.0f} req/s)")
    print(f"   {'scenario':<15}{'hand-written':>14}" + "".join(f"{n:>26}" for n in results))
    for scenario in SCENARIOS:
        # a runtime-only scenario is compared with the hand-written app's filtered list
        base = baseline[SCENARIOS[1].name if scenario.runtime_only else scenario.name]
        cells = "".join(
            f"{r[scenario.name]:>6,.0f} ({r[scenario.name] / base:4.2f}x, "
            f"{r[scenario.name] / top:4.0%})".rjust(26) for r in results.values())
        target = TARGETS["read" if scenario.method == "GET" else "write"]
        print(f"   {scenario.name:<15}{base:>14,.0f}{cells}   target {target}x")


def main() -> None:
    print(f"   load: {load_generator()}, {CONNECTIONS} connections, best of {ROUNDS} x "
          f"{SECONDS:.0f} s per app and scenario, one uvicorn worker per app")
    if "sqlite" in DATABASES:
        with sqlite_database() as url:
            bench_database("SQLite", url)
    if "postgresql" in DATABASES:
        if postgres_available():
            with postgres_database() as url:
                bench_database("PostgreSQL", url)
        else:
            print("-- PostgreSQL: not reachable, skipped")
    if "mariadb" in DATABASES:
        if mariadb_available():
            with mariadb_database() as url:
                bench_database("MariaDB", url)
        else:
            print("-- MariaDB: not reachable, skipped")


if __name__ == "__main__":
    main()

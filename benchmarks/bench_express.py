"""Requests/s of the emitted Express server against the FastAPI runtime, same run, same
database, same rows, same load generator (issue #21: "Express throughput at least equal to the
FastAPI runtime's on read by id and filtered list"), on PostgreSQL and on MariaDB (issue #25).

Both servers serve the blog IR (tests/golden/blog.ir.json; with a mysql datasource on MariaDB,
so the Express project is emitted for MySQL) on one database seeded once; the servers take
turns within each round (best of FASTBACKEND_BENCH_ROUNDS), so a burst of load from elsewhere
on the machine hits both alike. Also printed on PostgreSQL: database transactions per request
(PostgreSQL's own count, pg_stat_database, over a sequential probe of each scenario), the cost
that the ratio follows once the database is the bottleneck. MariaDB keeps no such count per
database unless the shared server is reconfigured (userstat, performance_schema: both off
here), so there the column says n/a.

The Express project is emitted, its dependencies installed with `npm ci` from its lockfile
(kept in ~/.cache/fastbackend/bench-express/, keyed by the lockfile) and built with tsc; without
node/npm, or without a database, the benchmark says so and skips it.
FASTBACKEND_BENCH_DATABASES (as bench_runtime's) picks the databases.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import psycopg

from benchmarks.bench_runtime import DATABASES, IR_PATH, POSTS, ROUNDS, SECONDS, seed
from benchmarks.runtime_load import Scenario, load_generator, measure
from benchmarks.runtime_servers import (
    POSTGRES_ADMIN,
    free_port,
    mariadb_available,
    mariadb_database,
    postgres_available,
    postgres_database,
    running,
    server,
)
from fastbackend_express import render_project
from fastbackend_ir import IR, Database, load

CONNECTIONS = 16
SCENARIOS = (
    Scenario("read-by-id", "GET", "/posts/{id}"),
    Scenario("filtered list", "GET", "/posts?status=published&limit=20"),
)
PROBE_REQUESTS = 200  # sequential requests per scenario for the transaction count
QUIET = 11  # seconds
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "fastbackend" / "bench-express"
PRISMA_OFFLINE = {"PRISMA_SCHEMA_ENGINE_BINARY": "/bin/true",
                  "PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING": "1",
                  "PRISMA_HIDE_UPDATE_MESSAGE": "1", "CHECKPOINT_DISABLE": "1"}


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, env={**os.environ, **PRISMA_OFFLINE},
                            capture_output=True, text=True, timeout=900, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


def _node_modules(outputs: dict[str, str]) -> Path:
    """The emitted lockfile's dependencies, installed once per lockfile."""
    lock = outputs["package-lock.json"]
    folder = CACHE / hashlib.sha256(lock.encode()).hexdigest()[:16]
    if not (folder / "node_modules" / ".bin" / "tsc").exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text(outputs["package.json"], "utf-8")
        (folder / "package-lock.json").write_text(lock, "utf-8")
        _run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
             folder)
    return folder / "node_modules"


def blog(provider: str | None) -> IR:
    """The blog IR; with ``provider`` as its datasource's (``mysql``: a MySQL project)."""
    ir = load(IR_PATH)
    return ir if provider is None else replace(ir, database=Database(provider=provider))


def build_express(folder: Path, provider: str | None = None) -> Path:
    """The blog's Express project, emitted, generated and compiled in ``folder``."""
    outputs = render_project(blog(provider))
    for path, text in outputs.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, "utf-8")
    modules = _node_modules(outputs)
    (folder / "node_modules").symlink_to(modules, target_is_directory=True)
    _run([str(modules / ".bin" / "prisma"), "generate"], folder)
    _run([str(modules / ".bin" / "tsc"), "-p", "."], folder)
    return folder


@contextmanager
def express_server(project: Path, database_url: str) -> Iterator[str]:
    port = free_port()
    node = shutil.which("node") or "node"
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "DATABASE_URL": database_url,
           "NODE_ENV": "production"}
    process = subprocess.Popen([node, "dist/server.js"], cwd=project, env=env,
                               stdout=subprocess.DEVNULL)
    with running(process, f"http://127.0.0.1:{port}", "/posts/1") as base_url:
        yield base_url


def _transactions(database: str) -> int:
    """The database's committed and rolled-back transactions, once every connection has
    reported its own: an idle PostgreSQL connection reports within 10 s (PGSTAT_IDLE_INTERVAL),
    so the count is read when it has not moved for QUIET seconds."""
    query = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s"
    last, since, deadline = -1, time.monotonic(), time.monotonic() + 120
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        while time.monotonic() < deadline:
            admin.execute("SELECT pg_stat_clear_snapshot()")
            row = admin.execute(query, (database,)).fetchone()
            value = int(row[0]) if row else 0
            if value != last:
                last, since = value, time.monotonic()
            elif time.monotonic() - since >= QUIET:
                return value
            time.sleep(1)
    return last


def transactions_per_request(base_url: str, database: str) -> dict[str, float]:
    """Per scenario, PostgreSQL's count of transactions over PROBE_REQUESTS sequential requests
    (the probe's own reads of pg_stat_database are another database's)."""
    found = {}
    before = _transactions(database)
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for scenario in SCENARIOS:
            for n in range(PROBE_REQUESTS):
                client.request(scenario.method, scenario.path.replace("{id}", str(1 + n % POSTS)))
            after = _transactions(database)
            found[scenario.name] = (after - before) / PROBE_REQUESTS
            before = after
    return found


def bench(label: str, url: str) -> None:
    database = url.rsplit("/", 1)[1]
    node_url = url.replace("+psycopg", "", 1).replace("+pymysql", "", 1)
    on_postgres = label == "PostgreSQL"
    seed(url)
    with ExitStack() as stack:
        project = build_express(Path(stack.enter_context(tempfile.TemporaryDirectory())),
                                None if on_postgres else "mysql")
        runtime_env = {"DATABASE_URL": url, "FASTBACKEND_IR": str(IR_PATH)}
        servers = {
            "FastAPI runtime": stack.enter_context(
                server("fastbackend_fastapi.asgi:create_app_from_env", runtime_env, True)),
            "Express": stack.enter_context(express_server(project, node_url)),
        }
        best: dict[str, dict[str, float]] = {name: {} for name in servers}
        for scenario in SCENARIOS:
            for _ in range(ROUNDS):
                for name, base_url in servers.items():
                    result = measure(base_url, scenario, POSTS, SECONDS, CONNECTIONS, "")
                    if result.errors:
                        print(f"   ! {name} {scenario.name}: {result.errors} error responses")
                    best[name][scenario.name] = max(best[name].get(scenario.name, 0.0),
                                                    result.requests_per_second)
        per_request = {name: transactions_per_request(base, database) if on_postgres else {}
                       for name, base in servers.items()}
    report(label, best, per_request)


def report(label: str, best: dict[str, dict[str, float]],
           per_request: dict[str, dict[str, float]]) -> None:
    runtime, express = best["FastAPI runtime"], best["Express"]
    print(f"-- {label}: req/s (database transactions per request)")
    print(f"   {'scenario':<15}{'FastAPI runtime':>22}{'Express':>22}{'ratio':>8}")
    for scenario in SCENARIOS:
        name = scenario.name
        cells = [f"{r[name]:,.0f} ({_count(per_request[server_name].get(name))})".rjust(22)
                 for server_name, r in (("FastAPI runtime", runtime), ("Express", express))]
        print(f"   {name:<15}{''.join(cells)}{express[name] / runtime[name]:>7.2f}x"
              "   target 1.0x")


def _count(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def main() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("-- skipped: node and npm are needed to build the Express server")
        return
    print(f"   load: {load_generator()}, {CONNECTIONS} connections, best of {ROUNDS} x "
          f"{SECONDS:.0f} s per server and scenario, one process per server "
          f"(uvicorn, node)")
    for label, key, available, database in (
            ("PostgreSQL", "postgresql", postgres_available, postgres_database),
            ("MariaDB", "mariadb", mariadb_available, mariadb_database)):
        if key not in DATABASES:
            continue
        if not available():
            print(f"-- {label}: not reachable, skipped")
            continue
        with database() as url:
            bench(label, url)


if __name__ == "__main__":
    main()

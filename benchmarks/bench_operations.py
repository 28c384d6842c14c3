"""The throughput cost of the runtime's operations features (docs/operations.md), each against
the same runtime with every feature off, same run, same SQLite database, same load generator.

Issue #24's target: metrics + JSON logs (with the access log) cost at most 10% of req/s.
Tracing is measured without an exporter (spans are made, then dropped): what an OTLP export
adds is the collector's side. Rate limits use a bucket far larger than the load, so every
request is served and only the bucket's bookkeeping is measured; Redis's when it answers.
Both servers share the machine's cores with the load generator.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from benchmarks.bench_runtime import (
    CONNECTIONS,
    IR_PATH,
    POSTS,
    ROUNDS,
    SECONDS,
    seed,
    sqlite_database,
)
from benchmarks.runtime_load import Scenario, load_generator, measure
from benchmarks.runtime_servers import ROOT, free_port, running

SCENARIOS = (
    Scenario("read-by-id", "GET", "/posts/{id}"),
    Scenario("filtered list", "GET", "/posts?status=published&limit=20"),
)
UNLIMITED = {"FASTBACKEND_RATE_LIMIT": "1", "FASTBACKEND_RATE_LIMIT_REQUESTS": str(10**9)}
FEATURES: dict[str, dict[str, str]] = {
    "off": {},
    "metrics+json logs": {"FASTBACKEND_METRICS": "1", "FASTBACKEND_LOG_FORMAT": "json"},
    # one line per request through Python's logging, as uvicorn's own access log writes one
    "+ access log": {"FASTBACKEND_METRICS": "1", "FASTBACKEND_LOG_FORMAT": "json",
                     "FASTBACKEND_ACCESS_LOG": "1"},
    "tracing": {"FASTBACKEND_TRACING": "1"},
    "rate limit (memory)": UNLIMITED,
    "rate limit (redis)": {**UNLIMITED, "FASTBACKEND_RATE_LIMIT_STORAGE": "redis",
                           "FASTBACKEND_RATE_LIMIT_PREFIX": f"fbbench:{time.time_ns()}"},
}
TARGET = 0.10  # metrics + logs


def redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                             socket_connect_timeout=2).ping()
    except Exception:  # any failure means: measure without it
        return False
    return True


@contextmanager
def runtime(url: str, env: dict[str, str]) -> Iterator[str]:
    """The runtime under uvicorn (one worker); its logs go nowhere, but are still written."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "fastbackend_fastapi.asgi:create_app_from_env",
               "--factory", "--host", "127.0.0.1", "--port", str(port), "--log-level",
               "warning", "--no-access-log"]
    environment = {**os.environ, "DATABASE_URL": url, "FASTBACKEND_IR": str(IR_PATH), **env}
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    with running(process, f"http://127.0.0.1:{port}", "/posts/1") as base_url:
        yield base_url


def main() -> None:
    features = {name: env for name, env in FEATURES.items()
                if "redis" not in name or redis_available()}
    print(f"   load: {load_generator()}, {CONNECTIONS} connections, best of {ROUNDS} x "
          f"{SECONDS:.0f} s per app and scenario, SQLite, one uvicorn worker per app")
    with sqlite_database() as url:
        seed(url)
        with ExitStack() as stack:
            urls = {name: stack.enter_context(runtime(url, env)) for name, env in features.items()}
            best: dict[str, dict[str, float]] = {name: {} for name in urls}
            for scenario in SCENARIOS:
                for _ in range(ROUNDS):
                    for name, base_url in urls.items():  # taking turns: noise hits all alike
                        result = measure(base_url, scenario, POSTS, SECONDS, CONNECTIONS, "")
                        rate = max(best[name].get(scenario.name, 0.0), result.requests_per_second)
                        best[name][scenario.name] = rate
    report(best)


def report(best: dict[str, dict[str, float]]) -> None:
    off = best.pop("off")
    print(f"-- req/s, and the cost against every feature off (target for metrics+json logs: "
          f"at most {TARGET:.0%})")
    print(f"   {'scenario':<15}{'off':>10}" + "".join(f"{name:>28}" for name in best))
    for scenario in SCENARIOS:
        base = off[scenario.name]
        cells = "".join(f"{r[scenario.name]:>8,.0f} ({1 - r[scenario.name] / base:+5.1%} cost)"
                        .rjust(28) for r in best.values())
        print(f"   {scenario.name:<15}{base:>10,.0f}{cells}")


if __name__ == "__main__":
    main()

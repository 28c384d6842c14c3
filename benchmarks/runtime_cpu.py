"""Server CPU per request: the figure the machine's load disturbs least (docs/performance.md).

Each app runs under uvicorn (one worker) as in bench_runtime; wrk drives a scenario and the
server process's CPU time (user + system, from /proc) over the run is divided by the requests
wrk completed. Run alone: `python -m benchmarks.runtime_cpu [sqlite,postgresql,mariadb]`.

FASTBACKEND_CPU_APPS (e.g. `hand,inline,thread`) keeps the apps whose names contain one of
its words; FASTBACKEND_CPU_COMPARE names the folder of another checkout (`git archive REV
adapters compiler grammars ir_schema | tar -x -C DIR`) whose runtime runs beside this one's,
the apps taking turns, so a change is measured against its parent in the same conditions.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path

from benchmarks.runtime_load import Result, Scenario, measure

TICKS = os.sysconf("SC_CLK_TCK")
PACKAGES = ("adapters", "compiler", "grammars", "ir_schema")


def process_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) used by ``pid`` and its threads so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu_per_request(pid: int, base_url: str, scenario: Scenario, rows: int, seconds: float,
                    connections: int, prefix: str) -> tuple[float, Result]:
    """(server CPU µs per request, the load's result) over one run of ``scenario``."""
    before = process_cpu(pid)
    result = measure(base_url, scenario, rows, seconds, connections, prefix)
    used = process_cpu(pid) - before
    return used / max(result.requests, 1) * 1e6, result


def main(argv: list[str] | None = None) -> None:
    from benchmarks import bench_runtime as bench
    from benchmarks.runtime_servers import (
        mariadb_database,
        postgres_database,
        started,
    )

    names = (argv or sys.argv[1:] or ["sqlite,postgresql"])[0].split(",")
    seconds = float(os.environ.get("FASTBACKEND_BENCH_SECONDS", "3"))
    databases = {"sqlite": ("SQLite", bench.sqlite_database),
                 "postgresql": ("PostgreSQL", postgres_database),
                 "mariadb": ("MariaDB", mariadb_database)}
    only = os.environ.get("FASTBACKEND_CPU_APPS", "")
    compare = os.environ.get("FASTBACKEND_CPU_COMPARE", "")
    for name in names:
        label, make = databases[name]
        with make() as url:
            bench.seed(url)
            with ExitStack() as stack:
                apps = {app: stack.enter_context(started(target, env, factory))
                        for app, (target, env, factory) in bench.apps(url, label).items()
                        if not only or any(o in app for o in only.split(","))}
                if compare:  # the same apps from another checkout's packages, side by side
                    path = os.pathsep.join(str(Path(compare) / folder) for folder in PACKAGES)
                    for app, (target, env, factory) in bench.apps(url, label).items():
                        if app != "hand-written" and (not only or any(
                                o in app for o in only.split(","))):
                            apps[f"{app} before"] = stack.enter_context(started(
                                target, {**env, "PYTHONPATH": path}, factory))
                apps[bench.CEILING] = stack.enter_context(
                    started("benchmarks.runtime_ceiling:app", {}))
                for scenario in bench.SCENARIOS[:4]:
                    best: dict[str, tuple[float, float]] = {}
                    for _ in range(bench.ROUNDS):  # the apps take turns; the least CPU counts
                        for app, (pid, base_url) in apps.items():
                            if ((app == "hand-written" and scenario.runtime_only)
                                    or (app == bench.CEILING
                                        and scenario is not bench.SCENARIOS[0])):
                                continue
                            micro, result = cpu_per_request(pid, base_url, scenario, bench.POSTS,
                                                            seconds, bench.CONNECTIONS, "cpu-")
                            rate = result.requests_per_second
                            low, high = best.get(app, (micro, rate))
                            best[app] = (min(low, micro), max(high, rate))
                    for app, (micro, rate) in best.items():
                        print(f"{label:<11}{scenario.name:<16}{app:<28}{micro:>7.0f} µs"
                              f"{rate:>9,.0f} req/s", flush=True)

if __name__ == "__main__":
    main()

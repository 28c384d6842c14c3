"""Runtime start-up time against the number of entities: 10, 100, 300 and 1,000.

Each schema is generated (every model has scalars of several kinds, a unique column, an index and
a many-to-one relation to the previous model), compiled once, then served: `create_app` on a fresh
SQLite file, tables created, every route built. Start-up must grow linearly: the figure that
matters is the time per entity at each size against the time per entity at 100 entities, measured
in the same run (a ratio near 1 is linear; it was 10x at 1,000 when start-up was quadratic).
FASTBACKEND_BENCH_STARTUP_SIZES overrides the sizes (comma-separated).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from fastbackend.frontends.prisma import compile_texts
from fastbackend_fastapi.app import create_app
from fastbackend_ir import IR
from tests.adapters.fastapi.many_entities import schema

SIZES = tuple(int(n) for n in
              os.environ.get("FASTBACKEND_BENCH_STARTUP_SIZES", "10,100,300,1000").split(","))
BASELINE = 100


def start_seconds(ir: IR) -> tuple[float, float]:
    """One start-up, on a database of its own: (CPU seconds of this process, wall seconds).
    CPU time is the figure compared: the machine may be shared, and waiting is not work."""
    with tempfile.TemporaryDirectory() as folder:
        cpu, wall = time.process_time(), time.perf_counter()
        create_app(ir, f"sqlite:///{Path(folder) / 'app.db'}", custom_path=None,
                   project_path=folder)
        return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    start_seconds(compile_texts({"schema.prisma": schema(2)}).ir)  # warm-up: imports, caches
    per_entity: dict[int, float] = {}
    for count in SIZES:
        ir = compile_texts({"schema.prisma": schema(count)}).ir
        rounds = 3 if count <= BASELINE else 1
        seconds, wall = min(start_seconds(ir) for _ in range(rounds))
        per_entity[count] = seconds / count
        print(f"   {count:>5} entities: start-up {seconds:6.2f} s CPU ({wall:6.2f} s wall), "
              f"{seconds / count * 1000:5.1f} ms CPU per entity", flush=True)
    if BASELINE in per_entity:
        for count, value in per_entity.items():
            print(f"   per-entity time at {count} / at {BASELINE}: "
                  f"{value / per_entity[BASELINE]:.2f}x (1.0 is linear)")


if __name__ == "__main__":
    main()

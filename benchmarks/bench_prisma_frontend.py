"""Prisma front-end: parse + validate + lower the generated 300-model schema, against Prisma's
own wasm engine (`get_dmmf`, Prisma 7 build) on the same file, measured in the same run.

Both sides are warmed up first (FastBackend's LALR parser is built once per process; the wasm
module is instantiated once), then timed over several runs; the best run counts for each. The
machine may be shared: only the ratio, measured in the same run, is meaningful.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from fastbackend.frontends.prisma import compile_texts
from fastbackend.frontends.prisma.compile import parse_texts
from fastbackend.frontends.prisma.parser import build_parser

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "tests" / "corpus" / "prisma" / "valid" / "generated_300_models.prisma"
REPEAT = 5


def _best(action: Callable[[], object], repeat: int = REPEAT) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def _prisma_seconds(texts: dict[str, str]) -> float | None:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "prisma-schema-wasm-7").exists():
        return None
    from tests.frontends.prisma.corpus import Case, run_oracle

    result = run_oracle([Case("large", texts)], node, benchmark=REPEAT)
    seconds: float = result["large"]["seconds"]
    return seconds


def main() -> None:
    texts = {"schema.prisma": SCHEMA.read_text("utf-8")}
    build_parser()
    compile_texts(texts)  # warm-up
    parse = _best(lambda: parse_texts(texts))
    full = _best(lambda: compile_texts(texts))
    print(f"   FastBackend, 300 models ({len(texts['schema.prisma']) // 1024} KiB): "
          f"parse {parse * 1000:.0f} ms, parse + validate + lower {full * 1000:.0f} ms")
    prisma = _prisma_seconds(texts)
    if prisma is None:
        print("   Prisma's wasm engine not installed (npm ci --ignore-scripts): no ratio")
        return
    print(f"   Prisma get_dmmf (wasm, same file): {prisma * 1000:.0f} ms")
    print(f"   ratio FastBackend / Prisma: {full / prisma:.1f}x")


if __name__ == "__main__":
    main()

"""Compiler speed (issue #19): the CLI as a pre-commit hook runs it, in CPU seconds of whole
processes (interpreter start-up included), against baselines measured in the same run.

1. `fastbackend --version`; `fastbackend compile --check` on examples/blog, answered by its
   stamp and (--no-cache) compiling. Budgets: 0.12 s and 0.3 s.
2. The generated 300-model schema.prisma, default targets (ir + openapi), against Prisma's own
   wasm engine (validate + DMMF, node start-up included) on the same file. Budget: 2x.
3. A generated 1,000-model models.py, default targets, against `python -c "import models"`
   of the same file, and against that plus configure_mappers() (SQLAlchemy's whole work on
   it: relationships are mapped on first use). Budget: 0.5x. With the breakdown: libcst's
   parse of the file alone, and each stage in one process.
4. Scaling: 10, 100, 300 and 1,000 models (the models.py generator): time, the time each added
   model costs between rows, output size and size per model.

CPU time (user + system, from the children's rusage) rather than wall time: the machine is
shared, and CPU time is what another process's load disturbs least. Each figure is the best
of a few runs. FastBackend runs with its bytecode cached (as installed; a folder of the run's
own, PYTHONPYCACHEPREFIX, even where PYTHONDONTWRITEBYTECODE is set); the SQLAlchemy baseline
imports models.py without a cached .pyc, as the first import after an edit does.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.bench_sqlalchemy_frontend import generated_models

ROOT = Path(__file__).resolve().parent.parent
FASTBACKEND = [sys.executable, "-c", "from fastbackend.cli.main import main; main()"]
PRISMA_300 = ROOT / "tests" / "corpus" / "prisma" / "valid" / "generated_300_models.prisma"
SCALING = (10, 100, 300, 1000)


ENVIRONMENT: dict[str, str] = {}  # set by main(): the bytecode and stamp folders


def cpu_seconds(command: Sequence[str], cwd: Path, stdin: str | None = None,
                env: dict[str, str] | None = None) -> float:
    """User + system CPU time of one child process (and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(list(command), cwd=cwd, input=stdin, text=True, capture_output=True,
                   check=True, env={**ENVIRONMENT, **(env or {})})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(measure: Callable[[], float], runs: int) -> float:
    return min(measure() for _ in range(runs))


def verdict(value: float, budget: float) -> str:
    return f"within the {budget:g}" if value <= budget else f"OVER the {budget:g}"


def bench_quick_commands(folder: Path) -> None:
    version = best(lambda: cpu_seconds([*FASTBACKEND, "--version"], folder), 5)
    print(f"   fastbackend --version: {version:.3f} s CPU ({verdict(version, 0.12)} s budget)")
    blog = folder / "blog"
    shutil.copytree(ROOT / "examples" / "blog", blog)
    subprocess.run([*FASTBACKEND, "compile", "-q"], cwd=blog, check=True, env=ENVIRONMENT)
    stamped = best(lambda: cpu_seconds([*FASTBACKEND, "compile", "--check"], blog), 5)
    compiled = best(lambda: cpu_seconds([*FASTBACKEND, "compile", "--check", "--no-cache"],
                                        blog), 3)
    print(f"   compile --check, examples/blog: {stamped:.3f} s CPU with its stamp "
          f"({verdict(stamped, 0.3)} s budget); {compiled:.3f} s compiling (--no-cache)")


def compile_cpu(source: Path, out: Path, runs: int) -> float:
    return best(lambda: cpu_seconds([*FASTBACKEND, "compile", str(source), "-q", "--no-cache",
                                     "--out", str(out)], source.parent), runs)


def prisma_engine_cpu(text: str) -> float | None:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "prisma-schema-wasm-7").exists():
        return None
    from tests.frontends.prisma.corpus import ORACLE

    request = json.dumps({"benchmark": 0, "schemas": [
        {"id": "large", "engine": "7", "files": [["schema.prisma", text]]}]})
    return best(lambda: cpu_seconds([node, str(ORACLE)], ROOT, stdin=request), 3)


def bench_prisma(folder: Path) -> None:
    schema = folder / "p300" / "schema.prisma"
    schema.parent.mkdir()
    shutil.copy(PRISMA_300, schema)
    ours = compile_cpu(schema, folder / "p300-out", 3)
    theirs = prisma_engine_cpu(schema.read_text("utf-8"))
    size = sum(p.stat().st_size for p in (folder / "p300-out").iterdir())
    print(f"   300-model schema.prisma, default targets: {ours:.2f} s CPU, {size / 1e6:.1f} MB "
          "written")
    if theirs is None:
        print("   Prisma's wasm engine not installed (npm ci --ignore-scripts): no ratio")
        return
    ratio = ours / theirs
    print(f"   Prisma wasm engine (validate + DMMF, node start-up included): {theirs:.2f} s CPU; "
          f"ratio {ratio:.2f}x ({verdict(ratio, 2)}x budget)")


IMPORT_ONLY = "import models"
# Importing declares the classes; SQLAlchemy maps them (relationships, back_populates) when
# first used: this is its whole work on the file (bench_sqlalchemy_frontend's baseline too).
IMPORT_AND_MAP = "import models, sqlalchemy.orm; sqlalchemy.orm.configure_mappers()"


def sqlalchemy_cpu(models: Path, code: str) -> float:
    fresh = {"PYTHONDONTWRITEBYTECODE": "1"}  # models.py as just edited: no cached .pyc
    return best(lambda: cpu_seconds([sys.executable, "-c", code], models.parent, env=fresh), 2)


def breakdown(models: Path) -> str:
    """Each stage's CPU time in one process (start-up excluded; each stage's first use imports
    what it needs), with the cyclic garbage collector paused as the CLI does."""
    import libcst

    from fastbackend.frontends.sqlalchemy import compile_sources
    from fastbackend.gc_pause import paused_gc
    from fastbackend.sources import resolve
    from fastbackend_ir import dumps, dumps_source_map
    from fastbackend_openapi import emit, to_yaml

    text = models.read_text("utf-8")
    clock = time.process_time
    with paused_gc():  # as the CLI compiles
        started = clock()
        libcst.parse_module(text)
        parsed = clock()
        result = compile_sources(resolve(models))
        front = clock()
        dumps(result.ir)
        dumps_source_map(result.source_map)
        ir = clock()
        document = emit(result.ir)
        emitted = clock()
        to_yaml(document)
        written = clock()
    return (f"libcst parse alone {parsed - started:.2f} s; front-end (its own parse included) "
            f"{front - parsed:.2f} s; IR + map {ir - front:.2f} s; OpenAPI emit "
            f"{emitted - ir:.2f} s; YAML {written - emitted:.2f} s")


def write_models(folder: Path, count: int) -> Path:
    path = folder / f"m{count}" / "models.py"
    path.parent.mkdir()
    path.write_text(generated_models(count), "utf-8")
    return path


def bench_sqlalchemy(folder: Path) -> tuple[float, int]:
    models = write_models(folder, 1000)
    out = folder / "m1000-out"
    ours = compile_cpu(models, out, 2)
    print(f"   1,000-model models.py, default targets: {ours:.2f} s CPU")
    for label, code in (("import", IMPORT_ONLY), ("import + map", IMPORT_AND_MAP)):
        theirs = sqlalchemy_cpu(models, code)
        ratio = ours / theirs
        print(f"   SQLAlchemy {label} (`python -c \"{code}\"`): {theirs:.2f} s CPU; ratio "
              f"{ratio:.2f}x ({verdict(ratio, 0.5)}x budget)", flush=True)
    print(f"   breakdown (one process): {breakdown(models)}", flush=True)
    return ours, sum(p.stat().st_size for p in out.iterdir())


def bench_scaling(folder: Path, largest: tuple[float, int]) -> None:
    """Linear growth shows as a steady cost per added model (start-up is paid once, so the
    10-model row's share of it is not a per-model cost) and a steady size per model."""
    print("   models | CPU s | ms per added model | output MB | KB per model")
    previous: tuple[int, float] | None = None
    for count in SCALING:
        if count == 1000:
            seconds, size = largest
        else:
            models = write_models(folder, count)
            out = folder / f"m{count}-out"
            seconds = compile_cpu(models, out, 2)
            size = sum(p.stat().st_size for p in out.iterdir())
        added = ("" if previous is None
                 else f"{(seconds - previous[1]) / (count - previous[0]) * 1000:.1f}")
        print(f"   {count:>6,} | {seconds:5.2f} | {added:>18} | {size / 1e6:9.2f} | "
              f"{size / count / 1000:12.1f}", flush=True)
        previous = (count, seconds)


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        ENVIRONMENT.update({key: value for key, value in os.environ.items()
                            if key != "PYTHONDONTWRITEBYTECODE"})
        ENVIRONMENT.update(FASTBACKEND_CACHE_DIR=str(folder / "cache"),
                           PYTHONPYCACHEPREFIX=str(folder / "pycache"))
        bench_quick_commands(folder)
        bench_prisma(folder)
        largest = bench_sqlalchemy(folder)
        bench_scaling(folder, largest)


if __name__ == "__main__":
    main()

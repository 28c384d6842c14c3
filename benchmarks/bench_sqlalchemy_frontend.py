"""Compile time of the SQLAlchemy front-end, against what real SQLAlchemy takes to import and map
the same models, measured in the same run.

1. A generated file of 1,000 models (columns of several types, a foreign key and a relationship
   with back_populates to the previous model, an index, an enum).
2. The differential-test corpus (tests/corpus/sqlalchemy), every case.

The baseline runs in a subprocess (the compiler never imports user code): it times executing the
module and configure_mappers(), after `import sqlalchemy` so interpreter start-up is not counted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fastbackend.frontends.sqlalchemy import compile_sources as frontend_compile
from fastbackend.pipeline import compile_path
from fastbackend.sources import resolve

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "sqlalchemy"
MODELS = 1000

BASELINE = """
import importlib, json, pkgutil, sys, time
from pathlib import Path
import sqlalchemy.orm
case = Path(sys.argv[1])
sys.path.insert(0, str(case.parent))
started = time.perf_counter()
name = case.stem if case.is_file() else case.name
module = importlib.import_module(name)
if case.is_dir():
    for info in pkgutil.walk_packages(module.__path__, name + "."):
        importlib.import_module(info.name)
sqlalchemy.orm.configure_mappers()
print(json.dumps(time.perf_counter() - started))
"""

HEADER = '''import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, Enum, ForeignKey, Numeric, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Status(enum.Enum):
    active = "active"
    retired = "retired"
'''

MODEL = '''

class Model{i}(Base):
    """Generated model number {i}."""

    __tablename__ = "model_{i}"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    notes: Mapped[Optional[str]] = mapped_column(Text)
    price: Mapped[float] = mapped_column(Numeric(10, 2), server_default="0")
    status: Mapped[Status] = mapped_column(Enum(Status), default=Status.active)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
'''

LINK = '''    previous_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("model_{p}.id", ondelete="SET NULL"))
    previous: Mapped[Optional["Model{p}"]] = relationship(back_populates="following")
'''
FOLLOWING = '''    following: Mapped[list["Model{n}"]] = relationship(back_populates="previous")
'''


def generated_models(count: int) -> str:
    parts = [HEADER]
    for i in range(count):
        parts.append(MODEL.format(i=i))
        if i > 0:
            parts.append(LINK.format(p=i - 1))
        if i < count - 1:
            parts.append(FOLLOWING.format(n=i + 1))
    return "".join(parts)


def compile_seconds(path: Path) -> float:
    started = time.perf_counter()
    compile_path(path)
    return time.perf_counter() - started


def front_end_seconds(path: Path) -> float:
    """The front-end alone, without the pipeline's schema validation of the IR."""
    started = time.perf_counter()
    frontend_compile(resolve(path))
    return time.perf_counter() - started


def sqlalchemy_seconds(path: Path) -> float:
    done = subprocess.run([sys.executable, "-c", BASELINE, str(path)], capture_output=True,
                          text=True, check=True, cwd=path.parent)
    seconds: float = json.loads(done.stdout)
    return seconds


def report(label: str, ours: float, theirs: float) -> None:
    print(f"   {label}: compile {ours * 1000:,.0f} ms; SQLAlchemy import+map {theirs * 1000:,.0f} ms; "
          f"ratio {ours / theirs:.2f}x", flush=True)


def bench_generated() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "models_1000.py"
        text = generated_models(MODELS)
        path.write_text(text, "utf-8")
        lines = text.count("\n")
        ours = min(compile_seconds(path) for _ in range(2))
        front_end = min(front_end_seconds(path) for _ in range(2))
        theirs = min(sqlalchemy_seconds(path) for _ in range(2))
        report(f"{MODELS:,} models ({lines:,} lines)", ours, theirs)
        report("   of which the front-end, without IR validation", front_end, theirs)
        print(f"   {lines / ours:,.0f} lines/s, {ours / MODELS * 1000:.2f} ms per model", flush=True)


def bench_corpus() -> None:
    cases = sorted(p for p in CORPUS.iterdir()
                   if p.suffix == ".py" or (p / "__init__.py").is_file())
    ours = sum(compile_seconds(case) for case in cases)
    theirs = sum(sqlalchemy_seconds(case) for case in cases)
    report(f"corpus, {len(cases)} cases", ours, theirs)


def main() -> None:
    bench_generated()
    bench_corpus()


if __name__ == "__main__":
    main()

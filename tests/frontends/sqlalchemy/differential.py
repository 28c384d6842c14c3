"""Run corpus cases through real SQLAlchemy (one subprocess per SQLAlchemy version for the whole
corpus) and through the compiler, and compare their facts.

``python -m tests.frontends.sqlalchemy.differential [2.0|2.1]`` prints the agreement figure over
the corpus and the real-world projects.

The versions: 2.1 is the one installed in .venv; 2.0 is installed by ``make setup`` from
sqlalchemy-2.0.txt into .venv/sqlalchemy-2.0 and put first on PYTHONPATH. Libraries that pin
SQLAlchemy below 2.1 (fastapi-users) are installed without their dependencies from
model-libraries.txt into .venv/model-libraries, so they never downgrade the venv's SQLAlchemy.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from fastbackend.diagnostics import CompileError
from fastbackend.pipeline import compile_path
from tests.frontends.sqlalchemy.facts import Agreement, compare, ir_facts

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus" / "sqlalchemy"
REAL = CORPUS / "real"
GROUND_TRUTH = Path(__file__).with_name("ground_truth.py")
VENV = Path(sys.prefix)
ORACLES: dict[str, tuple[Path, ...]] = {
    "2.1": (VENV / "model-libraries",),
    "2.0": (VENV / "sqlalchemy-2.0", VENV / "model-libraries"),
}
VERSIONS = tuple(ORACLES)


def _is_case(path: Path) -> bool:
    if path.name.startswith(("_", ".")):
        return False
    return path.suffix == ".py" or (path / "__init__.py").is_file() or (
        path / "fastbackend.yaml").is_file()


def corpus_cases() -> list[Path]:
    return sorted(path for path in CORPUS.iterdir() if _is_case(path))


def real_projects() -> list[Path]:
    return sorted(path for path in REAL.iterdir() if _is_case(path)) if REAL.is_dir() else []


def missing_oracle(version: str) -> str | None:
    """Why the version's oracle cannot run here (None when it can)."""
    for folder in ORACLES[version]:
        if not folder.is_dir():
            return f"{folder} is missing: run `make setup`"
    return None


@functools.cache
def ground_truths(version: str) -> dict[str, dict[str, Any]]:
    """Every case's facts (or import error) as SQLAlchemy ``version`` reports them."""
    cases = [str(case) for case in (*corpus_cases(), *real_projects())]
    path = os.pathsep.join(str(p) for p in ORACLES[version])
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run([sys.executable, str(GROUND_TRUTH), *cases], capture_output=True,
                          text=True, check=False, env=env, cwd=CORPUS)
    if done.returncode != 0:
        raise RuntimeError(f"the SQLAlchemy {version} oracle failed:\n{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout)
    if not str(report["sqlalchemy"]).startswith(version):
        raise RuntimeError(f"asked for SQLAlchemy {version}, ran {report['sqlalchemy']}")
    cases_found: dict[str, dict[str, Any]] = report["cases"]
    return cases_found


def ground_truth(case: Path, version: str = "2.1") -> dict[str, Any]:
    found = ground_truths(version)[str(case)]
    if "error" in found:
        raise RuntimeError(f"SQLAlchemy {version} could not import {case.name}:\n{found['error']}")
    facts: dict[str, Any] = found["facts"]
    return facts


def agreement(case: Path, version: str = "2.1") -> Agreement:
    truth = ground_truth(case, version)
    try:
        _, compiled = compile_path(case)
    except CompileError as error:
        return Agreement([], [f"does not compile: {error}", *truth])
    return compare(truth, ir_facts(compiled.ir))


def main(version: str = "2.1") -> int:
    agree = total = 0
    for case in (*corpus_cases(), *real_projects()):
        result = agreement(case, version)
        agree += len(result.agree)
        total += result.total
        for line in result.disagree:
            print(f"{case.name}: {line}")
    print(f"SQLAlchemy {version}: {agree:,} of {total:,} facts agree")
    return 0 if agree == total else 1


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:2]))

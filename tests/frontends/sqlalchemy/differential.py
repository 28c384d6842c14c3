"""Run one corpus case through real SQLAlchemy (in a subprocess) and through the compiler, and
compare their facts. ``python -m tests.frontends.sqlalchemy.differential`` prints the agreement
figure over the whole corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from fastbackend.diagnostics import CompileError
from fastbackend.pipeline import compile_path
from tests.frontends.sqlalchemy.facts import Agreement, compare, ir_facts

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus" / "sqlalchemy"
GROUND_TRUTH = Path(__file__).with_name("ground_truth.py")


def corpus_cases() -> list[Path]:
    return sorted(
        path for path in CORPUS.iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").is_file())
        and not path.name.startswith(("_", "."))
    )


def ground_truth(case: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(GROUND_TRUTH), str(case.resolve())], capture_output=True,
                          text=True, check=False, cwd=case.parent)
    if done.returncode != 0:
        raise RuntimeError(f"SQLAlchemy could not import {case.name}:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def agreement(case: Path) -> Agreement:
    truth = ground_truth(case)
    try:
        _, compiled = compile_path(case)
    except CompileError as error:
        return Agreement([], [f"does not compile: {error}", *truth])
    return compare(truth, ir_facts(compiled.ir))


def main() -> int:
    cases = corpus_cases()
    agree = total = 0
    for case in cases:
        result = agreement(case)
        agree += len(result.agree)
        total += result.total
        for line in result.disagree:
            print(f"{case.name}: {line}")
    print(f"{agree:,} of {total:,} facts agree across {len(cases)} cases")
    return 0 if agree == total else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Corpus files with one line deleted or two lines swapped (seeded, so always the same cases):
the compiler never fails internally, and whenever both it and real SQLAlchemy accept a mutant,
they agree on every fact."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from fastbackend.diagnostics import CompileError
from fastbackend.pipeline import compile_path
from tests.frontends.sqlalchemy.differential import CORPUS, GROUND_TRUTH
from tests.frontends.sqlalchemy.facts import compare, ir_facts
from tests.frontends.sqlalchemy.test_differential import KNOWN_DISAGREEMENTS

KNOWN = {line for lines in KNOWN_DISAGREEMENTS.values() for line in lines}
MUTANTS = 40
# The oracle leaves out AbstractConcreteBase mappers (they map a polymorphic union, not a table),
# a normalization of the harness: a mutant that gives such a class a table would be compared
# with the normalization, not with SQLAlchemy.
NOT_MUTATED = frozenset({"abstract_concrete"})


def _mutants() -> list[tuple[str, str]]:
    chooser = random.Random(20261124)
    files = sorted(p for p in CORPUS.glob("*.py") if p.stem not in NOT_MUTATED)
    found: list[tuple[str, str]] = []
    for number in range(MUTANTS):
        source = chooser.choice(files)
        lines = source.read_text("utf-8").splitlines()
        k, j = chooser.randrange(len(lines)), chooser.randrange(len(lines))
        if number % 2:
            del lines[k]
        else:
            lines[k], lines[j] = lines[j], lines[k]
        found.append((f"{source.stem}_{number}", "\n".join(lines) + "\n"))
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("name", "text"), _mutants(), ids=lambda x: x if "\n" not in x else "")
def test_a_mutant_never_breaks_the_compiler_and_agrees_when_both_accept(
        tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / f"{name}.py"
    path.write_text(text, "utf-8")
    try:
        _, result = compile_path(path)
    except CompileError as error:
        assert not [d for d in error.errors if d.code in ("FB100", "FB006")], error
        return
    done = subprocess.run([sys.executable, str(GROUND_TRUTH), str(path)], capture_output=True,
                          text=True, check=False, cwd=tmp_path)
    found = json.loads(done.stdout)["cases"][str(path)]
    if "error" in found:
        return  # SQLAlchemy refuses it (often a NameError the compiler reported as FB105)
    agreement = compare(found["facts"], ir_facts(result.ir))
    assert [d for d in agreement.disagree if d not in KNOWN] == []

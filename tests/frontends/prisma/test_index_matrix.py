"""Every index rule against Prisma's own engine: index type x field type x native type x operator
class x per-field option, on five providers (tests/frontends/prisma/index_matrix.py).

Each generated line is one combination; Prisma's error lines and FastBackend's must be the same
set. `make test` runs every field type and index type with a seeded sample of the operator
classes; `make soak` runs every operator class (about 73,000 lines; the engine alone takes two
minutes).
"""

from __future__ import annotations

import re

import pytest

from fastbackend.diagnostics import CompileError
from fastbackend.frontends.prisma import compile_texts
from tests.frontends.prisma.corpus import Case, require_engines, run_oracle
from tests.frontends.prisma.index_matrix import PROVIDERS, matrix_cases

pytestmark = [pytest.mark.node, pytest.mark.slow]  # Prisma's engine per schema

SEED = 18
SAMPLE = 3  # operator classes per model in `make test`
_ERROR_LINE = re.compile(r"^error: .*?\n  -->  \S+?:(\d+)", re.MULTILINE)


def _lines(node: str, cases: list[Case]) -> dict[str, tuple[set[int], set[int]]]:
    """Per case: (Prisma's error lines, FastBackend's error lines)."""
    require_engines("prisma-schema-wasm-7")
    oracle = run_oracle(cases, node)
    found = {}
    for case in cases:
        answer = oracle[case.id]
        theirs = set() if answer["ok"] else {int(n) for n in _ERROR_LINE.findall(answer["message"])}
        try:
            compile_texts(case.files)
            ours: set[int] = set()
        except CompileError as error:
            ours = {d.line for d in error.errors}
        found[case.id] = (theirs, ours)
    return found


def _disagreements(found: dict[str, tuple[set[int], set[int]]]) -> dict[str, list[int]]:
    return {case: sorted(theirs ^ ours)[:10] for case, (theirs, ours) in found.items()
            if theirs != ours}


def test_every_index_rule_is_prismas(node: str) -> None:
    found = _lines(node, matrix_cases(SEED, SAMPLE))
    assert _disagreements(found) == {}
    # The matrix really exercises the rules: thousands of lines, most of them refused.
    assert sum(len(theirs) for theirs, _ in found.values()) > 5000
    assert len(found) == len(PROVIDERS)


@pytest.mark.soak
def test_every_operator_class_on_every_field_type(node: str) -> None:
    found = _lines(node, matrix_cases(SEED, None))
    assert _disagreements(found) == {}

"""Lists and calls nested deep in attribute arguments (issue #27, item 6).

Up to about a thousand levels Prisma's engine answers, and FastBackend must answer the same at the
same line. Deeper, the engine itself runs out of memory ("memory access out of bounds"), so there
is no answer to compare: FastBackend must still report a located FB2xx error, never a traceback.
"""

from __future__ import annotations

import pytest

from fastbackend.diagnostics import CompileError
from fastbackend.frontends.prisma import compile_texts
from tests.frontends.prisma.corpus import Case, prisma_error_lines, require_engines, run_oracle

HEADER = 'datasource db {\n  provider = "postgresql"\n}\nmodel A {\n  id Int @id\n  a  Int\n'
LINE = 7  # the nested attribute's line in every schema below
SHAPES = {
    "index": lambda depth: "  @@index(" + "[" * depth + "a" + "]" * depth + ")",
    "default": lambda depth: "  d Int[] @default(" + "[" * depth + "1" + "]" * depth + ")",
    "call": lambda depth: "  e Int @default(" + "f(" * depth + ")" * depth + ")",
    "map": lambda depth: "  @@map(" + "[" * depth + "]" * depth + ")",
    "named": lambda depth: "  @@index([a(sort: " + "x(y: " * depth + "1" + ")" * depth + ")])",
}


def schema(shape: str, depth: int) -> str:
    return HEADER + SHAPES[shape](depth) + "\n}\n"


def _our_lines(text: str) -> list[int]:
    with pytest.raises(CompileError) as raised:
        compile_texts({"schema.prisma": text})
    return sorted({d.line for d in raised.value.errors})


@pytest.mark.node
def test_nested_arguments_are_refused_at_prismas_line(node: str) -> None:
    require_engines("prisma-schema-wasm-7")
    cases = [Case(f"{shape}-{depth}", {"schema.prisma": schema(shape, depth)})
             for shape in SHAPES for depth in (2, 100, 300, 1000)]
    oracle = run_oracle(cases, node)
    for case in cases:
        assert not oracle[case.id]["ok"], case.id
        assert prisma_error_lines(oracle[case.id]["message"]) == [("schema.prisma", LINE)]
        assert _our_lines(case.files["schema.prisma"]) == [LINE], case.id


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_nesting_deeper_than_prisma_can_go_is_a_located_error(shape: str) -> None:
    _assert_located(shape, 5000)


@pytest.mark.soak
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_nesting_fifty_thousand_deep_is_a_located_error(shape: str) -> None:
    _assert_located(shape, 50000)


def _assert_located(shape: str, depth: int) -> None:
    with pytest.raises(CompileError) as raised:
        compile_texts({"schema.prisma": schema(shape, depth)})
    errors = raised.value.errors
    assert errors and all(d.line == LINE and d.code.startswith("FB2") for d in errors)
    assert all(len(d.message) < 400 for d in errors)  # the value is cut, not printed in full

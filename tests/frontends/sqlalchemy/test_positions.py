"""Declaration positions come from CPython's ast, paired with the libcst tree; they must be exactly
the positions libcst's PositionProvider computes (1-based columns)."""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from fastbackend.frontends.sqlalchemy.positions import Positions
from fastbackend.frontends.sqlalchemy.values import Pos
from tests.frontends.sqlalchemy.differential import CORPUS

ROOT = Path(__file__).resolve().parents[3]
# our corpus (real/ holds third-party code, with function-local imports these checks do not model)
FILES = sorted([*(p for p in CORPUS.rglob("*.py") if "real" not in p.relative_to(CORPUS).parts),
                ROOT / "examples" / "blog" / "models.py"])

TRICKY = '''\
import os; x = 1; y: int = 2
@decorator
class  Spaced(Base):  # two spaces after class
    a = 1; b: int = 2
    if True:
        c = 3
    async def f(self): pass
    def   g(self): pass
try:
    from a import b
except ImportError:
    z = (1)
'''


def _check(text: str) -> int:
    module = cst.parse_module(text)
    eager = Positions(module, text).eager
    ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node, pos in eager.items():
        start = ranges[node].start
        assert (pos.line, pos.column) == (start.line, start.column + 1), cst.Module([]).code_for_node(node)
    return len(eager)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_declaration_positions_match_libcst(path: Path) -> None:
    text = path.read_text("utf-8")
    assert _check(text) > 0 or not re.search(r"^\s*class ", text, re.MULTILINE)


def test_unusual_layouts_keep_exact_positions() -> None:
    assert _check(TRICKY) >= 9


def test_expression_positions_are_computed_only_when_read() -> None:
    text = "x = call(1, 2)\n"
    module = cst.parse_module(text)
    positions = Positions(module, text)
    call = module.body[0].body[0].value  # type: ignore[attr-defined]
    lazy = positions.of(call, Pos(1, 1))
    assert positions._lazy is None
    assert (lazy.line, lazy.column) == (1, 5)
    assert positions._lazy is not None

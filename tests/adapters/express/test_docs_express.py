"""docs/express.md stays true: every contract case that cannot match is listed there."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.express.test_contract import CANNOT_MATCH

DOC = Path(__file__).resolve().parents[3] / "docs" / "express.md"


def test_every_case_that_cannot_match_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert CANNOT_MATCH  # the table in the docs is not empty either
    assert [name for name in CANNOT_MATCH if f"`{name}`" not in text] == []

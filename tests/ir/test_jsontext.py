"""fastbackend_ir.jsontext writes json.dumps(indent=2, sort_keys=True, ensure_ascii=False)'s
bytes (canonical_json uses it: ir.json, ir.map.json and diff's JSON must not move a byte)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastbackend_ir import canonical_json, jsontext

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = sorted((ROOT / "tests" / "golden").glob("*.json"))


def _reference(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name for p in GOLDEN])
def test_golden_irs_are_written_as_json_dumps_does(path: Path) -> None:
    document = json.loads(path.read_text("utf-8"))
    assert jsontext.dumps(document) == _reference(document)
    assert canonical_json(document).encode("utf-8") == path.read_bytes()


SCALARS = st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner),
    st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=30)


@settings(max_examples=500, deadline=None)
@given(VALUES)
def test_generated_documents_are_written_as_json_dumps_does(document: Any) -> None:
    assert jsontext.dumps(document) == _reference(document)


def test_what_it_does_not_cover_goes_to_json_dumps() -> None:
    for document in ({1: "int key"}, {"a": {2.5: 1}}, {"a": b"bytes"}):
        with pytest.raises(jsontext.Unsupported):
            jsontext.dumps(document)
    assert canonical_json({1: "x"}) == _reference({1: "x"}) + "\n"  # type: ignore[dict-item]

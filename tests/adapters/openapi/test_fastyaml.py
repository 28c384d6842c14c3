"""fastyaml writes the same bytes as PyYAML's emitter with render.py's settings (issue #19:
the linear writer replaced PyYAML on the default compile path, and the bytes must not move).

On every corpus schema's document, and on generated documents built to hit the cases a
writer gets wrong: strings that read back as numbers, bools or null, quotes, unicode, line
breaks, long texts folded at the width, at every depth, in mappings and in lists."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yaml.emitter import Emitter

from fastbackend.pipeline import compile_path
from fastbackend_openapi import emit, fastyaml
from fastbackend_openapi.render import pyyaml_dump, to_yaml
from tests.adapters.openapi.test_corpus import CASES

SMALL = [case for case in CASES if "generated_300" not in case.name]


@pytest.mark.parametrize("source", SMALL, ids=[f"{p.parent.name}/{p.stem}" for p in SMALL])
def test_the_corpus_documents_are_written_byte_for_byte_as_pyyaml_does(source: Path) -> None:
    document = emit(compile_path(source)[1].ir)
    assert fastyaml.dump(document) == pyyaml_dump(document)


WORDS = st.sampled_from([
    "", " ", "a", "yes", "No", "on", "null", "~", "true", "False", "1", "-1", "0x1F", "1_000",
    "1.5", ".inf", "1e3", "12:30", "2024-01-31", "=", "<<", "- a", "a: b", "#x", "a #b", "'q'",
    '"d"', "it's", "x\ny", "tab\there", "trailing ", " leading", "é ü 中文", "emoji 🎉",
    "\x07bell", "\u2028sep", "{a}", "[b]", "*star", "&amp", "!bang", "%pct", "@at", "`tick",
    "|pipe", ">gt", "?q", ",c", "/users/{id}", "application/json", "#/components/schemas/X",
])
TEXT = st.one_of(
    WORDS,
    st.text(max_size=30),
    st.lists(st.one_of(WORDS, st.text(alphabet="ab '\"\n:#-", min_size=1, max_size=12)),
             min_size=1, max_size=40).map(" ".join),
)
SCALARS = st.one_of(TEXT, st.integers(), st.floats(), st.booleans(), st.none())
DOCUMENTS = st.dictionaries(TEXT, st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=25), min_size=1, max_size=5)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_generated_documents_are_written_as_pyyaml_does(document: dict[str, Any]) -> None:
    expected = pyyaml_dump(document)
    try:
        written = fastyaml.dump(document)
    except fastyaml.Unsupported:
        written = None  # to_yaml hands it to PyYAML
    if written is not None:
        assert written == expected
    assert to_yaml(document) == expected


@pytest.mark.parametrize("brk", ["\n", "\x85", "\u2028", "\u2029"])
def test_every_yaml_line_break_is_left_to_pyyaml(brk: str) -> None:
    """Single-quoted text with a line break is folded by PyYAML's writer (hypothesis found
    LINE SEPARATOR written on one line)."""
    for text in (f"{brk}sep", f"a{brk}b", f"it's{brk} x", f"{brk}"):
        document = {" ": text, "k": [text], "n": {"m": text}}
        assert fastyaml.dump(document) == pyyaml_dump(document)


def test_what_it_does_not_cover_goes_to_pyyaml() -> None:
    documents: list[dict[Any, Any]] = [{"a": [[1, 2]]}, {1: "int key"}, {"k" * 130: 1},
                                       {"a\nb": 1}]
    for document in documents:
        with pytest.raises(fastyaml.Unsupported):
            fastyaml.dump(document)
        assert to_yaml(document) == pyyaml_dump(document)


_EMITTER = Emitter(io.StringIO(), allow_unicode=True, width=fastyaml.WIDTH)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(fastyaml.PLAIN_SAFE, fullmatch=True))
def test_texts_the_writer_calls_plain_safe_are_so_for_pyyaml(text: str) -> None:
    analysis = _EMITTER.analyze_scalar(text)
    assert analysis.allow_block_plain and analysis.allow_single_quoted
    assert not analysis.multiline and not analysis.empty


@settings(max_examples=100, deadline=None)
@given(st.from_regex(fastyaml.REFERENCE, fullmatch=True))
def test_references_are_single_quoted_for_pyyaml(text: str) -> None:
    analysis = _EMITTER.analyze_scalar(text)
    assert not analysis.allow_block_plain and analysis.allow_single_quoted
    assert not analysis.multiline

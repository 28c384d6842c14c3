"""Mutated schemas never raise anything but CompileError, and every diagnostic is well-formed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastbackend.codes import CODES
from fastbackend.diagnostics import CompileError
from fastbackend.frontends.prisma import compile_texts
from fastbackend_ir import IR, IRValidationError, dumps
from tests.frontends.prisma.corpus import load_cases

SEEDS = [text for case in load_cases("valid") + load_cases("invalid")
         if case.id != "generated_300_models" for text in case.files.values()]
# Fragments that stress the line-based grammar: braces, attributes, strings, escapes, comments.
FRAGMENTS = ["{", "}", "@", "@@", "(", ")", "[", "]", ",", ":", "=", '"', "\\", "\\u", "/*", "*/",
             "//", "///", "\n", "\r", "\r\n", "\t", " ", "?", "!", ".", "-1", "1.5", "model",
             "enum", "type", "view", "datasource", "generator", "@relation(", "fields: [",
             "references: [", "@default(", "now()", "@id", "@@id([", "@db.", "Unsupported(",
             "String", "Int", "_", "\ufeff", "\u00a0", "é", "用"]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate"]))
        if action == "insert":
            text = text[:at] + draw(st.sampled_from(FRAGMENTS)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)):]
        else:
            end = min(len(text), at + draw(st.integers(1, 40)))
            text = text[:end] + text[at:end] + text[end:]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_schemas_give_diagnostics_never_tracebacks(text: str) -> None:
    line_count = len(text.splitlines()) + 1
    try:
        result = compile_texts({"schema.prisma": text})
    except CompileError as error:
        assert error.errors
        for diagnostic in error.diagnostics:
            assert diagnostic.code in CODES
            assert 1 <= diagnostic.line <= line_count
            assert diagnostic.column >= 1
            assert diagnostic.message
        return
    _assert_valid_ir(result.ir)


def _assert_valid_ir(ir: IR) -> None:
    """A schema that compiles gives an IR that passes the IR's own validation.

    Known exception, outside this front-end: the API naming pass derives REST paths from model
    names, and Prisma accepts non-ASCII model names (`model Café`) that make no valid path.
    """
    try:
        dumps(ir)
    except IRValidationError as error:
        assert all("/api/" in problem.pointer for problem in error.problems), str(error)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS + list("abcXYZ019 ")), max_size=80).map("".join))
def test_random_token_soup_gives_diagnostics_never_tracebacks(text: str) -> None:
    try:
        compile_texts({"schema.prisma": text})
    except CompileError as error:
        assert all(d.code in CODES for d in error.diagnostics)

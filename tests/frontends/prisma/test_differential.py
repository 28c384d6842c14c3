"""FastBackend's Prisma front-end against Prisma's own engine, on the whole corpus.

One node process per engine version runs `@prisma/prisma-schema-wasm` (6.19 for schemas with a
datasource `url`, 7 for the others) on every schema and its CRLF, lone-CR and tab variants. The
DMMF-to-IR mapping is stated once, in tests/frontends/prisma/dmmf.py.
"""

from __future__ import annotations

import pytest

from tests.frontends.prisma.corpus import load_cases, require_engines
from tests.frontends.prisma.differential import Outcome, figures, is_mutation, run_all

pytestmark = [pytest.mark.node, pytest.mark.slow]  # Prisma's engine per schema


@pytest.fixture(scope="module")
def everything(node: str) -> list[Outcome]:
    require_engines()
    return run_all(node)


@pytest.fixture(scope="module")
def outcomes(everything: list[Outcome]) -> list[Outcome]:
    return [o for o in everything if not is_mutation(o)]


def test_the_corpus_is_large_enough() -> None:
    written = load_cases("valid") + load_cases("invalid")
    assert len(written) >= 40
    assert any(len(case.files) > 1 for case in written)  # a multi-file schema
    assert any(case.id == "generated_300_models" for case in written)


def test_prisma_and_fastbackend_accept_the_same_schemas(outcomes: list[Outcome]) -> None:
    disagreeing = [(o.case.id, o.prisma_ok, o.ours_ok) for o in outcomes
                   if o.prisma_ok != o.ours_ok and not (o.mongodb and o.prisma_ok)]
    assert not disagreeing, figures(outcomes)


def test_mongodb_schemas_prisma_accepts_get_one_clear_refusal(outcomes: list[Outcome]) -> None:
    # FastBackend serves relational databases only: FB222 once, at the provider, nothing else.
    mongodb = [o for o in outcomes if o.mongodb and o.prisma_ok]
    assert len(mongodb) >= 4  # the refused/ corpus and its variants
    assert [o.case.id for o in mongodb if not o.refused_on_purpose] == []


def test_the_ir_agrees_with_prismas_dmmf(outcomes: list[Outcome]) -> None:
    accepted = [o for o in outcomes if o.prisma_ok and o.ours_ok]
    differences = {o.case.id: o.differences[:5] for o in accepted if o.differences}
    assert not differences, figures(outcomes)
    assert sum(o.elements for o in accepted) > 20000  # the comparison really compared


def test_rejections_are_reported_at_prismas_lines(outcomes: list[Outcome]) -> None:
    rejected = [o for o in outcomes if not o.prisma_ok]
    assert len(rejected) >= 80
    wrong = {o.case.id: (o.prisma_lines, o.our_lines) for o in rejected
             if not o.first_line_agrees}
    assert not wrong, figures(outcomes)


def test_the_corpus_folders_say_what_prisma_says(outcomes: list[Outcome]) -> None:
    # Keeps the corpus honest: valid/ holds what Prisma accepts, invalid/ what it rejects.
    by_id = {o.case.id: o.prisma_ok for o in outcomes}
    assert [c.id for c in load_cases("invalid") if by_id[c.id]] == []
    assert [c.id for c in load_cases("valid") + load_cases("refused") if not by_id[c.id]] == []


def test_every_line_prisma_reports_is_reported(outcomes: list[Outcome]) -> None:
    # Stronger than the first line: FastBackend collects all of Prisma's errors (it may find more;
    # Prisma skips later validation phases once an earlier one failed).
    missing = {o.case.id: sorted(set(o.prisma_lines) - set(o.our_lines)) for o in outcomes
               if not o.prisma_ok and not set(o.prisma_lines) <= set(o.our_lines)}
    assert not missing, figures(outcomes)


def test_mutated_schemas_get_prismas_verdict(everything: list[Outcome]) -> None:
    # A differential fuzz: small random edits of the valid corpus (seeded, so reproducible).
    mutations = [o for o in everything if is_mutation(o)]
    assert len(mutations) >= 500
    assert sum(o.prisma_ok for o in mutations) >= 50  # some edits keep the schema valid
    wrong = {o.case.id: (o.prisma_ok, o.ours_ok, o.prisma_lines[:2], o.our_lines[:2])
             for o in mutations if not o.agrees}
    assert not wrong, figures(everything)


def test_split_schemas_name_the_file_of_every_error(outcomes: list[Outcome]) -> None:
    # Each corpus schema also runs as a prismaSchemaFolder, one block per file: every error Prisma
    # reports, FastBackend reports in the same file at the same line.
    split = [o for o in outcomes if o.case.id.endswith("[split]") and not o.prisma_ok]
    assert sum(1 for o in split if {f for f, _ in o.prisma_lines} - {"part00.prisma"}) >= 40
    wrong = {o.case.id: sorted(set(o.prisma_lines) - set(o.our_lines)) for o in split
             if not set(o.prisma_lines) <= set(o.our_lines)}
    assert wrong == {}

"""Real public schemas (tests/corpus/prisma/real/<project>/, each with its SOURCE.md) against
Prisma's own engine, in one node process: every schema Prisma accepts compiles, with the IR equal
to the DMMF field by field (MongoDB ones get FB222 alone); every schema Prisma rejects is rejected
at Prisma's first error line. `python -m tests.frontends.prisma.differential` prints the figures.
"""

from __future__ import annotations

import re

import pytest

from fastbackend.frontends.prisma.compile import parse_texts
from fastbackend.frontends.prisma.symbols import build_symbols
from tests.frontends.prisma.corpus import CORPUS, load_real_cases, require_engines
from tests.frontends.prisma.differential import Outcome, agreement, real_figures, run_real

pytestmark = [pytest.mark.node, pytest.mark.slow]


@pytest.fixture(scope="module")
def outcomes(node: str) -> list[Outcome]:
    require_engines()
    return run_real(node)


def test_each_schema_names_its_source() -> None:
    for folder in sorted((CORPUS / "real").iterdir()):
        source = (folder / "SOURCE.md").read_text("utf-8")
        assert re.search(r"repository: https://github\.com/[\w.-]+/[\w.-]+", source), folder
        assert re.search(r"commit: [0-9a-f]{40}", source), folder
        assert "licence: " in source, folder


def test_the_collection_covers_what_real_projects_use() -> None:
    cases = load_real_cases()
    assert len(cases) >= 20
    symbols = {case.id: build_symbols(parse_texts(case.files)[0]) for case in cases}
    providers = {s.provider for s in symbols.values()}
    assert {"postgresql", "mysql", "sqlite", "cockroachdb", "sqlserver", "mongodb"} <= providers
    assert any(len(case.files) > 5 for case in cases)  # a prismaSchemaFolder
    assert any(b.kind == "view" for s in symbols.values() for b in s.models.values())
    assert any(b.attribute("schema") for s in symbols.values() for b in s.models.values())
    assert max(len(s.models) for s in symbols.values()) >= 80


def test_every_schema_prisma_accepts_compiles(outcomes: list[Outcome]) -> None:
    accepted = [o for o in outcomes if o.prisma_ok]
    assert len(accepted) >= 18
    wrong = [o.case.id for o in accepted if not (o.ours_ok or o.refused_on_purpose)]
    assert wrong == [], real_figures(outcomes)


def test_the_ir_agrees_with_the_dmmf_field_by_field(outcomes: list[Outcome]) -> None:
    compiled = [o for o in outcomes if o.prisma_ok and o.ours_ok]
    elements = sum(o.elements for o in compiled)
    differing = sum(len(o.differences) for o in compiled)
    assert elements > 10000
    assert 1 - differing / elements >= 0.999, real_figures(outcomes)
    assert min(agreement(o) for o in compiled) >= 0.99, real_figures(outcomes)


def test_schemas_prisma_rejects_are_rejected_at_its_first_line(outcomes: list[Outcome]) -> None:
    rejected = [o for o in outcomes if not o.prisma_ok]
    assert rejected, "the collection keeps a schema Prisma rejects (webstudio's views with @@id)"
    assert [o.case.id for o in rejected if o.ours_ok or not o.first_line_agrees] == []

"""The docs' contract tables are generated from fastbackend_contract.tables and stay so; every
problem type either server answers with is in the table, with the table's status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fastbackend_contract import markdown, tables

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = sorted((ROOT / "docs").rglob("*.md"))
REGENERATE = "make docs"  # python -m fastbackend_contract.markdown docs/*.md


@pytest.mark.parametrize("page", DOCS, ids=lambda page: page.name)
def test_every_generated_table_matches_the_contract(page: Path) -> None:
    text = page.read_text("utf-8")
    assert markdown.regenerate(text) == text, f"{page.name} is stale: run `{REGENERATE}`"


def test_every_table_of_the_contract_is_in_the_docs() -> None:
    marked = {name for page in DOCS for name in markdown.marked(page.read_text("utf-8"))}
    assert marked == set(markdown.TABLES)


def test_the_check_sees_a_changed_row() -> None:
    """What the first test relies on: a page whose table differs from the contract in one cell is
    rewritten, so it would fail."""
    page = (ROOT / "docs" / "query-language.md").read_text("utf-8")
    edited = page.replace("| `max_names` | `FASTBACKEND_MAX_NAMES` | 64 |",
                          "| `max_names` | `FASTBACKEND_MAX_NAMES` | 65 |")
    assert edited != page
    assert markdown.regenerate(edited) == page


def test_an_unknown_table_name_is_an_error() -> None:
    with pytest.raises(KeyError, match="no contract table 'nope'"):
        markdown.regenerate("<!-- contract:nope -->\n<!-- /contract:nope -->\n")


# Where a problem is made: Problem(400, "slug" (Python), new Problem(400, "slug" (TypeScript).
PROBLEM_CALL = re.compile(r"Problem\(\s*(\d{3}),\s*\"([a-z-]+)\"")
SOURCES = [*(ROOT / "adapters" / "fastbackend_fastapi").rglob("*.py"),
           *(ROOT / "adapters" / "fastbackend_express" / "templates").rglob("*.j2"),
           *(ROOT / "adapters" / "fastbackend_express" / "support" / "src" / "lib").glob("*.ts")]


def _made() -> set[tuple[str, int, str]]:
    found = set()
    for path in SOURCES:
        for status, slug in PROBLEM_CALL.findall(path.read_text("utf-8")):
            found.add((slug, int(status), path.name))
    return found


def test_every_problem_either_server_makes_is_in_the_table_with_its_status() -> None:
    made = _made()
    assert len({slug for slug, _, _ in made}) >= 20, "the pattern no longer finds the problems"
    status = {problem.slug: problem.status for problem in tables.PROBLEMS}
    wrong = sorted((slug, code, where) for slug, code, where in made if status.get(slug) != code)
    assert wrong == [], "problem types missing from fastbackend_contract.tables.PROBLEMS"


def test_every_problem_status_has_a_title_and_every_slug_is_unique() -> None:
    assert all(problem.status in tables.TITLES for problem in tables.PROBLEMS)
    slugs = [problem.slug for problem in tables.PROBLEMS]
    assert len(slugs) == len(set(slugs))


def test_each_limit_variable_is_its_key_spelled_for_the_environment() -> None:
    assert [limit.env for limit in tables.LIMITS] == [
        "FASTBACKEND_" + limit.key.upper() for limit in tables.LIMITS]


def test_each_operator_name_and_spelling_is_unique_and_its_types_are_comparable() -> None:
    spellings = [op.name for op in tables.OPERATORS] + [
        op.prisma for op in tables.OPERATORS if op.prisma not in (None, op.name)]
    assert len(spellings) == len(set(spellings))
    assert all(set(op.types) <= set(tables.COMPARABLE_TYPES) for op in tables.OPERATORS)


def test_the_runtimes_http_kinds_and_the_documents_statuses_are_the_tables() -> None:
    from fastbackend_fastapi.problems import HTTP_KINDS
    from fastbackend_openapi.responses import PROBLEMS as RESPONSES

    status = {problem.slug: problem.status for problem in tables.PROBLEMS}
    assert {slug: status.get(slug) for slug in HTTP_KINDS.values()} == {
        slug: code for code, slug in HTTP_KINDS.items()}
    assert {int(code) for code in RESPONSES} <= set(tables.TITLES)

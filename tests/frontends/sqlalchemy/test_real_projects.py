"""Real public projects (tests/corpus/sqlalchemy/real/, each with a SOURCE.md naming its repository,
commit and licence) compile, and agree with SQLAlchemy's metadata after a real import, on 2.0 and
2.1, fact by fact. What they do not agree on is listed here with its reason: every one is a thing
only running the code can tell, reported by the compiler as a warning at its position.

``python -m tests.frontends.sqlalchemy.test_real_projects [2.0|2.1]`` prints the figures.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from fastbackend.diagnostics import CompileError
from fastbackend.pipeline import compile_path
from tests.frontends.sqlalchemy.differential import (
    agreement,
    real_projects,
)

PROJECTS = real_projects()
DYNAMIC_CLASSES = "classes and tables made at run time inside declared_attr functions (FB103)"
EVENT_RELATIONSHIP = "relationships set up by an event listener at run time"
# project -> [(pattern of the disagreement, why)]
KNOWN: dict[str, list[tuple[str, str]]] = {
    "sqlalchemy_examples_association_basic_association": [
        (r"column order\.order_date default", "default=datetime.now() is the time of import: a "
         "value only running the code gives (FB103)")],
    "sqlalchemy_examples_association_proxied_association": [
        (r"column order\.order_date default", "default=datetime.now() is the time of import (FB103)")],
    "sqlalchemy_examples_generic_associations_discriminator_on_association": [
        (r"(entity|relation|column|table) \w*(Customer|Supplier)\w*", DYNAMIC_CLASSES)],
    "sqlalchemy_examples_generic_associations_generic_fk": [
        (r"relation (Address\.parent_\w+|(Customer|Supplier)\.addresses) ", EVENT_RELATIONSHIP)],
    "sqlalchemy_examples_generic_associations_table_per_association": [
        (r"(column|table) (customer|supplier)_addresses", DYNAMIC_CLASSES),
        (r"relation (Customer|Supplier)\.addresses ", DYNAMIC_CLASSES)],
    "sqlalchemy_examples_generic_associations_table_per_related": [
        (r"(column|table) (customer|supplier)_address", DYNAMIC_CLASSES),
        (r"(entity|relation) \w*(Customer|Supplier)\w*", DYNAMIC_CLASSES)],
    "sqlalchemy_examples_inheritance_concrete": [
        (r"entity \w+ discriminator", "ConcreteBase's discriminator is a column of the "
         "polymorphic union, not of any table"),
        (r"relation Company\.employees inverse", "three concrete classes each back-populate "
         "employees; the IR's relation has one inverse")],
    "sqlalchemy_examples_inheritance_single": [
        (r"(column person\.status|table person columns)", "a declared_attr returning "
         "Person.__table__.c.get(...) (FB103)")],
    "sqlalchemy_examples_materialized_paths_materialized_paths": [
        (r"relation Node\.(ancestors|descendants) ", "primaryjoin with remote()/foreign() over "
         "LIKE expressions and a select() as secondary: left out (FB106 warning)")],
}
ON_2_0 = [(r"type: SQLAlchemy says 'FLOAT', the IR says 'DOUBLE PRECISION'", "SQLAlchemy 2.0 "
           "maps float to Float, 2.1 to Double; the compiler follows 2.1")]


def explained(project: str, version: str, line: str) -> bool:
    known = [*KNOWN.get(project, []), *(ON_2_0 if version == "2.0" else [])]
    return any(re.match(pattern, line) or re.search(pattern, line) for pattern, _ in known)



def test_about_twenty_projects_of_different_shapes() -> None:
    assert len(PROJECTS) >= 20
    for project in PROJECTS:
        source = (project / "SOURCE.md").read_text("utf-8")
        assert "- repository: https://github.com/" in source and "- commit: " in source
        assert "- licence: " in source


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_a_real_project_compiles_with_no_error(project: Path) -> None:
    try:
        compile_path(project)
    except CompileError as error:
        pytest.fail(f"refused: {error}")


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_a_real_project_agrees_with_sqlalchemy(project: Path, version: str) -> None:
    result = agreement(project, version)
    unexplained = [line for line in result.disagree
                   if not explained(project.name, version, line)]
    assert unexplained == []
    for pattern, why in KNOWN.get(project.name, []):  # a fixed one must leave the list
        assert any(re.search(pattern, line) for line in result.disagree), (pattern, why)


def main(version: str = "2.1") -> int:
    agree = total = explained_total = 0
    for project in PROJECTS:
        result = agreement(project, version)
        agree += len(result.agree)
        total += result.total
        known = [line for line in result.disagree if explained(project.name, version, line)]
        explained_total += len(known)
        print(f"{project.name}: {len(result.agree)}/{result.total}")
    print(f"SQLAlchemy {version}: {len(PROJECTS)} projects, all compile; {agree:,} of {total:,} "
          f"facts agree ({agree / total:.4f}); {explained_total} disagreements explained; "
          f"{agree / (total - explained_total):.4f} on what can be known statically")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:2]))

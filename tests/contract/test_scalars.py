"""The scalar table (fastbackend_contract.scalars) holds every logical type of the IR, and it
is the one place besides each type's own code that a new scalar type touches.

How the places are counted (issue #21: "a new scalar type touches <= 9 files"): a new type that
needs nothing special is added the way ``date`` is, so the places are the source files that
name ``"date"`` as an entry of a mapping or a tuple (`"date": ...`, `, "date"`, a TypeScript
`date:` key). Tests and docs are not counted. ``PLACES`` is that list; this test fails when
another file starts mapping scalar types itself, which should read the table instead.
"""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

from fastbackend_contract import scalars, tables
from fastbackend_ir.nodes import LogicalType

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCES = ("adapters", "compiler", "ir_schema", "grammars")
SUFFIXES = (".py", ".ts", ".j2", ".json", ".lark")
SKIPPED_DIRS = {"node_modules", "build", "generated", "test"}

# What a new scalar type like `date` touches: its row, the IR's definition of it, its parsing
# and serialization on each server, its spelling in each source language, and contract.ts,
# regenerated from the row by `make docs`.
PLACES = {
    "ir_schema/fastbackend_contract/scalars.py",
    "ir_schema/fastbackend_ir/nodes.py",
    "ir_schema/fastbackend_ir/schema/v1.json",
    "adapters/fastbackend_fastapi/pytypes.py",
    "adapters/fastbackend_express/support/src/lib/values.ts",
    "adapters/fastbackend_express/support/src/lib/serialize.ts",
    "compiler/fastbackend/frontends/sqlalchemy/types.py",
    "compiler/fastbackend/frontends/prisma/types.py",
    "adapters/fastbackend_express/support/src/lib/contract.ts",  # generated
}


def _names_as_entry(text: str, name: str) -> bool:
    pattern = (rf"""["']{name}["']\s*[:,)\]}}]|[\[(,{{|]\s*["']{name}["']|^\s*{name}:""")
    return re.search(pattern, text, re.MULTILINE) is not None


def places(name: str) -> set[str]:
    found = set()
    for source in SOURCES:
        for path in (ROOT / source).rglob("*"):
            if (path.suffix not in SUFFIXES or not path.is_file()
                    or SKIPPED_DIRS & set(path.relative_to(ROOT).parts)
                    or path.name == "package-lock.json"):
                continue
            if _names_as_entry(path.read_text("utf-8", errors="ignore"), name):
                found.add(path.relative_to(ROOT).as_posix())
    return found


def test_a_new_scalar_type_touches_only_the_listed_places() -> None:
    found = places("date")
    assert found == PLACES, (
        f"new places map scalar types: {sorted(found - PLACES)} (read "
        f"fastbackend_contract.scalars instead); gone: {sorted(PLACES - found)}")
    assert len(PLACES) <= 9


def test_the_count_sees_a_new_mapping() -> None:
    """What the count relies on: a dict keyed by a type name, a tuple of them, a TS key."""
    assert _names_as_entry('KINDS = {"date": "Date"}', "date")
    assert _names_as_entry('ORDERED = ("time", "date")', "date")
    assert _names_as_entry("  date: (field) => x,", "date")
    assert not _names_as_entry("the date of the release", "date")


def test_every_logical_type_of_the_ir_has_one_row_in_its_order() -> None:
    logical = [name for name in typing.get_args(LogicalType) if name != "unsupported"]
    assert [row.name for row in scalars.SCALARS] == logical
    schema = json.loads((ROOT / "ir_schema/fastbackend_ir/schema/v1.json").read_text("utf-8"))
    field_types = schema["$defs"]["logicalType"]["enum"]
    assert field_types == [*logical, "unsupported"]


def test_the_operator_families_come_from_the_rows() -> None:
    filterable = {row.name for row in scalars.SCALARS if row.family is not None}
    assert set(tables.OPERATORS_BY_TYPE) == filterable
    assert set(tables.TEXT_TYPES) == {row.name for row in scalars.SCALARS if row.family == "text"}
    for row in scalars.SCALARS:
        ordered = "gt" in tables.OPERATORS_BY_TYPE.get(row.name, ())
        assert ordered == (row.family in ("text", "ordered")), row.name


def test_a_filterable_type_other_than_enum_names_its_filter_component() -> None:
    for row in scalars.SCALARS:
        if row.family is not None and row.name != "enum":
            assert row.filter is not None, row.name

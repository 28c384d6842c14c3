"""fastbackend_ir.names: adapters read constraint names from the IR; an IR 1.0 (which may leave
them out) is completed with the names FastBackend's runtime gave such constraints before 1.1, so
a database created from it keeps its names."""

from __future__ import annotations

import json

import pytest

from fastbackend_ir import IRValidationError, load, validate
from fastbackend_ir.names import legacy_name, named
from tests.conftest import GOLDEN


def test_an_ir_from_1_1_on_is_read_as_it_is() -> None:
    ir = load(GOLDEN / "blog.ir.json")
    assert ir.ir_version == "1.9"
    assert named(ir) is ir


def test_an_ir_1_0_gets_the_names_the_1_0_runtime_created() -> None:
    ir = load(GOLDEN / "kitchen.ir.json")
    assert ir.ir_version == "1.0"
    complete = named(ir)
    for entity in complete.entities.values():
        assert entity.primary_key is not None and entity.primary_key.name
        assert all(f.unique_name for f in entity.fields if f.unique)
        assert all(n.name for n in (*entity.uniques, *entity.indexes, *entity.checks,
                                     *entity.foreign_keys))
    region = complete.entities["Region"]
    assert region.primary_key is not None
    assert region.primary_key.name == f"pk_{region.table}"
    for join in complete.join_tables.values():
        assert join.primary_key_name == f"pk_{join.table}"
        assert [c.foreign_key_name for c in join.columns] == [
            f"fk_{join.table}_{c.name}" for c in join.columns]


def test_a_legacy_name_past_63_bytes_ends_in_a_hash() -> None:
    name = legacy_name("uq", "t" * 60, ["c"])
    assert len(name) == 63 and name.startswith("uq_" + "t" * 45) and name[-9] == "_"
    assert legacy_name("uq", "t", ["c"]) == "uq_t_c"


def test_a_join_table_names_each_of_its_indexes_or_the_ir_is_invalid() -> None:
    document = json.loads((GOLDEN / "blog.ir.json").read_text("utf-8"))
    document["joinTables"]["post_tags"]["indexNames"] = ["a", "b"]
    with pytest.raises(IRValidationError) as raised:
        validate(document)
    assert [p.pointer for p in raised.value.problems] == ["/joinTables/post_tags/indexNames"]

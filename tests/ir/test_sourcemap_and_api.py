"""The source-map sidecar and the package's public surface."""

from __future__ import annotations

import fastbackend_ir
from fastbackend_ir import Location, dumps_source_map, loads_source_map


def test_source_map_round_trips_deterministically() -> None:
    source_map = {
        "/entities/User/fields/1": Location("models.py", 12, 5),
        "/entities/User": Location("models.py", 10, 1),
    }
    text = dumps_source_map(source_map)
    assert loads_source_map(text) == source_map
    assert text == dumps_source_map(dict(reversed(list(source_map.items()))))
    assert str(source_map["/entities/User/fields/1"]) == "models.py:12:5"


def test_public_api_is_pinned() -> None:
    # Changing the public surface is a decision: update this list on purpose.
    assert sorted(fastbackend_ir.__all__) == sorted([
        "ALL_OPERATIONS", "IR", "IR_VERSION", "ApiInfo", "Check", "ColumnReference", "Database", "DbType",
        "Default", "EVENT_OPERATIONS", "Entity", "EntityApi", "Enum", "EnumValue", "EventDestination",
        "Events", "Field", "FieldApi", "FieldRoles",
        "ForeignKey",
        "GeneratorDefault", "IRError", "IRProblem", "IRValidationError", "IRVersionError",
        "Index", "IndexField", "Inheritance", "JoinColumn", "JoinTable", "LiteralDefault",
        "Location", "PrimaryKey", "RateLimit", "References", "Relation", "RelationForeignKey",
        "Route", "Search",
        "Server", "Source",
        "SourceMap", "SqlDefault", "Unique", "canonical_json", "dump", "dump_source_map",
        "dumps", "dumps_source_map", "from_dict", "load", "load_source_map", "loads",
        "loads_source_map", "schema", "to_dict", "validate", "write_if_changed",
    ])
    for name in fastbackend_ir.__all__:
        assert hasattr(fastbackend_ir, name), name


def test_schema_is_draft_2020_12_and_versioned() -> None:
    schema = fastbackend_ir.schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["irVersion"]["pattern"].startswith("^1")

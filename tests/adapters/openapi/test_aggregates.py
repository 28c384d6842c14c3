"""The aggregate route's parameters in the OpenAPI document (docs/query-language.md,
"Aggregates"): what both servers accept there, and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openapi_spec_validator import validate

from fastbackend_ir import loads
from fastbackend_openapi import emit

# Post.title is searched (fastbackend.yaml of tests/adapters/fastapi/aggregates_project)
IR_PATH = Path(__file__).parents[1] / "express" / "irs" / "aggregates.ir.json"


def _parameters(document: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    found = []
    for parameter in document["paths"][path]["get"]["parameters"]:
        while "$ref" in parameter:
            node: Any = document
            for part in parameter["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            parameter = node
        found.append(parameter)
    return {p["name"]: p for p in found}


def test_search_is_a_parameter_of_a_searched_entitys_aggregate_only() -> None:
    document = emit(loads(IR_PATH.read_text("utf-8")))
    validate(document)
    posts = _parameters(document, "/posts/aggregate")
    assert posts["search"]["schema"]["type"] == "string"
    assert "`title`" in posts["search"]["description"]
    assert "search" not in _parameters(document, "/authors/aggregate")


def test_cursor_and_next_cursor_are_documented() -> None:
    document = emit(loads(IR_PATH.read_text("utf-8")))
    posts = _parameters(document, "/posts/aggregate")
    assert posts["cursor"]["schema"]["type"] == "string"
    assert "next_cursor" in posts["cursor"]["description"]
    answer = document["paths"]["/posts/aggregate"]["get"]["responses"]["200"]
    meta = answer["content"]["application/json"]["schema"]["properties"]["meta"]
    assert "next_cursor" in meta["required"]
    assert meta["properties"]["next_cursor"]["type"] == ["string", "null"]

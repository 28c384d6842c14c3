"""merge(): another document's operations and components into the emitted one."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fastbackend_openapi import MergeConflict, emit, merge
from tests.adapters.openapi.conftest import ir_named


def _fragment(path: str, parameter: str, operation_id: str) -> dict[str, Any]:
    return {
        "paths": {path: {"get": {
            "operationId": operation_id, "tags": ["custom"],
            "parameters": [{"name": parameter, "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {"Extra": {"type": "object"}}},
        "tags": [{"name": "custom"}],
    }


def test_new_paths_and_components_are_added_after_the_generated_ones() -> None:
    document = emit(ir_named("blog"))
    merged = merge(document, _fragment("/stats/{id}", "id", "stats"))
    assert list(merged["paths"])[-1] == "/stats/{id}"
    assert list(merged["paths"])[:-1] == list(document["paths"])
    assert merged["components"]["schemas"]["Extra"] == {"type": "object"}
    assert merged["tags"][-1] == {"name": "custom"}


def test_an_operation_on_a_generated_route_replaces_it_under_the_generated_template() -> None:
    document = emit(ir_named("blog"))
    merged = merge(document, _fragment("/users/{user_id}", "user_id", "customGetUser"))
    assert "/users/{user_id}" not in merged["paths"]
    item = merged["paths"]["/users/{key}"]
    assert item["get"]["operationId"] == "customGetUser"
    assert item["get"]["parameters"][0]["name"] == "key"
    assert item["delete"] == document["paths"]["/users/{key}"]["delete"]


def test_merge_changes_neither_argument() -> None:
    document, fragment = emit(ir_named("blog")), _fragment("/users/{id}", "id", "x")
    before = (copy.deepcopy(document), copy.deepcopy(fragment))
    merge(document, fragment)
    assert (document, fragment) == before


def test_a_component_defined_twice_differently_is_refused() -> None:
    fragment = {"components": {"schemas": {"UserRead": {"type": "string"}}}}
    with pytest.raises(MergeConflict, match=r"components\.schemas\.UserRead"):
        merge(emit(ir_named("blog")), fragment)


def test_the_same_component_twice_is_fine() -> None:
    document = emit(ir_named("blog"))
    same = {"components": {"schemas": {"Problem": document["components"]["schemas"]["Problem"]}}}
    assert merge(document, same) == document

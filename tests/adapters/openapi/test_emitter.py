"""emit(ir): a valid OpenAPI 3.1 document that says exactly what the runtime accepts and returns."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_spec_validator import validate

import fastbackend_openapi
from fastbackend_openapi import Limits, emit
from tests.adapters.openapi.conftest import NAMES, ir_named

METHODS = ("get", "put", "post", "delete", "patch")


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for item in document["paths"].values()
            for method, op in item.items() if method in METHODS}


def _walk(node: Any) -> list[dict[str, Any]]:
    """Every object in the document."""
    if isinstance(node, dict):
        return [node, *(found for value in node.values() for found in _walk(value))]
    if isinstance(node, list):
        return [found for value in node for found in _walk(value)]
    return []


def test_public_api_is_pinned() -> None:
    assert fastbackend_openapi.__all__ == ["Limits", "MergeConflict", "emit", "merge", "to_json",
                                           "to_yaml"]


@pytest.mark.parametrize("name", NAMES)
def test_every_document_is_valid_openapi_3_1(name: str) -> None:
    document = emit(ir_named(name))
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema


@pytest.mark.parametrize("name", NAMES)
def test_no_openapi_3_0_nullable_keyword(name: str) -> None:
    assert not [node for node in _walk(emit(ir_named(name))) if "nullable" in node
                and isinstance(node["nullable"], bool)]


@pytest.mark.parametrize("name", NAMES)
def test_every_reference_resolves(name: str) -> None:
    document = emit(ir_named(name))
    for node in _walk(document):
        if "$ref" in node:
            _, section, kind, component = node["$ref"].split("/")
            assert component in document[section][kind], node["$ref"]


def test_operation_ids_follow_the_names_in_the_ir() -> None:
    operations = _operations(emit(ir_named("blog")))
    for expected in ("listUsers", "createUser", "getUser", "updateUser", "replaceUser",
                     "deleteUser", "listUserPosts", "createUserPosts", "getPostAuthor",
                     "listPostTags", "linkPostTags", "unlinkPostTags", "healthz"):
        assert expected in operations
    assert len(operations) == len(set(operations))


def test_types_are_json_schema_2020_12_per_logical_type() -> None:
    schemas = emit(ir_named("kitchen"))["components"]["schemas"]
    read = schemas["SampleRead"]["properties"]
    assert read["price"]["type"] == ["string", "null"]  # decimals travel as text
    assert read["blob"] == {"type": ["string", "null"], "contentEncoding": "base64"}
    assert read["happened_at"] == {"type": ["string", "null"], "format": "date-time"}
    assert "format" not in read["local_time"]  # no offset: not RFC 3339 date-time
    assert read["token"]["format"] == "uuid"
    assert read["count"]["maximum"] == 2**31 - 1
    assert read["big"]["minimum"] == -(2**63)
    assert read["label"]["maxLength"] == 40
    assert read["color"] == {"anyOf": [{"$ref": "#/components/schemas/Color"},
                                       {"type": "null"}]}
    assert read["payload"] == {}  # any JSON value
    assert schemas["Color"]["enum"] == ["red", "green", "blue"]


def test_field_roles_shape_each_schema() -> None:
    schemas = emit(ir_named("kitchen"))["components"]["schemas"]
    read, create = schemas["SampleRead"], schemas["SampleCreate"]
    update = schemas["SampleUpdate"]
    assert "secret" not in read["properties"]  # write-only: never returned
    assert create["properties"]["secret"]["writeOnly"] is True
    for read_only in ("id", "created_at", "updated_at"):  # refused on write
        assert read_only not in create["properties"]
        assert read_only not in update["properties"]
        assert read["properties"][read_only]["readOnly"] is True
    assert create["required"] == ["label"]  # not nullable, no default, not generated
    assert create["additionalProperties"] is False
    assert "required" not in update
    assert update["properties"]["label"]["type"] == "string"  # PATCH cannot null it
    assert sorted(read["required"]) == sorted(read["properties"])


def test_list_parameters_cover_each_operator_of_each_field() -> None:
    document = emit(ir_named("blog"))
    parameters = document["components"]["parameters"]
    names = {p["name"] for p in parameters.values() if p["name"].split("__")[0] == "title"}
    assert names == {"title", *(f"title__{op}" for op in (
        "eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "contains", "icontains",
        "startswith", "endswith", "isnull"))}
    assert "Posts.status__gt" not in parameters  # enums are not ordered
    assert parameters["Posts.id__in"]["schema"]["items"]["type"] == "integer"
    assert parameters["Posts.id__in"]["explode"] is False
    sort = parameters["Posts.sort"]["schema"]["items"]["enum"]
    assert {"title", "-title", "created_at", "-created_at"} <= set(sort)
    assert parameters["Posts.where"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PostWhere"}
    assert parameters["Posts.include"]["schema"]["items"]["enum"] == ["author", "comments",
                                                                      "tags"]


def test_limit_bounds_are_the_runtimes() -> None:
    limit = emit(ir_named("blog"), Limits(default=20, maximum=80))["components"]["parameters"][
        "Posts.limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 80, 20)


def test_a_field_named_like_a_list_parameter_is_filtered_with_eq() -> None:
    parameters = emit(ir_named("kitchen"))["components"]["parameters"]
    assert parameters["Samples.count"]["schema"]["enum"] == ["exact", "none"]
    assert parameters["Samples.count__eq"]["schema"]["type"] == "integer"


def test_hidden_write_only_json_and_bytes_fields_cannot_be_filtered_or_sorted() -> None:
    document = emit(ir_named("kitchen"))
    parameters = document["components"]["parameters"]
    for field in ("secret", "payload", "blob"):
        assert not [name for name in parameters if name.startswith(f"Samples.{field}")]
        assert field not in parameters["Samples.sort"]["schema"]["items"]["enum"]


def test_every_status_the_runtime_returns_is_documented() -> None:
    operations = _operations(emit(ir_named("blog")))
    statuses = {name: sorted(op["responses"]) for name, op in operations.items()}
    assert statuses["listPosts"] == ["200", "400", "503"]
    assert statuses["createPost"] == ["201", "400", "409", "413", "415", "422", "503"]
    assert statuses["getPost"] == ["200", "304", "404", "503"]
    assert statuses["updatePost"] == ["200", "400", "404", "409", "412", "413", "415", "422",
                                      "503"]
    assert statuses["deletePost"] == ["204", "404", "409", "412", "503"]
    assert statuses["listUserPosts"] == ["200", "400", "404", "503"]
    assert statuses["linkPostTags"] == ["204", "404", "409", "503"]
    problem = emit(ir_named("blog"))["components"]["responses"]["ValidationFailed"]
    assert list(problem["content"]) == ["application/problem+json"]


def test_conditional_request_headers() -> None:
    operations = _operations(emit(ir_named("blog")))
    headers = {name: [p["name"] for p in op.get("parameters", []) if p.get("in") == "header"]
               for name, op in operations.items()}
    assert headers["getPost"] == ["If-None-Match"]
    assert headers["updatePost"] == headers["deletePost"] == ["If-Match"]
    assert set(operations["createPost"]["responses"]["201"]["headers"]) == {"ETag", "Location"}


def test_a_child_created_under_its_parent_does_not_send_the_foreign_key() -> None:
    document = emit(ir_named("blog"))
    body = _operations(document)["createUserPosts"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert body["anyOf"][0] == {"$ref": "#/components/schemas/PostWithoutAuthorIdCreate"}
    assert "author_id" not in document["components"]["schemas"]["PostWithoutAuthorIdCreate"][
        "properties"]


def test_descriptions_come_from_the_model_docs() -> None:
    document = emit(ir_named("blog"))
    tags = {tag["name"]: tag.get("description") for tag in document["tags"]}
    assert tags["Posts"] == "A blog post written by one user."
    assert document["components"]["schemas"]["PostRead"]["description"] == tags["Posts"]


@pytest.mark.parametrize("name", NAMES)
def test_emit_is_deterministic_and_json_serializable(name: str) -> None:
    first = json.dumps(emit(ir_named(name)))
    assert first == json.dumps(emit(ir_named(name)))

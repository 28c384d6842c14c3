"""emit(ir): a valid OpenAPI 3.1 document that says exactly what the runtime accepts and returns."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

import fastbackend_openapi
from fastbackend_ir import load
from fastbackend_openapi import Limits, emit
from tests.adapters.openapi.conftest import NAMES, ir_named

METHODS = ("get", "put", "post", "delete", "patch")


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for item in document["paths"].values()
            for method, op in item.items() if method in METHODS}


def _resolved(document: dict[str, Any], node: Any) -> Any:
    """``node``, or what its $ref names (followed until it is not a reference)."""
    while isinstance(node, dict) and "$ref" in node:
        found: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        node = found
    return node


def _parameters(document: dict[str, Any], operation_id: str) -> dict[str, dict[str, Any]]:
    operation = _operations(document)[operation_id]
    found = [_resolved(document, p) for p in operation.get("parameters", [])]
    return {p["name"]: p for p in found}


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
    listed = _parameters(document, "listPosts")
    assert list(listed) == ["filters", "where", "sort", "fields", "include", "limit", "offset",
                            "cursor", "count", "Prefer"]
    assert listed["count"]["schema"]["enum"] == ["exact", "planned", "estimated", "none"]
    assert listed["Prefer"]["in"] == "header"  # `Prefer: count=...` (contract tables)
    assert set(listed["Prefer"]["examples"]) == {"exact", "planned", "estimated", "none"}
    assert "Prefer" in _parameters(document, "queryPosts")
    assert "Prefer" in _parameters(document, "listUserPosts")
    page = _resolved(document, _operations(document)["listPosts"]["responses"]["200"])
    assert "Preference-Applied" in page["headers"]
    filters = listed["filters"]
    assert (filters["style"], filters["explode"]) == ("form", True)  # title=x&title__gt=y
    properties = filters["schema"]["properties"]
    assert {name for name in properties if name.split("__")[0] == "title"} == {  # title= is eq
        "title", *(f"title__{op}" for op in ("ne", "gt", "gte", "lt", "lte", "contains",
                                            "icontains", "startswith", "endswith", "isnull"))}
    assert "status__gt" not in properties  # enums are not ordered
    assert _resolved(document, properties["id__gt"])["type"] == "integer"
    assert properties["title__isnull"] == {"type": "boolean"}
    assert filters["schema"]["additionalProperties"] is False
    assert listed["where"]["schema"] == {"type": "string", "pattern": "^[^\\u0000]*$",
                                         "contentMediaType": "application/json",
                                         "contentSchema": {"$ref": "#/components/schemas/PostWhere"}}
    assert re.fullmatch(listed["sort"]["schema"]["pattern"], "-created_at,title")
    assert not re.fullmatch(listed["sort"]["schema"]["pattern"], "colour")
    assert re.fullmatch(listed["sort"]["schema"]["pattern"], "")  # the default order
    assert re.fullmatch(listed["include"]["schema"]["pattern"], "author,comments,tags")


def test_a_relation_route_lists_with_the_same_parameter_definitions() -> None:
    document = emit(ir_named("blog"))
    listing = _operations(document)["listPosts"]["parameters"]
    assert _operations(document)["listUserPosts"]["parameters"][1:] == listing


def test_where_filters_are_shared_per_kind_of_value() -> None:
    schemas = emit(ir_named("blog"))["components"]["schemas"]
    where = schemas["PostWhere"]["properties"]
    assert where["title"] == where["body"] == {"$ref": "#/components/schemas/StringFilter"}
    assert where["status"] == {"$ref": "#/components/schemas/PostStatusFilter"}
    operators = schemas["StringFilter"]["anyOf"][1]["properties"]
    assert operators["in"] == {"type": "array", "items": {"$ref": "#/components/schemas/StringValue"}}
    assert "maxLength" not in schemas["StringValue"]  # a longer text simply matches nothing


def test_limit_bounds_are_the_runtimes() -> None:
    limit = emit(ir_named("blog"), Limits(default=20, maximum=80))["components"]["parameters"][
        "limit"]["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, 80)
    assert "default 20" in emit(ir_named("blog"), Limits(default=20, maximum=80))["components"][
        "parameters"]["limit"]["description"]


def test_a_field_named_like_a_list_parameter_is_filtered_with_eq() -> None:
    document = emit(ir_named("kitchen"))
    listed = _parameters(document, "listSamples")
    assert listed["count"]["schema"]["enum"] == ["exact", "planned", "estimated", "none"]
    assert "count" not in listed["filters"]["schema"]["properties"]
    assert _resolved(document, listed["filters"]["schema"]["properties"]["count__eq"])[
        "type"] == "integer"


def test_hidden_write_only_json_and_bytes_fields_cannot_be_filtered_or_sorted() -> None:
    listed = _parameters(emit(ir_named("kitchen")), "listSamples")
    for field in ("secret", "payload", "blob"):
        assert not [name for name in listed["filters"]["schema"]["properties"]
                    if name.split("__")[0] == field]
        assert not re.fullmatch(listed["sort"]["schema"]["pattern"], field)


def test_every_status_the_runtime_returns_is_documented() -> None:
    """Success answers one by one; problems as one shared 4XX (same body) and 503 (its
    Retry-After header); the 4XX description names every 4xx problem."""
    document = emit(ir_named("blog"))
    operations = _operations(document)
    statuses = {name: sorted(op["responses"]) for name, op in operations.items()}
    assert statuses["listPosts"] == ["200", "4XX", "503"]
    # 200: an upsert that merged (Prefer: resolution); 204: Prefer: return=minimal
    assert statuses["createPost"] == ["200", "201", "204", "4XX", "503"]
    assert statuses["getPost"] == ["200", "304", "4XX", "503"]
    assert statuses["deletePost"] == ["204", "4XX", "503"]
    assert statuses["healthz"] == ["200", "503"]
    assert operations["updatePost"]["responses"]["4XX"] == {
        "$ref": "#/components/responses/ClientError"}
    described = document["components"]["responses"]["ClientError"]["description"]
    for status in ("400", "404", "409", "412", "413", "415", "422"):
        assert status in described
    problem = emit(ir_named("blog"))["components"]["responses"]["ValidationFailed"]
    assert list(problem["content"]) == ["application/problem+json"]


def test_upserts_document_on_conflict_and_prefer_resolution() -> None:
    """A create of an entity that upserts names its conflict targets (an enum, the primary key
    the default) and the `Prefer` that documents `resolution=...`; a bulk create too."""
    document = emit(ir_named("blog"))
    for operation in ("createPost", "bulkCreatePosts"):
        found = _parameters(document, operation)
        assert found["on_conflict"]["schema"] == {
            "type": "string", "enum": ["id", "author_id,title"], "default": "id"}
    prefer = document["components"]["parameters"]["PreferUpsert"]
    assert {"resolution=merge-duplicates", "resolution=ignore-duplicates"} <= {
        example["value"] for example in prefer["examples"].values()}


def test_conditional_request_headers() -> None:
    document = emit(ir_named("blog"))
    headers = {name: [p["name"] for p in _parameters(document, name).values()
                      if p["in"] == "header"] for name in _operations(document)}
    assert headers["getPost"] == ["If-None-Match"]
    assert headers["updatePost"] == headers["deletePost"] == ["If-Match", "Prefer"]
    created = _resolved(document, _operations(document)["createPost"]["responses"]["201"])
    assert set(created["headers"]) == {"ETag", "Location", "Preference-Applied"}


def test_every_write_takes_prefer_and_documents_its_minimal_answer() -> None:
    """`Prefer: return=minimal` (fastbackend_contract.tables.MINIMAL_ANSWERS): every write
    operation takes the header; its minimal answer is a 204 of its own, with no body: a
    create's keeps Location and ETag, an update's its ETag."""
    document = emit(ir_named("blog"))
    operations = _operations(document)
    writes = {"createPost", "bulkCreatePosts", "updatePost", "replacePost", "deletePost",
              "createUserPosts", "linkPostTags", "unlinkPostTags"}
    assert writes <= set(operations)
    for name in operations:
        headers = [p["name"] for p in _parameters(document, name).values() if p["in"] == "header"]
        is_write = name.startswith(("create", "bulkCreate", "update", "replace", "delete",
                                    "link", "unlink", "batch"))
        is_list = name.startswith(("list", "query"))  # `Prefer: count=...`
        assert ("Prefer" in headers) is (is_write or is_list), name
    kept = {"updatePost": {"ETag"}, "replacePost": {"ETag", "Location"},
            "createPost": {"ETag", "Location"},
            "createUserPosts": {"ETag", "Location"}, "bulkCreatePosts": set()}
    for name, headers in kept.items():
        minimal = _resolved(document, operations[name]["responses"]["204"])
        assert set(minimal["headers"]) == {*headers, "Preference-Applied"}
        assert "content" not in minimal
    assert "content" in _resolved(document, operations["createPost"]["responses"]["201"])


def _body(document: dict[str, Any], operation_id: str) -> Any:
    return _operations(document)[operation_id]["requestBody"]["content"]["application/json"][
        "schema"]


def _answer(document: dict[str, Any], operation_id: str, status: str) -> Any:
    response = _resolved(document, _operations(document)[operation_id]["responses"][status])
    return response["content"]["application/json"]["schema"]


def test_a_create_takes_one_object_and_a_bulk_create_an_array() -> None:
    """One operation, one type: generators type create as PostRead, not PostRead | PostRead[]."""
    document = emit(ir_named("blog"))
    paths = document["paths"]
    assert paths["/posts"]["post"]["operationId"] == "createPost"
    assert paths["/posts/bulk"]["post"]["operationId"] == "bulkCreatePosts"
    one = {"$ref": "#/components/schemas/PostCreateNested"}  # each row may nest, as one create
    assert _body(document, "createPost") == one
    assert _body(document, "bulkCreatePosts") == {"type": "array", "items": one,
                                                  "maxItems": 1000}
    assert _answer(document, "createPost", "201") == {"$ref": "#/components/schemas/PostRead"}
    assert _answer(document, "bulkCreatePosts", "201")["items"] == {
        "$ref": "#/components/schemas/PostRead"}
    assert "anyOf" not in json.dumps(paths)


def test_a_create_body_documents_its_nested_writes() -> None:
    """The nested shapes (docs/rest-api.md "Nested writes") validate what the servers take and
    refuse what they refuse: an operation the relation does not take, a where by a field that
    is not unique, the relation back to the owner inside a row created under it."""
    from jsonschema import Draft202012Validator

    document = emit(ir_named("blog"))
    schema = {**_body(document, "createPost"), "components": document["components"]}
    validator = Draft202012Validator(schema)
    good = {"title": "x", "body": "b", "author": {"connect": {"id": 3}},
            "tags": {"connectOrCreate": [{"where": {"name": "a"}, "create": {"name": "a"}}],
                     "connect": {"id": 1}},
            "comments": {"create": [{"body": "hi", "author": {"create": {"email": "e@x.io"}}}]}}
    assert list(validator.iter_errors(good)) == []
    for bad in ({**good, "tags": {"set": []}}, {**good, "author": {"connect": {"name": "a"}}},
                {**good, "author": {"connect": {"id": 1}, "create": {"email": "e@x.io"}}},
                {**good, "comments": {"create": {"body": "c", "post": {"connect": {"id": 1}}}}},
                {"title": "x", "body": "b"}):  # author_id, or author
        assert not validator.is_valid(bad), bad
    assert validator.is_valid({"title": "x", "body": "b", "author_id": 1})


def test_a_child_created_under_its_parent_does_not_send_the_foreign_key() -> None:
    """Nor the relation back to the parent; its other relations nest as its create's do."""
    document = emit(ir_named("blog"))
    assert _body(document, "createUserPosts") == {
        "$ref": "#/components/schemas/PostWithoutAuthorIdCreateNested"}
    schemas = document["components"]["schemas"]
    for name in ("PostWithoutAuthorIdCreate", "PostWithoutAuthorIdCreateNested"):
        assert not {"author_id", "author"} & set(schemas[name]["properties"]), name
    assert {"comments", "tags"} <= set(schemas["PostWithoutAuthorIdCreateNested"]["properties"])
    assert _body(document, "createPostTags") == {"$ref": "#/components/schemas/TagCreateNested"}


def test_descriptions_come_from_the_model_docs() -> None:
    document = emit(ir_named("blog"))
    tags = {tag["name"]: tag.get("description") for tag in document["tags"]}
    assert tags["Posts"] == "A blog post written by one user."
    assert document["components"]["schemas"]["PostRead"]["description"] == tags["Posts"]


@pytest.mark.parametrize("name", NAMES)
def test_emit_is_deterministic_and_json_serializable(name: str) -> None:
    first = json.dumps(emit(ir_named(name)))
    assert first == json.dumps(emit(ir_named(name)))


def test_a_put_that_can_create_documents_its_201() -> None:
    """A key the client chooses (the kitchen's Region): PUT to a new key creates the row
    (fastbackend_ir.contract.put_creates); a generated key (the blog's Post) never does."""
    regions = _operations(emit(ir_named("kitchen")))["replaceRegion"]["responses"]
    assert _resolved(emit(ir_named("kitchen")), regions["201"])["headers"].keys() >= {
        "Location", "ETag"}
    assert "201" not in _operations(emit(ir_named("blog")))["replacePost"]["responses"]


def test_restore_documents_include_as_the_list_does() -> None:
    """A soft-deleting model's restore takes `include=` too (tables.INCLUDED_ACTIONS)."""
    document = emit(load(Path(__file__).parents[1] / "express" / "irs" / "softdelete.ir.json"))
    assert _parameters(document, "restorePost")["include"] is _parameters(document, "listPosts")["include"]


def test_one_rows_answers_document_include_as_the_list_does() -> None:
    """`include=` on GET of one row and on the writes of tables.INCLUDED_ACTIONS: the list's
    own parameter (one component, the same schema), of the entity the answer's rows are; and
    the row schema has the relations (and `_count`) as optional properties."""
    document = emit(ir_named("blog"))
    list_include = _parameters(document, "listPosts")["include"]
    for name in ("getPost", "createPost", "bulkCreatePosts", "updatePost", "replacePost"):
        assert _parameters(document, name)["include"] is list_include, name
    assert _parameters(document, "createUserPosts")["include"] is list_include
    # a to-one relation's row: its target's parameter
    assert _parameters(document, "getCommentPost")["include"] is list_include
    for name in ("deletePost", "aggregatePosts", "linkPostTags", "updatePosts"):
        assert "include" not in _parameters(document, name), name
    row = document["components"]["schemas"]["PostRead"]
    assert {"author", "comments", "tags", "_count"} <= set(row["properties"])
    assert not {"author", "comments", "tags", "_count"} & set(row["required"])
    assert row["properties"]["comments"]["items"] == {"$ref": "#/components/schemas/CommentRead"}

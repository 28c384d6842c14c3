"""The three adapters serve the contract the IR records (IR 1.2: routes, field roles, linking
fields), not one they work out again: an ir.json edited to drop a route, a role or an operator
is followed by the OpenAPI document, the FastAPI runtime and the Express emitter alike. Each
test edits a record only (the model's own facts, `api.operations` among them, stay as they
are), so an adapter that re-derived the contract from those facts would still serve the
edited-out thing and fail here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fastbackend_express import render_project
from fastbackend_fastapi import create_app
from fastbackend_ir import IR, loads
from fastbackend_openapi import emit
from tests.adapters.fastapi.conftest import TestClient  # imported there without its warning
from tests.conftest import GOLDEN

Document = dict[str, Any]


def _edited(change: Callable[[Document], None]) -> IR:
    document = json.loads((GOLDEN / "blog.ir.json").read_text("utf-8"))
    change(document)
    return loads(json.dumps(document))  # an edited ir.json is still a valid IR


def _without_route(document: Document, entity: str, operation_id: str) -> None:
    routes = document["entities"][entity]["routes"]
    kept = [route for route in routes if route["operationId"] != operation_id]
    assert len(kept) == len(routes) - 1, operation_id
    document["entities"][entity]["routes"] = kept


def _roles(document: Document, entity: str, field: str) -> Document:
    (found,) = [f for f in document["entities"][entity]["fields"] if f["name"] == field]
    roles: Document = found["roles"]
    return roles


def _client(ir: IR, tmp_path: Path) -> TestClient:
    return TestClient(create_app(ir, database_url=f"sqlite:///{tmp_path / 'x.db'}",
                                 custom_path=None))


def _methods(document: Document, path: str) -> set[str]:
    return set(document["paths"].get(path, {}))


def test_a_route_edited_out_of_the_ir_is_served_by_no_adapter(tmp_path: Path) -> None:
    ir = _edited(lambda d: _without_route(d, "Post", "deletePost"))
    assert "delete" in ir.entities["Post"].api.operations  # the fact is kept; the record is not

    assert _methods(emit(ir), "/posts/{key}") == {"get", "patch", "put"}

    with _client(ir, tmp_path) as client:
        answer = client.delete("/posts/1")
        assert answer.status_code == 405
        assert answer.headers["allow"] == "GET, HEAD, PUT, PATCH, OPTIONS"
        assert client.get("/posts/1").status_code == 404  # the route beside it is served

    router = render_project(ir)["src/routes/post.ts"]
    assert 'router.delete("/posts/:key"' not in router
    assert 'router.patch("/posts/:key"' in router
    assert 'router.all("/posts/:key", methodNotAllowed(["GET", "HEAD", "PUT", "PATCH", "OPTIONS"]))' in router


def test_a_link_route_edited_out_leaves_unlink_alone(tmp_path: Path) -> None:
    ir = _edited(lambda d: _without_route(d, "Post", "linkPostTags"))

    assert _methods(emit(ir), "/posts/{key}/tags/{target_key}") == {"delete"}

    with _client(ir, tmp_path) as client:
        assert client.put("/posts/1/tags/1").status_code == 405
        assert client.delete("/posts/1/tags/1").status_code == 404  # no post 1: served

    router = render_project(ir)["src/routes/post.ts"]
    assert 'router.put("/posts/:key/tags/:targetKey"' not in router
    assert 'router.delete("/posts/:key/tags/:targetKey"' in router


def test_an_operation_id_is_the_ir_s(tmp_path: Path) -> None:
    def rename(document: Document) -> None:
        for route in document["entities"]["Post"]["routes"]:
            if route["operationId"] == "getPost":
                route["operationId"] = "fetchPost"

    ir = _edited(rename)
    assert emit(ir)["paths"]["/posts/{key}"]["get"]["operationId"] == "fetchPost"
    app = create_app(ir, database_url=f"sqlite:///{tmp_path / 'x.db'}", custom_path=None)
    assert app.url_path_for("fetchPost", key="7") == "/posts/7"


def test_a_field_no_longer_writable_is_accepted_by_no_adapter(tmp_path: Path) -> None:
    def read_only(document: Document) -> None:
        roles = _roles(document, "Post", "status")
        del roles["writableOnCreate"], roles["writableOnUpdate"]

    ir = _edited(read_only)
    assert not ir.entities["Post"].field("status").api.read_only  # the fact is unchanged

    schemas = emit(ir)["components"]["schemas"]
    assert "status" not in schemas["PostCreate"]["properties"]
    assert "status" not in schemas["PostUpdate"]["properties"]
    assert schemas["PostRead"]["properties"]["status"]["readOnly"] is True

    with _client(ir, tmp_path) as client:
        answer = client.patch("/posts/1", json={"status": "published"})
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["code"] == "read_only"

    outputs = render_project(ir)
    schema = outputs["src/schemas/post.ts"]
    create = schema.split("export const PostCreate", 1)[1].split("});", 1)[0]
    assert "status:" not in create
    assert '"status"' in schema.split("POST_READ_ONLY", 1)[1].split("\n", 1)[0]


def test_requiredness_is_the_ir_s(tmp_path: Path) -> None:
    ir = _edited(lambda d: _roles(d, "Post", "published_at").update(requiredOnCreate=True))

    assert "published_at" in emit(ir)["components"]["schemas"]["PostCreate"]["required"]

    with _client(ir, tmp_path) as client:
        user = client.post("/users", json={"email": "a@x.io", "name": "A"})
        assert user.status_code == 201, user.text
        answer = client.post("/posts", json={"title": "t", "body": "b",
                                              "author_id": user.json()["id"]})
        assert answer.status_code == 422
        assert [e["pointer"] for e in answer.json()["errors"]] == ["/published_at"]

    create = render_project(ir)["src/schemas/post.ts"].split("export const PostCreate", 1)[1]
    line = next(text for text in create.splitlines() if "published_at:" in text)
    assert not line.rstrip(",").endswith(".optional()")


def test_sorting_and_operators_are_the_ir_s(tmp_path: Path) -> None:
    def narrowed(document: Document) -> None:
        roles = _roles(document, "Post", "title")
        del roles["sortable"]
        roles["operators"] = [op for op in roles["operators"] if op != "contains"]

    ir = _edited(narrowed)

    parameters = emit(ir)["components"]["parameters"]
    assert "title" not in parameters["Posts.sort"]["schema"]["pattern"]
    assert "title__contains" not in parameters["Posts.filters"]["schema"]["properties"]
    assert "title__startswith" in parameters["Posts.filters"]["schema"]["properties"]

    with _client(ir, tmp_path) as client:
        assert client.get("/posts", params={"sort": "title"}).status_code == 400
        assert client.get("/posts", params={"title__contains": "x"}).status_code == 400
        assert client.get("/posts", params={"title__startswith": "x"}).status_code == 200
        where = json.dumps({"title": {"contains": "x"}})
        assert client.get("/posts", params={"where": where}).status_code == 400

    # the Express server checks sort and operators against these (lib/cursor.ts, filters.ts)
    post = render_project(ir)["src/meta.ts"].split('  name: "Post",', 1)[1]
    line = next(text for text in post.splitlines() if 'name: "title"' in text)
    assert "sortable: false" in line and '"contains"' not in line and '"startswith"' in line


def test_the_runtime_s_operators_are_the_ir_s_not_the_type_s(tmp_path: Path) -> None:
    """An operator recorded for a field is served and one not recorded is refused, whatever the
    field's type would give: the runtime no longer checks operators against types itself."""
    def edited(document: Document) -> None:
        _roles(document, "Post", "status")["operators"].append("gt")  # an enum: no order
        title = _roles(document, "Post", "title")
        title["operators"] = [op for op in title["operators"] if op != "icontains"]

    ir = _edited(edited)
    with _client(ir, tmp_path) as client:
        assert client.get("/posts", params={"status__gt": "draft"}).status_code == 200
        assert client.get("/posts", params={"status__lt": "draft"}).status_code == 400
        assert client.get("/posts", params={"title__icontains": "x"}).status_code == 400
        # `mode` applies where the IR records case-insensitive matching
        where = json.dumps({"title": {"contains": "x", "mode": "insensitive"}})
        answer = client.get("/posts", params={"where": where})
        assert answer.status_code == 400 and "mode" in answer.text
        where = json.dumps({"body": {"contains": "x", "mode": "insensitive"}})
        assert client.get("/posts", params={"where": where}).status_code == 200

    post = render_project(ir)["src/meta.ts"].split('  name: "Post",', 1)[1]
    line = next(text for text in post.splitlines() if 'name: "status"' in text)
    assert '"gt"' in line  # the Express server checks the same list (lib/filters.ts)


def test_a_field_no_longer_filterable_is_so_on_every_adapter(tmp_path: Path) -> None:
    def unfiltered(document: Document) -> None:
        roles = _roles(document, "Post", "body")
        del roles["filterable"], roles["sortable"]
        roles["operators"] = []

    ir = _edited(unfiltered)
    parameters = emit(ir)["components"]["parameters"]
    assert "body" not in parameters["Posts.filters"]["schema"]["properties"]
    assert "body" not in emit(ir)["components"]["schemas"]["PostWhere"]["properties"]

    with _client(ir, tmp_path) as client:
        assert client.get("/posts", params={"body": "x"}).status_code == 400

    post = render_project(ir)["src/meta.ts"].split('  name: "Post",', 1)[1]
    line = next(text for text in post.splitlines() if 'name: "body"' in text)
    assert "filterable: false" in line


def test_a_relation_s_exposure_is_the_ir_s(tmp_path: Path) -> None:
    """Whether a relation can be included and filtered through is recorded (its target is
    exposed), not read from the target's operations by each adapter."""
    def unexposed(document: Document) -> None:
        (author,) = [r for r in document["entities"]["Post"]["relations"] if r["name"] == "author"]
        author["exposed"] = False

    ir = _edited(unexposed)
    assert ir.entities["User"].api.operations  # the target is still served

    document = emit(ir)
    assert "author" not in document["components"]["schemas"]["PostWhere"]["properties"]
    assert "comments" in document["components"]["schemas"]["PostWhere"]["properties"]

    with _client(ir, tmp_path) as client:
        assert client.get("/posts", params={"include": "author"}).status_code == 400
        assert client.get("/posts", params={"author.name": "x"}).status_code == 400
        assert client.get("/posts", params={"include": "comments"}).status_code == 200

    post = render_project(ir)["src/meta.ts"].split('  name: "Post",', 1)[1]
    line = next(text for text in post.splitlines() if 'name: "author"' in text)
    assert "exposed: false" in line


@pytest.mark.parametrize("relation", ["comments", "tags"])
def test_a_relation_s_linking_fields_are_the_ir_s(relation: str) -> None:
    """Rows of a relation are found by its recorded fields: swapped ones show in the
    Express model meta (the runtime's query vocabulary reads the same record)."""
    from fastbackend_fastapi.query.vocabulary import build_vocabulary

    def swapped(document: Document) -> None:
        (found,) = [r for r in document["entities"]["Post"]["relations"]
                    if r["name"] == relation]
        found["localFields"], found["remoteFields"] = ["author_id"], ["id"]

    ir = _edited(swapped)
    info = build_vocabulary(ir).entity("Post").relations[relation]
    assert (info.this_fields, info.target_fields) == (("author_id",), ("id",))
    post = render_project(ir)["src/meta.ts"].split('  name: "Post",', 1)[1]
    line = next(text for text in post.splitlines() if f'name: "{relation}"' in text)
    assert 'thisFields: ["author_id"]' in line and 'targetFields: ["id"]' in line

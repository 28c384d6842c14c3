"""One contract: the runtime's /openapi.json is the emitter's document, custom routes merged in."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import Header, HTTPException
from openapi_spec_validator import validate
from starlette.routing import Route

from fastbackend_fastapi import create_app
from fastbackend_fastapi.auth import Auth, ModelAuth
from fastbackend_openapi import emit
from tests.adapters.openapi.conftest import NAMES, TestClient, ir_named

CUSTOM = '''
from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter()


class Stats(BaseModel):
    author_id: int
    posts: int


@router.get("/stats/{author_id}", response_model=Stats, operation_id="authorStats",
            tags=["stats"])
def stats(author_id: int, since: str | None = None) -> Stats:
    return Stats(author_id=author_id, posts=0)


@router.get("/posts/{post_id}", operation_id="customGetPost")
def shadow(post_id: int) -> dict[str, int]:
    return {"id": post_id}
'''


def _served(ir_name: str, tmp_path: Path, custom: Path | None = None) -> dict[str, Any]:
    app = create_app(ir_named(ir_name), database_url=f"sqlite+pysqlite:///{tmp_path / 'a.db'}",
                     custom_path=custom)
    with TestClient(app) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.mark.parametrize("name", NAMES)
def test_the_runtime_serves_the_emitted_document(name: str, tmp_path: Path) -> None:
    served = _served(name, tmp_path)
    assert served == emit(ir_named(name))
    validate(served)


@pytest.mark.parametrize("name", NAMES)
def test_every_generated_route_is_documented_and_nothing_else(name: str, tmp_path: Path) -> None:
    """The emitter's paths and the routes the runtime really registers are the same set (an
    item route's path has a convertor, `{key:key_not_query_bulk}`: its format is `{key}`)."""
    app = create_app(ir_named(name), database_url=f"sqlite+pysqlite:///{tmp_path / 'a.db'}",
                     custom_path=None)
    served = {(route.path_format, method.lower()) for route in app.router.routes
              if isinstance(route, Route) and route.path not in ("/openapi.json", "/docs",
                                                                 "/docs/oauth2-redirect", "/redoc",
                                                                 "/")  # a redirect to /docs
              for method in (route.methods or ()) if method != "HEAD"}
    documented = {(path, method) for path, item in emit(ir_named(name))["paths"].items()
                  for method in item}
    assert served == documented


@pytest.fixture
def custom_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "custom"
    folder.mkdir()
    (folder / "stats.py").write_text(textwrap.dedent(CUSTOM))
    yield folder


def test_custom_routes_are_merged_with_their_real_parameters(custom_folder: Path,
                                                             tmp_path: Path) -> None:
    served = _served("blog", tmp_path, custom_folder)
    validate(served)
    stats = served["paths"]["/stats/{author_id}"]["get"]
    parameters = {p["name"]: p for p in stats["parameters"]}
    assert parameters["author_id"]["in"] == "path"
    assert parameters["author_id"]["schema"]["type"] == "integer"
    assert parameters["since"]["in"] == "query"
    assert stats["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Stats"}
    assert "Stats" in served["components"]["schemas"]
    # The runtime answers validation errors with problem+json, not FastAPI's shape.
    assert stats["responses"]["422"] == {"$ref": "#/components/responses/ValidationFailed"}
    assert "HTTPValidationError" not in served["components"]["schemas"]
    # Everything generated is still there, unchanged.
    generated = emit(ir_named("blog"))
    assert served["paths"]["/users"] == generated["paths"]["/users"]


def test_a_custom_route_that_shadows_a_generated_one_replaces_its_operation(
        custom_folder: Path, tmp_path: Path) -> None:
    served = _served("blog", tmp_path, custom_folder)
    assert "/posts/{post_id}" not in served["paths"]  # one template per route, the generated name
    item = served["paths"]["/posts/{key}"]
    assert item["get"]["operationId"] == "customGetPost"
    assert [p["name"] for p in item["get"]["parameters"]] == ["key"]
    assert item["patch"]["operationId"] == "updatePost"  # the other methods stay generated


def _current_user(x_user: str | None = Header(default=None)) -> int:
    if x_user is None:
        raise HTTPException(401, "who are you?")
    return int(x_user)


def test_with_auth_the_document_shows_401_403_and_no_server_filled_fields(tmp_path: Path) -> None:
    auth = Auth(dependencies=[_current_user],
                models={"Post": ModelAuth(fill={"author_id": _current_user})})
    app = create_app(ir_named("blog"), database_url=f"sqlite+pysqlite:///{tmp_path / 'a.db'}",
                     custom_path=None, auth=auth)
    with TestClient(app) as client:
        served = client.get("/openapi.json").json()
        refused = client.get("/posts")
        user = client.post("/users", json={"email": "a@x.io"}, headers={"x-user": "1"})
        sent = client.post("/posts", json={"title": "t", "body": "b", "author_id": 1},
                           headers={"x-user": "1"})
    validate(served)
    assert refused.status_code == 401
    assert "4XX" in served["paths"]["/posts"]["get"]["responses"]  # 401 and 403 among them
    assert "4XX" not in served["paths"]["/healthz"]["get"]["responses"]
    post_create = served["components"]["schemas"]["PostCreate"]
    assert user.status_code == 201
    assert "author_id" not in post_create["properties"]  # the server fills it in ...
    assert sent.status_code == 422  # ... and refuses it from the client, as documented


def test_a_body_over_the_limit_is_a_documented_413(tmp_path: Path) -> None:
    app = create_app(ir_named("blog"), database_url=f"sqlite+pysqlite:///{tmp_path / 'a.db'}",
                     custom_path=None)
    with TestClient(app) as client:
        document = client.get("/openapi.json").json()
        response = client.post("/tags/bulk", content=b"[" + b"{}," * 2_000_000 + b"{}]",
                               headers={"content-type": "application/json"})
    assert response.status_code == 413
    documented = document["paths"]["/tags/bulk"]["post"]["responses"]["4XX"]["$ref"]
    name = documented.rsplit("/", 1)[1]
    assert "413" in document["components"]["responses"][name]["description"]
    assert response.headers["content-type"] == "application/problem+json"


OVERRIDE = '''
from fastapi import APIRouter
from pydantic import BaseModel

from fastbackend_fastapi import override

router = APIRouter()


class Profile(BaseModel):
    id: int
    name: str


@override("/users/{id}", "GET")
async def public_profile(id: int, verbose: bool = False) -> Profile:
    return Profile(id=id, name="custom")
'''


def test_an_override_is_served_and_documented_in_place_of_the_generated_operation(
        tmp_path: Path) -> None:
    folder = tmp_path / "custom"
    folder.mkdir()
    (folder / "users.py").write_text(textwrap.dedent(OVERRIDE))
    served = _served("blog", tmp_path, folder)
    validate(served)
    get = served["paths"]["/users/{key}"]["get"]
    assert "public_profile" in get["operationId"]
    assert {(p["name"], p["in"]) for p in get["parameters"]} == {("key", "path"),
                                                                 ("verbose", "query")}
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Profile"}
    assert served["paths"]["/users/{key}"]["delete"] == emit(ir_named("blog"))["paths"][
        "/users/{key}"]["delete"]


def test_offset_and_cursor_pages_answer_as_the_document_says(tmp_path: Path) -> None:
    """A list's 200 schema holds for both kinds of page: `meta.offset` is null on a cursor page,
    and a document that said integer there made typed clients reject every next page."""
    from jsonschema import Draft202012Validator

    app = create_app(ir_named("blog"), database_url=f"sqlite+pysqlite:///{tmp_path / 'a.db'}",
                     custom_path=None)
    with TestClient(app) as client:
        document = client.get("/openapi.json").json()
        for index in range(3):
            assert client.post("/tags", json={"name": f"t{index}"}).status_code == 201
        first = client.get("/tags", params={"limit": 2}).json()
        cursor_page = client.get("/tags", params={"limit": 2, "cursor": first["meta"]["next_cursor"]})
    answer = document["paths"]["/tags"]["get"]["responses"]["200"]
    content = _resolved_node(document, answer)["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**content, "components": document["components"]})
    assert cursor_page.json()["meta"]["offset"] is None and len(cursor_page.json()["data"]) == 1
    for page in (first, cursor_page.json()):
        assert list(validator.iter_errors(page)) == [], page


def _resolved_node(document: dict[str, Any], node: Any) -> Any:
    """``node``, or what its $ref names (followed until it is not a reference)."""
    while isinstance(node, dict) and "$ref" in node:
        reference, node = node["$ref"], document
        for part in reference.removeprefix("#/").split("/"):
            node = node[part]
    return node

"""The atomic batch, `POST /_batch` (docs/rest-api.md "Atomic batch"): several writes on any
resources in one transaction, later operations referring to rows earlier ones wrote; the first
failure rolls every one back and answers its own problem, pointing into the batch's body.

One blog app per database for the module (`shared_blog`): each test writes rows of its own
(distinct emails and titles), and the rollback tests compare the whole database before and
after. Events: tests/events/test_outbox.py; row scope and auth: test_auth_scope.py; the same
answers from the Express server: tests/adapters/express/contract.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from fastbackend_fastapi.security import Security
from tests.adapters.fastapi.conftest import BLOG, pointers, problem, start_app
from tests.adapters.fastapi.test_nested_writes import snapshot


def batch(client: TestClient, *operations: dict[str, Any], **headers: str) -> Any:
    return client.post("/_batch", json={"operations": list(operations)}, headers=headers)


def user(email: str, ref: str = "u") -> dict[str, Any]:
    return {"op": "create", "path": "/users", "ref": ref, "body": {"email": email}}


def test_later_operations_refer_to_rows_earlier_ones_wrote(shared_blog: TestClient) -> None:
    response = batch(
        shared_blog, user("ref@x.io"),
        {"op": "create", "path": "/posts", "ref": "p",
         "body": {"title": "refs", "body": "b", "author_id": {"$ref": "u.id"}}},
        {"op": "create", "path": "/comments", "ref": "c",
         "body": {"body": "hi", "post_id": {"$ref": "p.id"}, "author_id": {"$ref": "u.id"}}},
        {"op": "update", "path": "/posts", "key": {"id": {"$ref": "p.id"}},
         "body": {"status": "published"}},
        {"op": "replace", "path": "/users", "key": {"id": {"$ref": "u.id"}},
         "body": {"email": "ref@x.io", "name": "Ref"}},
        {"op": "delete", "path": "/comments", "key": {"id": {"$ref": "c.id"}}})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [result["status"] for result in results] == [201, 201, 201, 200, 200, 204]
    author, post = results[0]["body"], results[1]["body"]
    assert post["author_id"] == author["id"] and results[2]["body"]["post_id"] == post["id"]
    assert results[5]["body"] is None
    # each answer is the route's own: what a read gives now
    assert shared_blog.get(f"/posts/{post['id']}").json() == results[3]["body"]
    assert shared_blog.get(f"/users/{author['id']}").json() == results[4]["body"]
    assert shared_blog.get(f"/comments/{results[2]['body']['id']}").status_code == 404


def test_nested_writes_and_references_inside_them(shared_blog: TestClient) -> None:
    """An operation's body is its route's: a create nests related rows, and a reference works
    inside a nested write's where as anywhere in a body."""
    response = batch(
        shared_blog, user("nest@x.io"),
        {"op": "create", "path": "/tags", "ref": "t", "body": {"name": "batch-tag"}},
        {"op": "create", "path": "/posts", "ref": "p", "body": {
            "title": "nested", "body": "b", "author": {"connect": {"id": {"$ref": "u.id"}}},
            "tags": {"connect": {"id": {"$ref": "t.id"}}, "create": {"name": "batch-new"}}}})
    assert response.status_code == 200, response.text
    post = response.json()["results"][2]["body"]
    tags = shared_blog.get(f"/posts/{post['id']}/tags", params={"sort": "name"}).json()["data"]
    assert [tag["name"] for tag in tags] == ["batch-new", "batch-tag"]


@pytest.mark.parametrize(("operations", "status", "kind", "pointer"), [
    pytest.param([user("v@x.io"), {"op": "create", "path": "/posts", "body": {
        "title": 5, "body": "b", "author_id": {"$ref": "u.id"}}}],
        422, "validation-error", "/operations/1/body/title", id="validation"),
    pytest.param([user("dup@x.io", "a"), user("dup@x.io", "b")],
                 409, "unique-violation", "/operations/1/body/email", id="unique"),
    pytest.param([user("nf@x.io"), {"op": "delete", "path": "/posts", "key": {"id": 10**9}}],
                 404, "not-found", "/operations/1/key", id="missing-row"),
    pytest.param([user("fk@x.io"), {"op": "create", "path": "/posts", "body": {
        "title": "t", "body": "b", "author_id": 10**9}}],
        422, "validation-error", "/operations/1/body/author_id", id="foreign-key"),
    pytest.param([user("nested@x.io"), {"op": "create", "path": "/posts", "body": {
        "title": "t", "body": "b", "author": {"connect": {"id": 10**9}}}}],
        422, "validation-error", "/operations/1/body/author/connect", id="nested-connect"),
    pytest.param([user("ref2@x.io"), {"op": "create", "path": "/posts", "body": {
        "title": "t", "body": "b", "author_id": {"$ref": "u.nope"}}}],
        422, "validation-error", "/operations/1/body/author_id", id="missing-ref-field"),
])
def test_a_failing_operation_rolls_back_every_one_and_is_named(
        shared_blog: TestClient, module_database_url: str, operations: list[dict[str, Any]],
        status: int, kind: str, pointer: str) -> None:
    before = snapshot(module_database_url)
    response = batch(shared_blog, *operations)
    assert response.status_code == status, response.text
    body = problem(response)
    assert body["type"] == f"https://fastbackend.dev/problems/{kind}"
    assert pointer in pointers(response)
    assert str(body["detail"]).startswith("operation 1 (")
    assert snapshot(module_database_url) == before  # the first operation's row too


def test_if_match_is_each_operations_own(shared_blog: TestClient,
                                         module_database_url: str) -> None:
    created = shared_blog.post("/users", json={"email": "etag@x.io"})
    key, etag = created.json()["id"], created.headers["etag"]
    before = snapshot(module_database_url)
    stale = batch(shared_blog, {"op": "update", "path": "/users", "key": {"id": key},
                                "body": {"name": "a"}, "if_match": '"stale"'})
    assert stale.status_code == 412 and pointers(stale) == ["/operations/0/if_match"]
    assert snapshot(module_database_url) == before
    fresh = batch(shared_blog, {"op": "update", "path": "/users", "key": {"id": key},
                                "body": {"name": "a"}, "if_match": etag})
    assert fresh.status_code == 200 and fresh.json()["results"][0]["body"]["name"] == "a"


def test_prefer_return_minimal_answers_204(shared_blog: TestClient) -> None:
    response = batch(shared_blog, user("minimal@x.io"), Prefer="return=minimal")
    assert response.status_code == 204 and response.content == b""
    assert response.headers["preference-applied"] == "return=minimal"
    assert shared_blog.get("/users", params={"email": "minimal@x.io"}).json()["meta"][
        "total"] == 1


@pytest.mark.parametrize(("body", "expected"), [
    ({"operations": {}}, ["/operations"]),
    ([], [""]),
    ({"operations": [], "extra": 1}, ["/extra", "/operations"]),
    ({"operations": [3]}, ["/operations/0"]),
    ({"operations": [{"op": "upsert", "path": "/users", "body": {}}]}, ["/operations/0/op"]),
    ({"operations": [{"op": "create", "path": "/nope", "body": {}}]}, ["/operations/0/path"]),
    ({"operations": [{"op": "create", "path": "/users"}]}, ["/operations/0/body"]),
    ({"operations": [{"op": "create", "path": "/users", "body": {}, "key": {"id": 1}}]},
     ["/operations/0/key"]),
    ({"operations": [{"op": "delete", "path": "/users", "key": {"id": 1}, "body": {}}]},
     ["/operations/0/body"]),
    ({"operations": [{"op": "delete", "path": "/users", "key": {"uid": 1}}]},
     ["/operations/0/key/uid", "/operations/0/key/id"]),
    ({"operations": [{"op": "delete", "path": "/users", "key": {"id": None}}]},
     ["/operations/0/key/id"]),
    ({"operations": [{"op": "delete", "path": "/users", "key": {"id": "a/b"}}]},
     ["/operations/0/key/id"]),
    ({"operations": [{"op": "update", "path": "/users", "key": {"id": 1}, "body": {},
                      "if_match": "é"}]}, ["/operations/0/if_match"]),
    ({"operations": [user("r@x.io", "1a")]}, ["/operations/0/ref"]),
    ({"operations": [user("r@x.io"), user("s@x.io")]}, ["/operations/1/ref"]),
    ({"operations": [{"op": "create", "path": "/users", "body": {"email": {"$ref": "u.email"}}},
                     user("t@x.io")]}, ["/operations/0/body/email"]),  # refers forward
    ({"operations": [user("t@x.io"), {"op": "delete", "path": "/users",
                                      "key": {"id": {"$ref": "u"}}}]},
     ["/operations/1/key/id"]),  # no field
    ({"operations": [{"op": "delete", "path": "/users", "key": {"id": 1}, "ref": "d"},
                     {"op": "create", "path": "/posts", "body": {
                         "title": "t", "body": "b", "author_id": {"$ref": "d.id"}}}]},
     ["/operations/1/body/author_id"]),  # a delete answers no row
], ids=lambda value: None if isinstance(value, dict | list) else str(value))
def test_a_malformed_batch_is_a_422_with_pointers_and_runs_nothing(
        shared_blog: TestClient, module_database_url: str, body: Any,
        expected: list[str]) -> None:
    before = snapshot(module_database_url)
    response = shared_blog.post("/_batch", json=body)
    assert response.status_code == 422, response.text
    assert pointers(response) == expected
    assert snapshot(module_database_url) == before


def test_bad_json_and_media_types_are_the_routes_problems(shared_blog: TestClient) -> None:
    assert shared_blog.post("/_batch", content=b"{", headers={
        "content-type": "application/json"}).status_code == 400
    assert shared_blog.post("/_batch", content=b"{}").status_code == 415
    assert shared_blog.get("/_batch").status_code == 405


def test_more_operations_than_the_limit_is_a_400_and_runs_nothing(
        shared_blog: TestClient, module_database_url: str) -> None:
    before = snapshot(module_database_url)
    many = [user(f"many{i}@x.io", f"u{i}") for i in range(101)]
    response = batch(shared_blog, *many)
    assert response.status_code == 400
    assert problem(response)["type"] == "https://fastbackend.dev/problems/too-many-operations"
    assert snapshot(module_database_url) == before
    documented = shared_blog.get("/openapi.json").json()["components"]["schemas"]
    assert documented["BatchRequest"]["properties"]["operations"]["maxItems"] == 100


def test_the_limit_is_configured_in_limits(tmp_path: Path) -> None:
    """fastbackend.yaml's `limits.max_batch_operations` (here given as the Security settings
    it is read into): the runtime refuses past it and documents it."""
    app = start_app(BLOG, f"sqlite+pysqlite:///{tmp_path / 'app.db'}", custom_path=None,
                    security_settings=Security(max_batch_operations=2))
    with TestClient(app) as client:
        assert batch(client, user("a@x.io", "a"), user("b@x.io", "b")).status_code == 200
        three = batch(client, user("c@x.io", "c"), user("d@x.io", "d"), user("e@x.io", "e"))
        assert three.status_code == 400 and "at most 2" in problem(three)["detail"]
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        assert schemas["BatchRequest"]["properties"]["operations"]["maxItems"] == 2

"""`Prefer: return=minimal` / `return=representation` on every write, and `Preference-Applied`
(fastbackend_contract.tables, "Prefer"; docs/rest-api.md)."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from fastbackend_fastapi.prefer import preferences
from tests.adapters.fastapi.test_crud import make_user

MINIMAL = {"Prefer": "return=minimal"}
REPRESENTATION = {"Prefer": "return=representation"}


def _request(*values: str) -> Request:
    headers = [(b"prefer", value.encode()) for value in values]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers})


def test_preferences_follow_rfc_7240() -> None:
    """Names case-insensitive, the first occurrence wins (across headers too), parameters after
    `;` ignored, quotes removed; Express's prefer.test.ts checks the same cases."""
    found = preferences(_request(' Return = minimal ; foo=1, return=representation, '
                                 'handling="strict", respond-async'))
    assert found == {"return": "minimal", "handling": "strict", "respond-async": ""}
    assert preferences(_request("return=MINIMAL,,")) == {"return": "MINIMAL"}
    assert preferences(_request("return=minimal", "return=representation")) == {
        "return": "minimal"}
    assert preferences(_request()) == {}


def test_create_minimal_has_no_body_and_keeps_location(blog: TestClient) -> None:
    response = blog.post("/users", json={"email": "a@x.io"}, headers=MINIMAL)
    assert response.status_code == 204 and response.content == b""
    assert response.headers["preference-applied"] == "return=minimal"
    assert "content-type" not in response.headers
    row = blog.get(response.headers["location"])  # the row was written, and is there
    assert row.json()["email"] == "a@x.io"
    assert row.headers["etag"] == response.headers["etag"]


def test_representation_is_the_default_and_said_when_asked(blog: TestClient) -> None:
    plain = blog.post("/users", json={"email": "a@x.io"})
    assert plain.status_code == 201 and plain.json()["email"] == "a@x.io"
    assert "preference-applied" not in plain.headers
    asked = blog.post("/users", json={"email": "b@x.io"}, headers=REPRESENTATION)
    assert asked.status_code == 201 and asked.json()["email"] == "b@x.io"
    assert asked.headers["preference-applied"] == "return=representation"
    unknown = blog.post("/users", json={"email": "c@x.io"}, headers={"Prefer": "return=nope"})
    assert unknown.status_code == 201 and unknown.json()["email"] == "c@x.io"
    assert "preference-applied" not in unknown.headers


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_minimal_is_204_with_the_new_etag(blog: TestClient, method: str) -> None:
    user = make_user(blog, "a@x.io")
    path = f"/users/{user['id']}"
    response = blog.request(method, path, json={"email": "a@x.io", "name": "New"},
                            headers=MINIMAL)
    assert response.status_code == 204 and response.content == b""
    assert response.headers["preference-applied"] == "return=minimal"
    after = blog.get(path)
    assert after.json()["name"] == "New"
    assert response.headers["etag"] == after.headers["etag"]


def test_bulk_create_minimal(blog: TestClient) -> None:
    response = blog.post("/tags/bulk", json=[{"name": "a"}, {"name": "b"}], headers=MINIMAL)
    assert response.status_code == 204 and response.content == b""
    assert response.headers["preference-applied"] == "return=minimal"
    assert [tag["name"] for tag in blog.get("/tags", params={"sort": "name"}).json()["data"]] == [
        "a", "b"]


def test_relation_writes_minimal(blog: TestClient) -> None:
    user = make_user(blog, "a@x.io")
    child = blog.post(f"/users/{user['id']}/posts", json={"title": "t", "body": "b"},
                      headers=MINIMAL)
    assert child.status_code == 204 and child.content == b""
    post = blog.get(child.headers["location"]).json()
    assert post["author_id"] == user["id"]
    tag = blog.post("/tags", json={"name": "x"}).json()
    link = blog.put(f"/posts/{post['id']}/tags/{tag['id']}", headers=MINIMAL)
    assert link.status_code == 204 and link.headers["preference-applied"] == "return=minimal"
    unlink = blog.delete(f"/posts/{post['id']}/tags/{tag['id']}", headers=REPRESENTATION)
    # A delete never has a body: `representation` is not honoured, so not said.
    assert unlink.status_code == 204 and "preference-applied" not in unlink.headers


def test_delete_minimal(blog: TestClient) -> None:
    user = make_user(blog, "a@x.io")
    response = blog.delete(f"/users/{user['id']}", headers=MINIMAL)
    assert response.status_code == 204
    assert response.headers["preference-applied"] == "return=minimal"
    assert blog.get(f"/users/{user['id']}").status_code == 404


def test_a_refused_write_is_a_problem_whatever_the_preference(blog: TestClient) -> None:
    make_user(blog, "a@x.io")
    response = blog.post("/users", json={"email": "a@x.io"}, headers=MINIMAL)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "preference-applied" not in response.headers

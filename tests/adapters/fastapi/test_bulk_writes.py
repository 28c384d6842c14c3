"""Bulk update and delete by filter: `PATCH /posts?...` and `DELETE /posts?...` (docs/rest-api.md,
"Bulk update and delete by filter"), on SQLite and PostgreSQL, and against Express
(tests/adapters/express/contract.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import BLOG, MakeClient, problem

MINIMAL = {"Prefer": "return=minimal"}
REPRESENTATION = {"Prefer": "return=representation"}


def _seed(client: TestClient) -> None:
    for email in ("a@x.io", "b@x.io"):
        assert client.post("/users", json={"email": email}).status_code == 201
    rows = [{"author_id": 1, "title": "one", "body": "b"},
            {"author_id": 1, "title": "two", "body": "b", "status": "published"},
            {"author_id": 2, "title": "three", "body": "b"},
            {"author_id": 2, "title": "four", "body": "b", "status": "published"}]
    assert client.post("/posts/bulk", json=rows).status_code == 201


def _titles(client: TestClient, **filters: str) -> dict[int, str]:
    page = client.get("/posts", params={"sort": "id", **filters}).json()
    return {row["id"]: row["title"] for row in page["data"]}


def test_bulk_patch_changes_the_rows_the_filter_matches(blog: TestClient) -> None:
    _seed(blog)
    response = blog.patch("/posts", params={"status": "draft", "author_id": "2"},
                          json={"title": "changed"})
    assert response.status_code == 200, response.text
    assert response.json() == {"count": 1}
    assert "preference-applied" not in response.headers
    assert _titles(blog) == {1: "one", 2: "two", 3: "changed", 4: "four"}


def test_bulk_patch_with_representation_returns_the_rows_in_key_order(blog: TestClient) -> None:
    _seed(blog)
    where = '{"OR": [{"id": 4}, {"title": {"startsWith": "o"}}]}'
    response = blog.patch("/posts", params={"where": where}, json={"body": "new"},
                          headers=REPRESENTATION)
    assert response.status_code == 200, response.text
    assert response.headers["preference-applied"] == "return=representation"
    found = response.json()
    assert found["count"] == 2
    assert [(row["id"], row["body"]) for row in found["data"]] == [(1, "new"), (4, "new")]
    assert found["data"][1] == blog.get("/posts/4").json()


def test_bulk_patch_minimal_is_204(blog: TestClient) -> None:
    _seed(blog)
    response = blog.patch("/posts", params={"title__in": "one,two"}, json={"body": "z"},
                          headers=MINIMAL)
    assert response.status_code == 204 and response.content == b""
    assert response.headers["preference-applied"] == "return=minimal"
    bodies = {row["title"]: row["body"] for row in blog.get("/posts").json()["data"]}
    assert bodies == {"one": "z", "two": "z", "three": "b", "four": "b"}


def test_no_filter_is_refused_unless_all_is_said(blog: TestClient) -> None:
    _seed(blog)
    for params in ({}, {"where": "{}"}):
        for method in ("PATCH", "DELETE"):
            response = blog.request(method, "/posts", params=params,
                                    **({"json": {"body": "x"}} if method == "PATCH" else {}))
            assert response.status_code == 400, response.text
            assert problem(response)["type"].endswith("/filter-required")
    assert len(_titles(blog)) == 4
    assert {row["body"] for row in blog.get("/posts").json()["data"]} == {"b"}
    everything = blog.patch("/posts", params={"all": "true"}, json={"body": "all"})
    assert everything.json() == {"count": 4}
    assert {row["body"] for row in blog.get("/posts").json()["data"]} == {"all"}


@pytest.mark.parametrize(("params", "named"), [
    ({"all": "yes"}, "'all'"), ({"id": "1", "sort": "id"}, "'sort'"),
    ({"id": "1", "limit": "2"}, "'limit'"), ({"nope": "1"}, "'nope'"),
    ({"id": "abc"}, "'id'"), ({"where": "{nope"}, "'where'"),
])
def test_bad_parameters_are_400s_naming_them(blog: TestClient, params: dict[str, str],
                                             named: str) -> None:
    _seed(blog)
    response = blog.patch("/posts", params=params, json={"body": "x"})
    assert response.status_code == 400
    assert problem(response)["type"].endswith("/invalid-parameter")
    assert named in str(problem(response)["detail"])
    assert {row["body"] for row in blog.get("/posts").json()["data"]} == {"b"}


def test_a_refused_value_writes_nothing(blog: TestClient) -> None:
    """Validation, a foreign key to no row, a unique violation between the rows changed, a key
    field: a problem with a pointer, and no row changed."""
    _seed(blog)
    before = blog.get("/posts", params={"sort": "id"}).json()["data"]
    cases = [("/posts", {"title": None}, 422, "/title"),
             ("/posts", {"author_id": 999}, 422, "/author_id"),
             ("/posts", {"id": 7}, 422, "/id"),
             ("/posts", {"nope": 1}, 422, "/nope")]
    for path, body, status, pointer in cases:
        response = blog.patch(path, params={"all": "true"}, json=body)
        assert response.status_code == status, (body, response.text)
        assert pointer in [error["pointer"] for error in problem(response)["errors"]]
    assert blog.get("/posts", params={"sort": "id"}).json()["data"] == before
    clash = blog.patch("/users", params={"all": "true"}, json={"email": "same@x.io"})
    assert clash.status_code == 409
    emails = [row["email"] for row in blog.get("/users", params={"sort": "id"}).json()["data"]]
    assert emails == ["a@x.io", "b@x.io"]


def test_bulk_delete_by_filter(blog: TestClient) -> None:
    _seed(blog)
    response = blog.delete("/posts", params={"status": "published"}, headers=REPRESENTATION)
    assert response.status_code == 200, response.text
    assert response.json()["count"] == 2
    assert [row["title"] for row in response.json()["data"]] == ["two", "four"]
    assert _titles(blog) == {1: "one", 3: "three"}
    gone = blog.delete("/posts", params={"title": "one"})
    assert gone.json() == {"count": 1}
    none = blog.delete("/posts", params={"title": "nothing"}, headers=MINIMAL)
    assert none.status_code == 204


def test_bulk_delete_follows_cascades(blog: TestClient) -> None:
    """Posts cascade from their author: deleting a user deletes their posts too."""
    _seed(blog)
    assert blog.delete("/users", params={"email": "a@x.io"}).json() == {"count": 1}
    assert _titles(blog) == {3: "three", 4: "four"}


def test_a_blocked_bulk_delete_deletes_nothing(kitchen: TestClient) -> None:
    """A store refers to one region (onDelete restrict): deleting every region is a 409 and
    the region no store refers to is kept too."""
    for code in ("by", "be"):
        region = {"country": "de", "code": code, "name": code}
        assert kitchen.post("/regions", json=region).status_code == 201
    store = {"name": "s", "region_country": "de", "region_code": "by"}
    assert kitchen.post("/stores", json=store).status_code == 201
    response = kitchen.delete("/regions", params={"all": "true"})
    assert response.status_code == 409, response.text
    assert problem(response)["type"].endswith("/dependent-rows")
    assert len(kitchen.get("/regions").json()["data"]) == 2
    assert kitchen.delete("/regions", params={"code": "be"}).json() == {"count": 1}


def test_a_unique_clash_between_the_changed_rows_is_409(blog: TestClient) -> None:
    _seed(blog)
    response = blog.patch("/posts", params={"author_id": "1"}, json={"title": "same"})
    assert response.status_code == 409
    assert sorted(error["pointer"] for error in problem(response)["errors"]) == [
        "/author_id", "/title"]
    assert _titles(blog, author_id="1") == {1: "one", 2: "two"}


def test_filters_through_relations(blog: TestClient) -> None:
    _seed(blog)
    response = blog.patch("/posts", params={"author.email": "a@x.io"}, json={"body": "by a"})
    assert response.json() == {"count": 2}
    bodies = {row["id"]: row["body"] for row in blog.get("/posts").json()["data"]}
    assert bodies == {1: "by a", 2: "by a", 3: "b", 4: "b"}


def test_past_max_bulk_rows_is_rolled_back(monkeypatch: pytest.MonkeyPatch,
                                           make_client: MakeClient, tmp_path: Path) -> None:
    monkeypatch.setenv("FASTBACKEND_MAX_BULK_ROWS", "3")
    client = make_client(BLOG)
    _seed(client)
    response = client.patch("/posts", params={"all": "true"}, json={"body": "x"})
    assert response.status_code == 400
    assert problem(response)["type"].endswith("/too-many-rows")
    assert {row["body"] for row in client.get("/posts").json()["data"]} == {"b"}
    deleted = client.delete("/posts", params={"all": "true"})
    assert deleted.status_code == 400 and len(_titles(client)) == 4
    assert client.patch("/posts", params={"id__lte": "3"}, json={"body": "x"}).json() == {
        "count": 3}

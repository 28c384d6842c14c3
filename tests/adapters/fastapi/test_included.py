"""`include=` on one row's answer (docs/rest-api.md "include on one row"): GET of one row or of
a to-one relation's row and every write the contract names
(fastbackend_contract.tables.INCLUDED_ACTIONS) nest the related rows, read in the write's own
transaction; a bad value is the list's 400 and writes nothing; the ETag is the row's own;
`Prefer: return=minimal` has no body. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.adapters.fastapi.conftest import BLOG, TestClient, start_app

BAD = ("nope", "posts.nope", "posts.comments.post.author", "", "_count.nope", "_count.posts.x")


@pytest.fixture
def blog(sqlite_or_postgres_url: str) -> Iterator[TestClient]:
    with TestClient(start_app(BLOG, sqlite_or_postgres_url, custom_path=None)) as client:
        yield client


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    found: dict[str, Any] = response.json()
    return found


def test_each_write_answers_the_row_with_its_includes(blog: TestClient) -> None:
    user = _ok(blog.post("/users", params={"include": "posts"},
                         json={"email": "a@x.io", "name": "Ann"}), 201)
    assert user["posts"] == [] and user["email"] == "a@x.io"
    post = _ok(blog.post("/posts", params={"include": "author,_count.comments"},
                         json={"title": "t1", "body": "b", "author_id": 1}), 201)
    assert post["author"]["name"] == "Ann" and post["_count"] == {"comments": 0}
    # the answer is what GET of the row with the same include answers, and the ETag the row's own
    read = blog.get("/posts/1", params={"include": "author,_count.comments"})
    assert _ok(read) == post
    plain = blog.get("/posts/1")
    assert read.headers["etag"] == plain.headers["etag"] and "author" not in plain.json()
    # If-None-Match is not honoured with include= (the tag does not cover the related rows)
    assert blog.get("/posts/1", headers={"If-None-Match": plain.headers["etag"]}).status_code == 304
    assert blog.get("/posts/1", params={"include": "author"},
                    headers={"If-None-Match": plain.headers["etag"]}).status_code == 200
    patched = blog.patch("/posts/1", params={"include": "author.posts"}, json={"title": "t1b"},
                         headers={"If-Match": plain.headers["etag"]})
    assert [p["title"] for p in _ok(patched)["author"]["posts"]] == ["t1b"]
    assert patched.headers["etag"] == blog.get("/posts/1").headers["etag"]
    replaced = _ok(blog.put("/posts/1", params={"include": "comments"},
                            json={"title": "t1c", "body": "b", "author_id": 1}))
    assert replaced["comments"] == [] and replaced["title"] == "t1c"
    child = _ok(blog.post("/users/1/posts", params={"include": "author"},
                          json={"title": "t2", "body": "b"}), 201)
    assert child["author"]["id"] == 1 and child["author_id"] == 1
    rows = blog.post("/posts/bulk", params={"include": "author"},
                     json=[{"title": "t3", "body": "b", "author_id": 1},
                           {"title": "t4", "body": "b", "author_id": 1}])
    assert [(r["title"], r["author"]["name"]) for r in rows.json()] == [("t3", "Ann"),
                                                                         ("t4", "Ann")]
    tag = _ok(blog.post("/tags", params={"include": "posts"}, json={"name": "sql"}), 201)
    assert tag["posts"] == []


def test_a_to_one_relation_answers_its_row_with_its_includes(blog: TestClient) -> None:
    """GET /comments/{key}/post (readRelated) takes the target's `include=`, as GET of the row
    itself does; a bad value is the 400 before the owner is looked up."""
    _ok(blog.post("/users", json={"email": "a@x.io", "name": "Ann"}), 201)
    _ok(blog.post("/posts", json={"title": "t1", "body": "b", "author_id": 1}), 201)
    _ok(blog.post("/comments", json={"body": "c", "post_id": 1}), 201)
    related = blog.get("/comments/1/post", params={"include": "author,_count.comments"})
    assert _ok(related) == _ok(blog.get("/posts/1", params={"include": "author,_count.comments"}))
    assert related.json()["author"]["name"] == "Ann" and related.json()["_count"] == {"comments": 1}
    assert related.headers["etag"] == blog.get("/posts/1").headers["etag"]
    assert blog.get("/comments/99/post", params={"include": "nope"}).status_code == 400
    assert blog.get("/comments/1/author", params={"include": "posts"}).status_code == 404


def test_upserts_answer_with_their_includes(blog: TestClient) -> None:
    _ok(blog.post("/users", json={"email": "a@x.io", "name": "Ann"}), 201)
    upsert = {"Prefer": "resolution=merge-duplicates"}
    created = blog.post("/users", params={"include": "posts", "on_conflict": "email"},
                        json={"email": "b@x.io", "name": "Bo"}, headers=upsert)
    assert _ok(created, 201)["posts"] == []
    merged = blog.post("/users/bulk", params={"include": "_count.posts", "on_conflict": "email"},
                       json=[{"email": "a@x.io", "name": "Ann B"}], headers=upsert)
    assert [(u["name"], u["_count"]) for u in _ok_list(merged)] == [("Ann B", {"posts": 0})]


def _ok_list(response: Any) -> list[dict[str, Any]]:
    assert response.status_code in (200, 201), response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_a_nested_create_answers_its_nested_rows(blog: TestClient) -> None:
    """The include is read after every row the request writes, in its transaction."""
    body = {"email": "n@x.io", "name": "Nest",
            "posts": {"create": [{"title": "p1", "body": "b",
                                  "comments": {"create": [{"body": "c1"}]}},
                                 {"title": "p2", "body": "b"}]}}
    user = _ok(blog.post("/users", params={"include": "posts.comments"}, json=body), 201)
    assert [(p["title"], [c["body"] for c in p["comments"]]) for p in user["posts"]] == [
        ("p1", ["c1"]), ("p2", [])]
    update = {"posts": {"create": [{"title": "p3", "body": "b"}]}}
    changed = _ok(blog.patch("/users/1", params={"include": "posts"}, json=update))
    assert [p["title"] for p in changed["posts"]] == ["p1", "p2", "p3"]


def test_a_bad_include_is_a_400_and_writes_nothing(blog: TestClient) -> None:
    """The list's parser, its 400 naming `include`, checked before anything is written."""
    nested = {"email": "c@x.io", "name": "C", "posts": {"create": [{"title": "t", "body": "b"}]}}
    for value in BAD:
        for body in ({"email": "a@x.io", "name": "Ann"}, nested):
            created = blog.post("/users", params={"include": value}, json=body)
            assert created.status_code == 400, created.text
            assert "'include'" in created.json()["detail"]
    assert blog.get("/users").json()["meta"]["total"] == 0
    assert blog.get("/posts").json()["meta"]["total"] == 0
    assert blog.post("/users", json={"email": "a@x.io", "name": "Ann"}).status_code == 201
    for value in BAD:
        for method in ("patch", "put"):
            answer = getattr(blog, method)("/users/1", params={"include": value},
                                           json={"email": "b@x.io", "name": "Bo"})
            assert answer.status_code == 400, answer.text
        assert blog.get("/users/1", params={"include": value}).status_code == 400
        assert blog.post("/users/1/posts", params={"include": value},
                         json={"title": "t", "body": "b"}).status_code == 400
        assert blog.post("/users/bulk", params={"include": value},
                         json=[{"email": "e@x.io", "name": "E"}]).status_code == 400
    assert blog.get("/users/1").json()["email"] == "a@x.io"
    assert blog.get("/users").json()["meta"]["total"] == 1
    assert blog.get("/posts").json()["meta"]["total"] == 0
    twice = blog.post("/users?include=posts&include=posts", json={"email": "d@x.io", "name": "D"})
    assert twice.status_code == 400 and blog.get("/users").json()["meta"]["total"] == 1


def test_return_minimal_has_no_body_whatever_it_includes(blog: TestClient) -> None:
    minimal = {"Prefer": "return=minimal"}
    created = blog.post("/users", params={"include": "posts"}, headers=minimal,
                        json={"email": "a@x.io", "name": "Ann"})
    assert created.status_code == 204 and created.content == b""
    assert created.headers["etag"] == blog.get("/users/1").headers["etag"]
    # the value is still checked: a bad one is a 400, and nothing is written
    refused = blog.post("/users", params={"include": "nope"}, headers=minimal,
                        json={"email": "b@x.io", "name": "Bo"})
    assert refused.status_code == 400
    assert blog.get("/users").json()["meta"]["total"] == 1

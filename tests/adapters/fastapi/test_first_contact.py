"""What a new user met in the first hour of the REST contract (issue #28): strong If-Match,
one clock per write, JSON Schema's integers, relations in `fields`, `mode: insensitive`, the
`/` redirect and an in-memory SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from fastbackend_fastapi import create_app
from fastbackend_fastapi.settings import from_environment
from tests.adapters.fastapi.conftest import BLOG, pointers, problem
from tests.adapters.fastapi.test_crud import make_post, make_user


def test_if_match_compares_strongly(blog: TestClient) -> None:
    """RFC 9110 §13.1.1: If-Match uses the strong comparison, so a weak tag never matches;
    If-None-Match stays weak."""
    user = make_user(blog, "a@x.io")
    path = f"/users/{user['id']}"
    etag = blog.get(path).headers["etag"]
    for method, body in (("PATCH", {"name": "x"}), ("PUT", {"email": "b@x.io"}), ("DELETE", None)):
        weak = blog.request(method, path, json=body, headers={"If-Match": f"W/{etag}"})
        assert weak.status_code == 412, method
    assert blog.get(path, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    listed = blog.patch(path, json={"name": "y"}, headers={"If-Match": f'W/{etag}, {etag}'})
    assert listed.status_code == 200


def test_a_new_row_reads_one_clock(blog: TestClient) -> None:
    """created_at (a server default) and updated_at (stamped by the application) were two
    clocks: updated_at came out earlier than created_at on a new row."""
    author = make_user(blog, "a@x.io")
    post = make_post(blog, author["id"], "Clock")
    assert post["created_at"] == post["updated_at"]
    many = blog.post("/posts/bulk", json=[{"title": f"p{i}", "body": "b", "author_id": author["id"]}
                                      for i in range(3)]).json()
    assert all(row["created_at"] == row["updated_at"] for row in many)
    changed = blog.patch(f"/posts/{post['id']}", json={"title": "Clock 2"}).json()
    assert changed["created_at"] == post["created_at"]
    assert changed["updated_at"] >= post["updated_at"]


def test_an_integral_number_is_an_integer(blog: TestClient) -> None:
    """JSON Schema's integer accepts 1.0; a fraction, text and booleans stay refused."""
    author = make_user(blog, "a@x.io")
    created = blog.post("/posts", json={"title": "t", "body": "b", "author_id": float(author["id"])})
    assert created.status_code == 201, created.text
    assert created.json()["author_id"] == author["id"]
    patched = blog.patch(created.headers["location"], json={"author_id": 1e0 * author["id"]})
    assert patched.status_code == 200 and patched.json()["author_id"] == author["id"]
    for wrong in (1.5, str(author["id"]), True):
        refused = blog.post("/posts", json={"title": "u", "body": "b", "author_id": wrong})
        assert refused.status_code == 422, wrong
        assert pointers(refused) == ["/author_id"]


def test_fields_may_name_relations_which_are_included(blog: TestClient) -> None:
    author = make_user(blog, "a@x.io")
    post = make_post(blog, author["id"], "Sparse")
    blog.post("/comments", json={"body": "c", "post_id": post["id"]})
    (row,) = blog.get("/posts", params={"fields": "id,title,author"}).json()["data"]
    assert set(row) == {"id", "title", "author"} and row["author"]["email"] == "a@x.io"
    (row,) = blog.get("/posts", params={"fields": "title,comments", "include": "author"}
                      ).json()["data"]
    assert set(row) == {"title", "comments", "author"} and len(row["comments"]) == 1
    unknown = blog.get("/posts", params={"fields": "id,nothing"})
    assert unknown.status_code == 400 and "nothing" in str(problem(unknown)["detail"])


CASES = [  # (condition on Post.title, titles found without mode, with "mode": "insensitive")
    ({"equals": "hello world"}, [], ["Hello World"]),
    ({"not": "HELLO WORLD"}, ["Hello World", "Other 100%"], ["Other 100%"]),
    ({"in": ["HELLO WORLD", "x"]}, [], ["Hello World"]),
    ({"notIn": ["HELLO WORLD"]}, ["Hello World", "Other 100%"], ["Other 100%"]),
    ({"startsWith": "HELLO"}, [], ["Hello World"]),
    ({"endsWith": "WORLD"}, [], ["Hello World"]),
    ({"contains": "O W"}, [], ["Hello World"]),
    ({"startsWith": "OTHER 100%"}, [], ["Other 100%"]),
    ({"endsWith": "r 100%", "startsWith": "o"}, [], ["Other 100%"]),
]


@pytest.mark.parametrize("condition, sensitive, insensitive", CASES)
def test_insensitive_mode_applies_to_every_text_operator(
        blog: TestClient, condition: dict[str, object], sensitive: list[str],
        insensitive: list[str]) -> None:
    author = make_user(blog, "a@x.io")
    make_post(blog, author["id"], "Hello World")
    make_post(blog, author["id"], "Other 100%")
    for mode, expected in ((None, sensitive), ("default", sensitive), ("insensitive", insensitive)):
        where = {"title": {**condition, **({"mode": mode} if mode else {})}}
        response = blog.get("/posts", params={"where": json.dumps(where), "sort": "title"})
        assert response.status_code == 200, response.text
        assert [row["title"] for row in response.json()["data"]] == expected, (mode, condition)


def test_insensitive_mode_is_refused_where_it_cannot_apply(blog: TestClient) -> None:
    for where in ({"status": {"equals": "draft", "mode": "insensitive"}},
                  {"id": {"gt": 0, "mode": "insensitive"}},
                  {"title": {"equals": "x", "mode": "fuzzy"}}):
        response = blog.get("/posts", params={"where": json.dumps(where)})
        assert response.status_code == 400, where
        assert "mode" in str(problem(response)["detail"])


def test_root_redirects_to_the_docs_unless_configured_otherwise(tmp_path: Path) -> None:
    """`/` was a 404 at the address `fastbackend dev` prints (FastAPI only: the Express server
    serves no /docs)."""
    url = f"sqlite:///{tmp_path / 'root.db'}"
    for environment, expected in (({}, "/docs"), ({"FASTBACKEND_ROOT_REDIRECT": "/redoc"}, "/redoc"),
                                  ({"FASTBACKEND_ROOT_REDIRECT": ""}, None)):
        app = create_app(BLOG, database_url=url, custom_path=None,
                         settings=from_environment(environment))
        with TestClient(app) as client:
            response = client.get("/", follow_redirects=False)
            if expected is None:
                assert response.status_code == 404
                continue
            assert (response.status_code, response.headers["location"]) == (307, expected)
            assert client.get("/").status_code == 200  # the docs page itself


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
@pytest.mark.parametrize("execution", ["inline", "thread"])
def test_an_in_memory_sqlite_database_serves(url: str, execution: str) -> None:
    """DATABASE_URL=sqlite:// failed at start (`Invalid argument(s) 'max_overflow',
    'pool_timeout'`): pool options follow the pool class, and every request, from any thread,
    sees the one in-memory database."""
    settings = from_environment({"FASTBACKEND_EXECUTION": execution})
    with TestClient(create_app(BLOG, database_url=url, custom_path=None,
                               settings=settings)) as client:
        created = make_user(client, "mem@x.io")
        assert client.get(f"/users/{created['id']}").json() == created
        assert client.get("/users").json()["meta"]["total"] == 1

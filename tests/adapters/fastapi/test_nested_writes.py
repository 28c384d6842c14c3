"""Nested writes on create (docs/rest-api.md "Nested writes"): a post with its author connected
or created, its comments created and its tags connected or created, in one transaction; a
failing part is one 422 (or the contract's 409) pointing into the body, and nothing is written.
Runs against the Express server too (tests/adapters/express/contract.py)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import BLOG, MakeClient, pointers, problem

TABLES = ("users", "posts", "comments", "tags", "post_tags")


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the blog's tables, to show a refused request wrote nothing."""
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine, only=TABLES)
        with engine.connect() as connection:
            return {name: sorted(tuple(map(str, row)) for row in
                                 connection.execute(sa.select(metadata.tables[name])))
                    for name in TABLES}
    finally:
        engine.dispose()


def seeded(blog: TestClient) -> tuple[int, int]:
    """A user and a tag: the rows the requests below connect to."""
    user = blog.post("/users", json={"email": "ann@x.io"})
    tag = blog.post("/tags", json={"name": "old"})
    assert user.status_code == tag.status_code == 201
    return user.json()["id"], tag.json()["id"]


def test_one_request_creates_connects_and_links_at_every_kind_of_relation(
        blog: TestClient) -> None:
    user, tag = seeded(blog)
    response = blog.post("/posts", json={
        "title": "x", "body": "b", "author": {"connect": {"id": user}},
        "tags": {"connect": [{"id": tag}], "create": {"name": "new"},
                 "connectOrCreate": [{"where": {"name": "old"}, "create": {"name": "old"}},
                                     {"where": {"name": "third"}, "create": {"name": "third"}}]},
        "comments": {"create": [{"body": "hi"},
                                {"body": "yo", "author": {"create": {"email": "bo@x.io"}}}]}})
    assert response.status_code == 201, response.text
    post = response.json()
    assert post["author_id"] == user and post["title"] == "x"
    assert response.headers["location"] == f"/posts/{post['id']}"
    assert blog.get(f"/posts/{post['id']}").json() == post  # the create's own answer
    comments = blog.get(f"/posts/{post['id']}/comments", params={"sort": "id"}).json()["data"]
    assert [(c["body"], c["post_id"]) for c in comments] == [("hi", post["id"]),
                                                              ("yo", post["id"])]
    bo = blog.get("/users", params={"email": "bo@x.io"}).json()["data"][0]
    assert comments[0]["author_id"] is None and comments[1]["author_id"] == bo["id"]
    tags = blog.get(f"/posts/{post['id']}/tags", params={"sort": "name"}).json()["data"]
    assert [t["name"] for t in tags] == ["new", "old", "third"]  # "old" linked once


def test_a_to_one_row_created_and_to_many_rows_connected(blog: TestClient) -> None:
    user, _ = seeded(blog)
    first = blog.post("/posts", json={"title": "a", "body": "b", "author_id": user,
                                      "comments": {"create": {"body": "moving"}}}).json()
    comment = blog.get(f"/posts/{first['id']}/comments").json()["data"][0]
    response = blog.post("/posts", json={
        "title": "b", "body": "b", "author": {"create": {"email": "new@x.io", "name": "N"}},
        "comments": {"connect": {"id": comment["id"]}}})
    assert response.status_code == 201, response.text
    post = response.json()
    author = blog.get(f"/posts/{post['id']}/author").json()
    assert (author["email"], author["name"]) == ("new@x.io", "N")
    assert blog.get(f"/comments/{comment['id']}").json()["post_id"] == post["id"]  # moved


def test_any_failing_part_is_one_problem_and_nothing_is_written(
        blog: TestClient, database_url: str) -> None:
    user, tag = seeded(blog)
    before = snapshot(database_url)
    base = {"title": "x", "body": "b", "author": {"connect": {"id": user}}}
    missing = blog.post("/posts", json={**base, "tags": {"create": {"name": "fine"}},
                                        "comments": {"create": [
                                            {"body": "ok"},
                                            {"body": "x", "author": {"connect": {"id": 999}}}]}})
    assert missing.status_code == 422
    assert problem(missing)["errors"] == [{
        "pointer": "/comments/create/1/author/connect", "code": "not_found",
        "message": "no User with id 999"}]
    taken = blog.post("/posts", json={**base, "comments": {"create": {"body": "ok"}},
                                      "tags": {"create": [{"name": "fine"}, {"name": "old"}]}})
    assert taken.status_code == 409
    assert pointers(taken) == ["/tags/create/1/name"]
    invalid = blog.post("/posts", json={**base, "comments": {"create": [
        {"body": "ok"}, {"body": 5, "post_id": 1}]}})
    assert invalid.status_code == 422
    assert pointers(invalid) == ["/comments/create/1/body", "/comments/create/1/post_id"]
    assert snapshot(database_url) == before
    assert tag == 1


def test_a_row_created_under_its_owners_url_nests_too(blog: TestClient,
                                                      database_url: str) -> None:
    """`POST /users/{key}/posts` and `POST /posts/{key}/tags` take the target's nested body,
    but for the relation back to the owner, whose key the URL gives; with `include=` the
    answer shows what was nested (routes/included.py)."""
    user, tag = seeded(blog)
    created = blog.post(f"/users/{user}/posts", params={"include": "author,tags,comments"},
                        json={"title": "x", "body": "b", "comments": {"create": [{"body": "hi"}]},
                              "tags": {"connect": [{"id": tag}], "create": {"name": "new"}}})
    assert created.status_code == 201, created.text
    post = created.json()
    assert post["author_id"] == user and post["author"]["id"] == user
    assert [t["name"] for t in post["tags"]] == ["old", "new"]
    assert [(c["body"], c["post_id"]) for c in post["comments"]] == [("hi", post["id"])]
    before = snapshot(database_url)
    back = blog.post(f"/users/{user}/posts", json={"title": "y", "body": "b",
                                                   "author": {"connect": {"id": user}}})
    assert back.status_code == 422 and pointers(back) == ["/author"]
    missing = blog.post(f"/users/{user}/posts", json={"title": "y", "body": "b",
                                                      "tags": {"connect": [{"id": 999}]}})
    assert missing.status_code == 422 and pointers(missing) == ["/tags/connect/0"]
    assert snapshot(database_url) == before
    # a many-to-many's target: its nested connect of the owner is the URL's one link
    linked = blog.post(f"/posts/{post['id']}/tags", params={"include": "posts"},
                       json={"name": "third", "posts": {"connect": [{"id": post["id"]}]}})
    assert linked.status_code == 201, linked.text
    assert [p["id"] for p in linked.json()["posts"]] == [post["id"]]
    tags = blog.get(f"/posts/{post['id']}/tags", params={"sort": "id"}).json()["data"]
    assert [t["name"] for t in tags] == ["old", "new", "third"]


def test_each_row_of_a_bulk_create_nests_in_its_one_transaction(blog: TestClient,
                                                                 database_url: str) -> None:
    """`POST /posts/bulk`: each element takes a create's nested body; every fault of every
    element in one 422 (pointers `/<index>/...`), and nothing written when any part fails."""
    user, tag = seeded(blog)
    created = blog.post("/posts/bulk", params={"include": "tags,comments"}, json=[
        {"title": "flat", "body": "b", "author_id": user},
        {"title": "n", "body": "b", "author": {"create": {"email": "new@x.io"}},
         "tags": {"connect": [{"id": tag}], "create": {"name": "fresh"}},
         "comments": {"create": [{"body": "hi", "author": {"connect": {"id": user}}}]}}])
    assert created.status_code == 201, created.text
    flat, nested = created.json()
    assert (flat["title"], flat["author_id"], flat["tags"], flat["comments"]) == (
        "flat", user, [], [])
    assert [t["name"] for t in nested["tags"]] == ["old", "fresh"]
    assert [(c["body"], c["author_id"]) for c in nested["comments"]] == [("hi", user)]
    assert blog.get(f"/posts/{nested['id']}/author").json()["email"] == "new@x.io"
    before = snapshot(database_url)
    fine = {"title": "ok", "body": "b", "author": {"connect": {"id": user}},
            "comments": {"create": {"body": "c"}}, "tags": {"create": {"name": "other"}}}
    missing = blog.post("/posts/bulk", json=[fine, {"title": "x", "body": "b", "author": {
        "connect": {"id": 999}}}])
    assert missing.status_code == 422
    assert problem(missing)["errors"] == [{
        "pointer": "/1/author/connect", "code": "not_found", "message": "no User with id 999"}]
    taken = blog.post("/posts/bulk", json=[fine, {"title": "y", "body": "b", "author_id": user,
                                                  "tags": {"create": [{"name": "old"}]}}])
    assert taken.status_code == 409 and pointers(taken) == ["/1/tags/create/0/name"]
    deep = {"body": "c", "author": {"create": {"email": "e@x.io", "posts": {"create": [
        {"title": "t", "body": "b", "tags": {"create": {"name": "deep"}}}]}}}}
    invalid = blog.post("/posts/bulk", json=[
        {**fine, "title": 5}, {"body": "b", "author_id": user, "comments": {"create": [deep]}}])
    assert invalid.status_code == 422
    assert pointers(invalid) == [
        "/0/title", "/1/comments/create/0/author/create/posts/create/0/tags", "/1/title"]
    assert snapshot(database_url) == before


def test_the_body_is_checked_whole_before_anything_is_written(blog: TestClient) -> None:
    refused = blog.post("/posts", json={
        "title": "x", "body": "b", "author": {"connect": {"email": "no-such@x.io"}},
        "tags": {"set": [], "connect": {"name": 5}},
        "comments": {"create": [{"body": "ok", "parent": {"connect": {"id": 1}}}, []]}})
    assert refused.status_code == 422
    assert pointers(refused) == [
        "/tags/set", "/tags/connect/name", "/comments/create/0/parent",
        "/comments/create/1"]
    codes = [error["code"] for error in problem(refused)["errors"]]  # type: ignore[union-attr]
    assert codes == ["nested_operation", "string_type", "unknown_field", "dict_type"]
    both = blog.post("/posts", json={"title": "x", "body": "b", "author": {
        "connect": {"id": 1}, "create": {"email": "z@x.io"}}})
    assert pointers(both) == ["/author"]
    by_non_unique = blog.post("/posts", json={"title": "x", "body": "b", "author": {
        "connect": {"name": "Ann"}}})
    assert pointers(by_non_unique) == ["/author/connect"]
    assert problem(by_non_unique)["errors"][0]["code"] == "invalid_where"  # type: ignore[index]


def test_nesting_deeper_than_the_limit_is_refused_at_the_relation(blog: TestClient) -> None:
    deep = {"title": "x", "body": "b", "author": {"create": {"email": "d@x.io"}},
            "comments": {"create": [{"body": "c", "author": {"create": {
                "email": "e@x.io", "posts": {"create": [{"title": "y", "body": "b", "tags": {
                    "create": {"name": "too-deep"}}}]}}}}]}}
    refused = blog.post("/posts", json=deep)
    assert refused.status_code == 422
    assert problem(refused)["errors"] == [{
        "pointer": "/comments/create/0/author/create/posts/create/0/tags",
        "code": "nested_depth",
        "message": "nested writes go 3 relation levels deep at most (limits.max_nested_depth)"}]
    del deep["comments"]["create"][0]["author"]["create"]["posts"]["create"][0]["tags"]  # type: ignore[index]
    assert blog.post("/posts", json=deep).status_code == 201  # three levels: accepted
    assert blog.get("/posts", params={"title": "y"}).json()["meta"]["total"] == 1


@pytest.mark.parametrize("body", [{"email": "q@x.io", "posts": {"create": [{"title": "t"}]}}])
def test_a_nested_row_needs_what_its_own_create_needs(blog: TestClient,
                                                      body: dict[str, Any]) -> None:
    refused = blog.post("/users", json=body)
    assert refused.status_code == 422
    assert pointers(refused) == ["/posts/create/0/body"]
    assert blog.get("/users").json()["meta"]["total"] == 0


def test_the_limit_is_configured(make_client: MakeClient,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTBACKEND_MAX_NESTED_DEPTH", "1")
    blog = make_client(BLOG)
    refused = blog.post("/posts", json={"title": "x", "body": "b", "author": {"create": {
        "email": "a@x.io"}}, "comments": {"create": {"body": "c", "author": {"connect": {
            "id": 1}}}}})
    assert pointers(refused) == ["/comments/create/author"]

"""Nested writes on update (docs/rest-api.md "Nested writes"): PATCH and PUT name relation
fields with Prisma's `set`, `disconnect`, `connect`, `create`, `connectOrCreate`, written in the
update's one transaction; a one-to-many whose children need their parent refuses `set` and
`disconnect` (a 422 naming the required key); a failing part is one 422 pointing into the body,
and nothing is written. Runs against the Express server too (tests/adapters/express/contract.py)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import pointers, problem
from tests.adapters.fastapi.test_nested_writes import snapshot


def made(blog: TestClient) -> dict[str, Any]:
    """A user with a post tagged `a` and `b` and carrying one comment, and a spare tag `c`."""
    ann = blog.post("/users", json={"email": "ann@x.io"}).json()
    post = blog.post("/posts", json={
        "title": "t", "body": "b", "author_id": ann["id"],
        "tags": {"create": [{"name": "a"}, {"name": "b"}]},
        "comments": {"create": {"body": "first"}}})
    assert post.status_code == 201, post.text
    spare = blog.post("/tags", json={"name": "c"}).json()
    return {"user": ann["id"], "post": post.json()["id"], "spare": spare["id"]}


def tag_names(blog: TestClient, post: int) -> list[str]:
    tags = blog.get(f"/posts/{post}/tags", params={"sort": "name"}).json()["data"]
    return [tag["name"] for tag in tags]


def test_set_disconnect_connect_and_create_on_a_patch(blog: TestClient) -> None:
    seed = made(blog)
    post = seed["post"]
    response = blog.patch(f"/posts/{post}", json={
        "title": "renamed", "tags": {"set": [{"name": "b"}, {"id": seed["spare"]}]}})
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "renamed"
    assert tag_names(blog, post) == ["b", "c"]  # `a` unlinked, `c` linked, `b` kept
    response = blog.patch(f"/posts/{post}", json={"tags": {
        "disconnect": {"name": "b"}, "create": {"name": "d"},
        "connectOrCreate": {"where": {"name": "e"}, "create": {"name": "e"}}}})
    assert response.status_code == 200, response.text
    assert tag_names(blog, post) == ["c", "d", "e"]
    assert blog.patch(f"/posts/{post}", json={"tags": {"set": []}}).status_code == 200
    assert tag_names(blog, post) == []
    assert [t["name"] for t in blog.get("/tags", params={"sort": "name"}).json()["data"]] == [
        "a", "b", "c", "d", "e"]  # set and disconnect unlink, never delete


def test_to_one_connect_create_and_disconnect(blog: TestClient) -> None:
    seed = made(blog)
    comment = blog.get(f"/posts/{seed['post']}/comments").json()["data"][0]["id"]
    response = blog.patch(f"/comments/{comment}", json={"author": {"connect": {"id": seed["user"]}}})
    assert response.status_code == 200, response.text
    assert response.json()["author_id"] == seed["user"]
    response = blog.patch(f"/comments/{comment}", json={"author": {"disconnect": True}})
    assert response.status_code == 200 and response.json()["author_id"] is None
    response = blog.patch(f"/posts/{seed['post']}", json={
        "author": {"create": {"email": "bo@x.io"}}})
    assert response.status_code == 200, response.text
    assert blog.get(f"/posts/{seed['post']}/author").json()["email"] == "bo@x.io"


def test_one_to_many_moves_and_unlinks_rows_whose_key_may_be_null(blog: TestClient) -> None:
    seed = made(blog)
    user = seed["user"]
    comment = blog.get(f"/posts/{seed['post']}/comments").json()["data"][0]["id"]
    response = blog.patch(f"/users/{user}", json={"comments": {
        "connect": {"id": comment}, "create": {"body": "new", "post_id": seed["post"]}}})
    assert response.status_code == 200, response.text
    mine = blog.get(f"/users/{user}/comments", params={"sort": "id"}).json()["data"]
    assert [c["body"] for c in mine] == ["first", "new"]
    response = blog.patch(f"/users/{user}", json={"comments": {"disconnect": {"id": comment}}})
    assert response.status_code == 200, response.text
    assert blog.get(f"/comments/{comment}").json()["author_id"] is None
    response = blog.patch(f"/users/{user}", json={"comments": {"set": [{"id": comment}]}})
    assert response.status_code == 200, response.text
    mine = blog.get(f"/users/{user}/comments").json()["data"]
    assert [c["id"] for c in mine] == [comment]  # `new` taken out, `first` put back


def test_unlinking_children_that_need_their_parent_is_refused(blog: TestClient) -> None:
    seed = made(blog)
    comment = blog.get(f"/posts/{seed['post']}/comments").json()["data"][0]["id"]
    response = blog.patch(f"/posts/{seed['post']}", json={"comments": {
        "disconnect": {"id": comment}, "set": []}, "author": {"disconnect": True}})
    assert response.status_code == 422
    body = problem(response)
    assert pointers(response) == ["/comments/set", "/comments/disconnect", "/author/disconnect"]
    details = {e["pointer"]: e["message"] for e in body["errors"]}  # type: ignore[union-attr]
    assert "Comment.post_id is required" in details["/comments/set"]
    assert "Post.author_id is required" in details["/author/disconnect"]


def test_any_failing_part_rolls_the_update_back(blog: TestClient, database_url: str) -> None:
    seed = made(blog)
    before = snapshot(database_url)
    response = blog.patch(f"/posts/{seed['post']}", json={
        "title": "never", "tags": {"set": [{"name": "a"}], "create": {"name": "c"}}})
    assert response.status_code == 409, response.text  # tag `c` exists: unique name
    assert snapshot(database_url) == before
    response = blog.patch(f"/posts/{seed['post']}", json={
        "title": "never", "tags": {"set": [{"name": "a"}, {"name": "nope"}]}})
    assert response.status_code == 422
    assert pointers(response) == ["/tags/set/1"]
    assert snapshot(database_url) == before
    response = blog.patch(f"/posts/{seed['post']}", json={
        "title": 5, "tags": {"disconnect": [{"slug": "a"}], "create": {}}})
    assert response.status_code == 422  # the whole body checked first: every error at once
    assert set(pointers(response)) == {"/title", "/tags/disconnect/0", "/tags/create/name"}
    assert snapshot(database_url) == before


def test_put_replaces_the_row_and_writes_its_relations(blog: TestClient) -> None:
    seed = made(blog)
    response = blog.put(f"/posts/{seed['post']}", json={
        "title": "whole", "body": "b", "author_id": seed["user"],
        "tags": {"set": [{"id": seed["spare"]}]}})
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "whole"
    assert tag_names(blog, seed["post"]) == ["c"]



def test_a_failed_precondition_rolls_the_nested_writes_back(blog: TestClient,
                                                            database_url: str) -> None:
    """The row's own If-Match check runs in the same transaction: a 412 leaves the rows a
    to-one `create` wrote before it, and every link, unwritten."""
    seed = made(blog)
    before = snapshot(database_url)
    response = blog.patch(f"/posts/{seed['post']}", headers={"If-Match": '"stale"'}, json={
        "author": {"create": {"email": "cy@x.io"}}, "tags": {"set": []}})
    assert response.status_code == 412, response.text
    assert snapshot(database_url) == before
    etag = blog.get(f"/posts/{seed['post']}").headers["etag"]
    response = blog.patch(f"/posts/{seed['post']}", headers={"If-Match": etag}, json={
        "author": {"create": {"email": "cy@x.io"}}, "tags": {"set": []}})
    assert response.status_code == 200, response.text
    assert tag_names(blog, seed["post"]) == []

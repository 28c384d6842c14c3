"""Filters across relations (dot paths, some/every/none, is/isNot), sort along to-one paths,
include and fields: results checked against the same rows joined in Python (blog IR)."""

from __future__ import annotations

import json
import random
from typing import Any

import sqlalchemy as sa
from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import problem

Rows = list[dict[str, Any]]


def created(client: TestClient, path: str, body: Any) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def seed_blog(client: TestClient, posts: int = 30) -> dict[str, Rows]:
    chooser = random.Random(7)
    users = [created(client, "/users", {"email": f"u{i}@{'x' if i % 2 else 'y'}.io",
                                        "name": None if i == 3 else f"name {chooser.randint(0, 3)}"})
             for i in range(6)]
    tags = [created(client, "/tags", {"name": f"tag{i}"}) for i in range(4)]
    for number in range(posts):
        post = created(client, "/posts", {
            "title": f"title {chooser.randint(0, 4)}.{number:02d}", "body": "b",
            "author_id": chooser.choice(users)["id"],
            "status": chooser.choice(["draft", "published"])})
        for tag in chooser.sample(tags, chooser.randint(0, 3)):
            assert client.put(f"/posts/{post['id']}/tags/{tag['id']}").status_code == 204
        for _ in range(chooser.randint(0, 3)):
            created(client, "/comments", {"body": chooser.choice(["great", "meh", "GREAT!"]),
                                          "post_id": post["id"],
                                          "author_id": chooser.choice(users)["id"]})
    every = {"limit": 200}
    return {
        "users": client.get("/users", params=every).json()["data"],
        "posts": client.get("/posts", params=every).json()["data"],
        "comments": client.get("/comments", params=every).json()["data"],
        "tags": tags,
        "links": [(p["id"], t["id"]) for p in client.get("/posts", params=every).json()["data"]
                  for t in client.get(f"/posts/{p['id']}/tags", params=every).json()["data"]],
    }


def ids(client: TestClient, path: str, **params: Any) -> list[int]:
    response = client.get(path, params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()["data"]]


def by_id(rows: Rows) -> dict[int, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def test_dot_paths_and_where_through_relations(blog: TestClient) -> None:
    data = seed_blog(blog)
    users, posts, comments = by_id(data["users"]), data["posts"], data["comments"]
    comments_of = {p["id"]: [c for c in comments if c["post_id"] == p["id"]] for p in posts}
    tags_of = {p["id"]: {t for pid, t in data["links"] if pid == p["id"]} for p in posts}

    def expect(test: Any) -> list[int]:
        return sorted(p["id"] for p in posts if test(p))

    # to-one dot path
    assert sorted(ids(blog, "/posts", **{"author.email__endswith": "@x.io"})) == expect(
        lambda p: users[p["author_id"]]["email"].endswith("@x.io"))
    # to-many dot path means "some"
    assert sorted(ids(blog, "/posts", **{"comments.body__icontains": "great"})) == expect(
        lambda p: any("great" in c["body"].lower() for c in comments_of[p["id"]]))
    # many-to-many dot path
    assert sorted(ids(blog, "/posts", **{"tags.name": "tag1"})) == expect(
        lambda p: any(t == data["tags"][1]["id"] for t in tags_of[p["id"]]))
    where = {"OR": [{"status": "draft"}, {"comments": {"every": {"body": "meh"}}}],
             "NOT": {"author": {"is": {"name": None}}}}
    assert sorted(ids(blog, "/posts", where=json.dumps(where))) == expect(
        lambda p: (p["status"] == "draft" or all(c["body"] == "meh" for c in comments_of[p["id"]]))
        and users[p["author_id"]]["name"] is not None)
    none = {"comments": {"none": {"body": {"startswith": "GREAT"}}}, "author": {"isNot": {
        "email": {"in": ["u1@x.io", "u2@y.io"]}}}}
    assert sorted(ids(blog, "/posts", where=json.dumps(none))) == expect(
        lambda p: not any(c["body"].startswith("GREAT") for c in comments_of[p["id"]])
        and users[p["author_id"]]["email"] not in ("u1@x.io", "u2@y.io"))
    # a self-relation: comments with no parent
    assert sorted(ids(blog, "/comments", where=json.dumps({"parent": None}))) == sorted(
        c["id"] for c in comments if c["parent_id"] is None)
    # the same where as a POST body
    body = blog.post("/posts/query", json={"where": where, "limit": 200})
    assert sorted(r["id"] for r in body.json()["data"]) == sorted(
        ids(blog, "/posts", where=json.dumps(where)))


def _sort_key(row: dict[str, Any], users: dict[int, dict[str, Any]]) -> tuple[Any, ...]:
    name = users[row["author_id"]]["name"]
    # ascending, NULLs last; then title descending; then id
    return (name is None, name or "", [-ord(c) for c in row["title"]], row["id"])


def test_sort_along_a_relation_with_nulls_and_keyset_pages(blog: TestClient) -> None:
    data = seed_blog(blog)
    users = by_id(data["users"])
    expected = [p["id"] for p in sorted(data["posts"], key=lambda p: _sort_key(p, users))]
    sort = "author.name,-title"
    assert ids(blog, "/posts", sort=sort) == expected
    seen: list[int] = []
    params: dict[str, Any] = {"sort": sort, "limit": 4}
    for _ in range(len(expected)):  # bounded: a cursor that does not advance fails
        body = blog.get("/posts", params=params).json()
        seen += [row["id"] for row in body["data"]]
        by_cursor = "cursor" in params  # counted by default only for offset pages
        assert body["meta"]["total"] == (None if by_cursor else len(expected))
        assert body["meta"]["offset"] == (None if by_cursor else 0)
        if body["meta"]["next_cursor"] is None:
            break
        params = {"sort": sort, "limit": 4, "cursor": body["meta"]["next_cursor"]}
    assert seen == expected


def test_descending_nullable_keyset_matches_offset_pages(blog: TestClient) -> None:
    data = seed_blog(blog, 12)
    for sort in ("-name,email", "name", "-created_at"):
        full = ids(blog, "/users", sort=sort)
        walked, cursor = [], None
        for _ in range(len(full) + 1):  # bounded: a cursor that does not advance fails
            params = {"sort": sort, "limit": 2, **({"cursor": cursor} if cursor else {})}
            body = blog.get("/users", params=params).json()
            walked += [row["id"] for row in body["data"]]
            cursor = body["meta"]["next_cursor"]
            if cursor is None:
                break
        assert walked == full and len(full) == len(data["users"])


def test_cursors_are_tamper_evident_and_bound_to_their_sort(blog: TestClient) -> None:
    seed_blog(blog, 6)
    cursor = blog.get("/posts", params={"limit": 2, "sort": "title"}).json()["meta"]["next_cursor"]
    assert cursor
    payload, mac = cursor.split(".")
    for bad in (payload + "." + mac[::-1], payload[:-2] + "." + mac, "x", "", "..", "%%%"):
        assert problem(blog.get("/posts", params={"cursor": bad, "sort": "title"}))["status"] == 400
    assert blog.get("/posts", params={"cursor": cursor, "sort": "-title"}).status_code == 400
    assert blog.get("/users", params={"cursor": cursor, "sort": "title"}).status_code == 400
    assert blog.get("/posts", params={"cursor": cursor, "sort": "title",
                                      "offset": 2}).status_code == 400
    assert blog.get("/posts", params={"cursor": cursor, "sort": "title"}).status_code == 200


def test_include_and_fields_nest_related_rows(blog: TestClient) -> None:
    data = seed_blog(blog, 10)
    users, comments = by_id(data["users"]), data["comments"]
    body = blog.get("/posts", params={"include": "author,comments.author,tags",
                                      "fields": "id,title", "limit": 200}).json()
    tags = by_id(data["tags"])
    for post in body["data"]:
        assert set(post) == {"id", "title", "author", "comments", "tags"}
        source = by_id(data["posts"])[post["id"]]
        assert post["author"] == users[source["author_id"]]
        mine = [c for c in comments if c["post_id"] == post["id"]]
        assert [c["id"] for c in post["comments"]] == sorted(c["id"] for c in mine)
        for comment in post["comments"]:
            expected_author = users.get(comment["author_id"]) if comment["author_id"] else None
            assert comment.pop("author") == expected_author
            assert comment == by_id(comments)[comment["id"]]
        assert sorted(t["id"] for t in post["tags"]) == sorted(
            t for pid, t in data["links"] if pid == post["id"])
        assert all(t == tags[t["id"]] for t in post["tags"])
    relation = blog.get(f"/users/{data['users'][0]['id']}/posts",
                        params={"include": "author", "fields": "title"}).json()
    assert all(set(p) == {"title", "author"} for p in relation["data"])
    for params in ({"include": "nope"}, {"include": "author.nope"}, {"fields": "id,nope"},
                   {"include": ""}, {"fields": ",id"}, {"include": "a.b.c.d"}):
        assert problem(blog.get("/posts", params=params))["status"] == 400, params


def test_a_page_with_two_includes_runs_a_constant_number_of_statements(blog: TestClient) -> None:
    users = [created(blog, "/users", {"email": f"s{i}@x.io"}) for i in range(10)]
    for number in range(60):
        post = created(blog, "/posts", {"title": f"t{number}", "body": "b", "status": "draft",
                                        "author_id": users[number % 10]["id"]})
        for reply in range(2):
            created(blog, "/comments", {"body": f"c{reply}", "post_id": post["id"]})
    engine = blog.app.state.runtime.database.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for limit in (5, 50):
            statements.clear()
            body = blog.get("/posts", params={"limit": limit, "include": "author,comments"})
            assert len(body.json()["data"]) == limit
            assert all(len(p["comments"]) == 2 and p["author"] for p in body.json()["data"])
            assert len(statements) == 3, statements  # the page, one per include
            statements.clear()
            counted = blog.get("/posts", params={"limit": limit,
                                                 "include": "_count.comments,_count.tags"})
            assert [p["_count"] for p in counted.json()["data"]] == [
                {"comments": 2, "tags": 0}] * limit
            assert len(statements) == 2, statements  # the page, and one for every count
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_include_count_of_to_many_relations_matches_python(blog: TestClient) -> None:
    data = seed_blog(blog, 12)
    comments, links = data["comments"], data["links"]
    body = blog.get("/posts", params={"include": "_count.comments,_count.tags,author",
                                      "limit": 200})
    assert body.status_code == 200, body.text
    posts = body.json()["data"]
    assert len(posts) == len(data["posts"])
    for post in posts:
        assert post["_count"] == {
            "comments": len([c for c in comments if c["post_id"] == post["id"]]),
            "tags": len([1 for pid, _ in links if pid == post["id"]])}
        assert post["author"]["id"] == by_id(data["posts"])[post["id"]]["author_id"]
    assert any(p["_count"]["comments"] == 0 for p in posts)  # rows without related rows
    # beside fields, on a relation route, and alone
    users = blog.get("/users", params={"include": "_count.posts", "fields": "id",
                                       "limit": 200}).json()["data"]
    assert {u["id"]: u["_count"]["posts"] for u in users} == {
        u["id"]: len([p for p in data["posts"] if p["author_id"] == u["id"]])
        for u in data["users"]}
    assert all(set(u) == {"id", "_count"} for u in users)
    first = data["users"][0]["id"]
    relation = blog.get(f"/users/{first}/posts", params={"include": "_count.comments"})
    assert relation.status_code == 200, relation.text
    for post in relation.json()["data"]:
        assert post["_count"] == {"comments": len([c for c in comments
                                                   if c["post_id"] == post["id"]])}


def test_include_count_of_what_cannot_be_counted_is_a_400(blog: TestClient) -> None:
    for spelled in ("_count.author", "_count.nope", "_count", "_count.comments.author",
                    "author._count.posts"):
        response = blog.get("/posts", params={"include": spelled})
        assert response.status_code == 400, (spelled, response.text)
        assert "include" in str(problem(response)["detail"])

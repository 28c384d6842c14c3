"""The list query language on the emitted Express server (blog IR, PostgreSQL): operators,
relation walks, where=JSON, sort, cursor pagination, fields and include."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]


def created(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    row: dict[str, Any] = response.json()
    return row


def titles(client: httpx.Client, **params: str) -> list[str]:
    # By id, not title: the order of text depends on the database's collation.
    response = client.get("/posts", params={"sort": "id", **params})
    assert response.status_code == 200, response.text
    return [post["title"] for post in response.json()["data"]]


def bad_parameter(client: httpx.Client, path: str, **params: str) -> str:
    response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    return detail


@pytest.fixture
def seeded(blog: httpx.Client) -> httpx.Client:
    ann = created(blog, "/users", {"email": "ann@x.io", "name": "Ann"})
    bob = created(blog, "/users", {"email": "bob@y.org", "name": None})
    rows = [("Alpha", ann, "published"), ("beta", ann, "draft"), ("Gamma", bob, "published"),
            ("delta", bob, "archived")]
    for title, author, status in rows:
        created(blog, "/posts", {"title": title, "body": "b", "author_id": author["id"], "status": status})
    tag = created(blog, "/posts/1/tags", {"name": "news"})
    assert blog.put(f"/posts/3/tags/{tag['id']}").status_code == 204
    created(blog, "/posts/2/comments", {"body": "first!", "author_id": bob["id"]})
    return blog


def test_comparison_and_set_operators(seeded: httpx.Client) -> None:
    assert titles(seeded, status__ne="published") == ["beta", "delta"]
    assert titles(seeded, id__gt="2") == ["Gamma", "delta"]
    assert titles(seeded, id__lte="2", id__gte="2") == ["beta"]
    assert titles(seeded, id__in="1,4") == ["Alpha", "delta"]
    assert titles(seeded, status__notin="published,archived") == ["beta"]


def test_text_operators_and_isnull(seeded: httpx.Client) -> None:
    assert titles(seeded, title__contains="lt") == ["delta"]
    assert titles(seeded, title__icontains="AL") == ["Alpha"]
    assert titles(seeded, title__startswith="G") == ["Gamma"]
    assert titles(seeded, title__endswith="ta") == ["beta", "delta"]
    assert titles(seeded, published_at__isnull="true") == ["Alpha", "beta", "Gamma", "delta"]
    assert titles(seeded, published_at__isnull="false") == []


def test_a_dot_walks_to_one_and_to_many_relations(seeded: httpx.Client) -> None:
    assert titles(seeded, **{"author.email__endswith": "@y.org"}) == ["Gamma", "delta"]
    assert titles(seeded, **{"tags.name": "news"}) == ["Alpha", "Gamma"]  # some tag is "news"
    assert titles(seeded, **{"comments.author.name__isnull": "true"}) == ["beta"]


def test_where_json_in_prismas_shape(seeded: httpx.Client) -> None:
    where = {"OR": [{"title": {"startsWith": "A"}}, {"tags": {"some": {"name": "news"}}}],
             "NOT": {"status": "draft"}}
    assert titles(seeded, where=json.dumps(where)) == ["Alpha", "Gamma"]
    assert titles(seeded, where=json.dumps({"author": {"is": {"name": None}}})) == ["Gamma", "delta"]


def test_where_refuses_what_filters_refuse(seeded: httpx.Client) -> None:
    assert "where" in bad_parameter(seeded, "/posts", where="{not json")
    assert "nope" in bad_parameter(seeded, "/posts", where=json.dumps({"nope": 1}))
    assert "some" in bad_parameter(seeded, "/posts", where=json.dumps({"tags": {"is": {}}}))
    assert "where" in bad_parameter(seeded, "/posts", where=json.dumps({"id": {"gt": "x"}}))


def test_unknown_operators_relations_and_repeated_parameters_are_400(seeded: httpx.Client) -> None:
    assert "like" in bad_parameter(seeded, "/posts", title__like="x")
    assert "nobody" in bad_parameter(seeded, "/posts", **{"nobody.name": "x"})
    assert "'contains' does not apply to 'id'" in bad_parameter(seeded, "/posts", id__contains="1")
    repeated = seeded.get("/posts?id=1&id=2")
    assert repeated.status_code == 400 and "more than once" in repeated.json()["detail"]
    assert "offset" in bad_parameter(seeded, "/posts", cursor="abc", offset="1")


def test_sort_breaks_ties_with_the_key(seeded: httpx.Client) -> None:
    body = seeded.get("/posts", params={"sort": "-status"}).json()
    # PostgreSQL orders an enum as declared: draft, published, archived.
    assert [(p["status"], p["id"]) for p in body["data"]] == [
        ("archived", 4), ("published", 1), ("published", 3), ("draft", 2)]


def test_cursor_pages_walk_every_row_once(seeded: httpx.Client) -> None:
    seen: list[int] = []
    params = {"sort": "-status", "limit": "3"}
    while True:
        body = seeded.get("/posts", params=params).json()
        seen += [post["id"] for post in body["data"]]
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            break
        params = {"sort": "-status", "limit": "3", "cursor": cursor}
    assert seen == [4, 1, 3, 2]
    by_author = seeded.get("/posts", params={"sort": "author_id,-status", "limit": "2"}).json()
    rest = seeded.get("/posts", params={"sort": "author_id,-status", "limit": "2",
                                        "cursor": by_author["meta"]["next_cursor"]}).json()
    assert [p["title"] for p in by_author["data"] + rest["data"]] == ["Alpha", "beta", "delta", "Gamma"]
    assert "cursor" in bad_parameter(seeded, "/posts", cursor="bm90IGEgY3Vyc29y")


def test_fields_narrow_and_include_nests(seeded: httpx.Client) -> None:
    body = seeded.get("/posts", params={"fields": "id,title", "include": "author,tags,comments",
                                        "id": "1"}).json()
    (post,) = body["data"]
    assert post == {"id": 1, "title": "Alpha", "author": post["author"], "tags": [post["tags"][0]],
                    "comments": []}
    assert post["author"]["email"] == "ann@x.io"
    assert post["tags"][0]["name"] == "news"  # join rows unwrapped
    assert "nope" in bad_parameter(seeded, "/posts", include="nope")
    assert "body" not in post and "bogus" in bad_parameter(seeded, "/posts", fields="bogus")


def test_relation_lists_take_the_query_language(seeded: httpx.Client) -> None:
    body = seeded.get("/users/1/posts", params={"status": "draft", "count": "none"}).json()
    assert [post["title"] for post in body["data"]] == ["beta"]
    assert body["meta"]["total"] is None
    tags = seeded.get("/tags/1/posts", params={"sort": "-id", "fields": "id"}).json()
    assert tags["data"] == [{"id": 3}, {"id": 1}]

"""Soft delete on the Express server against the FastAPI runtime, both on PostgreSQL with the
same IR (irs/softdelete.ir.json: tests/softdelete/conftest.py's models and fastbackend.yaml)
and the same requests: every read path leaves stamped rows out alike, restore and bulk delete
answer alike (the stamp's time aside, which each server takes from its own clock)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fastbackend_fastapi import create_app
from tests.adapters.express.harness import IR_PATHS
from tests.adapters.express.servers import Servers, clients
from tests.adapters.fastapi.conftest import TestClient

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

READS: list[tuple[str, dict[str, Any]]] = [
    ("/posts", {"sort": "id"}),
    ("/posts", {"sort": "id", "offset": 5}),
    ("/posts", {"sort": "id", "include": "author"}),
    ("/posts", {"author.name": "bob"}),
    ("/posts", {"search": "news", "sort": "id"}),
    ("/posts", {"where": '{"author": {"is": {"name": "bob"}}}'}),
    ("/authors", {"sort": "id", "include": "posts"}),
    ("/authors", {"sort": "id", "include": "_count.posts"}),
    ("/authors", {"posts.title": "beta news"}),
    ("/authors", {"where": '{"posts": {"every": {"status": "draft"}}}', "sort": "id"}),
    ("/authors", {"where": '{"posts": {"none": {"status": "draft"}}}', "sort": "id"}),
    ("/authors/1/posts", {"sort": "id"}),
    ("/authors/2/posts", {}),
    ("/posts/aggregate", {"group_by": "status", "count": "*"}),
    ("/posts/1", {}),
    ("/posts/2", {}),
    ("/posts/3", {"include": "author,comments"}),  # include on one row: a deleted to-one is null
    ("/authors/1", {"include": "posts,_count.posts"}),
    ("/posts/3/author", {}),
    ("/posts/3/author", {"include": "posts"}),
    ("/posts/1/author", {"include": "posts,_count.posts"}),  # the deleted post left out
    ("/authors/2", {}),
    ("/posts", {"deleted": "only", "sort": "id"}),
    ("/posts", {"deleted": "include", "sort": "-id", "limit": 2}),
    ("/authors/1/posts", {"deleted": "only"}),
    ("/posts", {"deleted": "yes"}),
]


@pytest.fixture
def express(express_servers: Servers) -> Iterator[httpx.Client]:
    yield from clients(express_servers.get("softdelete"))


@pytest.fixture
def runtime(postgres_url: str) -> Iterator[TestClient]:
    app = create_app(IR_PATHS["softdelete"], database_url=postgres_url, custom_path=None)
    with TestClient(app) as client:
        yield client


def _unstamped(body: Any) -> Any:
    """The answer with each stamp's time replaced by whether it is set, and without `created`
    (each server's clock, on create)."""
    if isinstance(body, list):
        return [_unstamped(item) for item in body]
    if isinstance(body, dict):
        body.pop("request_id", None)
        return {key: (value is not None if key == "deleted_at" else _unstamped(value))
                for key, value in body.items() if key != "created"}
    return body


def _answer(response: Any) -> tuple[int, Any]:
    return response.status_code, _unstamped(response.json()) if response.content else None


def _both(express: httpx.Client, runtime: TestClient, method: str, path: str,
          **kwargs: Any) -> tuple[int, Any]:
    found = _answer(express.request(method, path, **kwargs))
    assert found == _answer(runtime.request(method, path, **kwargs)), (method, path, kwargs)
    return found


def _seed(express: httpx.Client, runtime: TestClient) -> None:
    for name in ("ann", "bob", "cy"):
        assert _both(express, runtime, "POST", "/authors", json={"name": name})[0] == 201
    rows = [{"title": "alpha news", "status": "draft", "author_id": 1},
            {"title": "beta news", "status": "published", "author_id": 1},
            {"title": "gamma news", "status": "published", "author_id": 2},
            {"title": "delta news", "status": "draft", "author_id": 3}]
    for row in rows:  # one by one: the created column's default is each server's clock
        assert express.post("/posts", json=row).status_code == 201
        assert runtime.post("/posts", json=row).status_code == 201


def _reads(express: httpx.Client, runtime: TestClient) -> None:
    for path, params in READS:
        assert _answer(express.get(path, params=params)) == \
            _answer(runtime.get(path, params=params)), (path, params)


def test_every_read_path_skips_soft_deleted_rows_alike(express: httpx.Client,
                                                       runtime: TestClient) -> None:
    _seed(express, runtime)
    assert _both(express, runtime, "DELETE", "/posts/2") == (204, None)
    assert _both(express, runtime, "DELETE", "/authors/2") == (204, None)
    assert _both(express, runtime, "DELETE", "/posts/2")[0] == 404
    assert _both(express, runtime, "PATCH", "/posts/2", json={"status": "x"})[0] == 404
    _reads(express, runtime)
    status, page = _both(express, runtime, "GET", "/posts", params={"fields": "id"})
    assert status == 200 and page["meta"]["total"] == 3
    status, page = _both(express, runtime, "GET", "/authors",
                         params={"sort": "id", "include": "_count.posts"})
    assert [author["_count"] for author in page["data"]] == [{"posts": 1}, {"posts": 1}]
    # include= on a write's answer leaves the deleted rows out alike (routes/included.py)
    status, author = _both(express, runtime, "PATCH", "/authors/1",
                           params={"include": "posts,_count.posts"}, json={"name": "ann"})
    assert status == 200 and [post["id"] for post in author["posts"]] == [1]
    assert author["_count"] == {"posts": 1}
    status, post = _both(express, runtime, "PATCH", "/posts/3", params={"include": "author"},
                         json={"status": "draft"})
    assert status == 200 and post["author"] is None


def test_restore_and_bulk_delete_answer_alike(express: httpx.Client,
                                              runtime: TestClient) -> None:
    _seed(express, runtime)
    assert _both(express, runtime, "POST", "/posts/1/restore")[0] == 404
    assert _both(express, runtime, "DELETE", "/posts", params={"status": "draft"},
                 headers={"Prefer": "return=representation"})[1]["count"] == 2
    assert _both(express, runtime, "DELETE", "/posts", params={"all": "true"}) == \
        (200, {"count": 2})
    assert _both(express, runtime, "POST", "/posts/1/restore", params={"include": "nope"})[0] == 400
    status, restored = _both(express, runtime, "POST", "/posts/1/restore",
                             params={"include": "author,comments"})
    assert status == 200 and restored["deleted_at"] is False and restored["id"] == 1
    assert restored["author"]["id"] == 1 and restored["comments"] == []
    minimal = {"Prefer": "return=minimal"}
    assert _both(express, runtime, "POST", "/posts/4/restore", headers=minimal) == (204, None)
    for client in (express, runtime):
        response = client.post("/posts/3/restore", headers=minimal)
        assert response.headers["preference-applied"] == "return=minimal"
        assert response.headers["etag"]
    _reads(express, runtime)
    assert _both(express, runtime, "POST", "/posts",
                 json={"title": "beta news", "status": "draft", "author_id": 1})[0] == 409
    assert _both(express, runtime, "PATCH", "/posts/1",
                 json={"deleted_at": "2020-01-01T00:00:00"})[0] == 422


def test_a_foreign_key_to_a_deleted_row_is_refused_alike(express: httpx.Client,
                                                         runtime: TestClient) -> None:
    """A plain foreign key set to a soft-deleted row is the 422 a missing row is, on every write
    path (docs/rest-api.md "Soft delete"), and nothing is written; restored, it is taken."""
    _seed(express, runtime)
    assert _both(express, runtime, "DELETE", "/authors/2") == (204, None)
    post = {"title": "t", "status": "draft", "author_id": 2}
    writes: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/posts", {"json": {**post, "author_id": 99}}),  # missing: the database's 422
        ("POST", "/posts", {"json": post}),
        ("POST", "/posts/bulk", {"json": [{**post, "author_id": 1}, post]}),
        ("PATCH", "/posts/1", {"json": {"author_id": 2}}),
        ("PUT", "/posts/1", {"json": {**post, "title": "alpha news"}}),
        ("PATCH", "/posts", {"params": {"id": "1"}, "json": {"author_id": 2}}),
        ("POST", "/posts", {"json": {**post, "title": "alpha news"},
                            "headers": {"Prefer": "resolution=merge-duplicates"}}),
        ("POST", "/posts", {"json": {**post, "author_id": 1, "comments": {"create": [
            {"body": "hi", "author_id": 2}]}}}),
        ("POST", "/posts/1/comments", {"json": {"body": "c", "author_id": 2}}),
        ("POST", "/_batch", {"json": {"operations": [
            {"op": "create", "path": "/authors", "body": {"name": "dee"}},
            {"op": "create", "path": "/comments",
             "body": {"body": "b", "post_id": 1, "author_id": 2}}]}})]
    for method, path, kwargs in writes:
        status, problem = _both(express, runtime, method, path, **kwargs)
        assert status == 422 and [e["code"] for e in problem["errors"]] == ["foreign_key"]
    _reads(express, runtime)  # nothing written
    assert _both(express, runtime, "GET", "/comments")[1]["meta"]["total"] == 0
    assert _both(express, runtime, "POST", "/authors/2/restore")[0] == 200
    assert _both(express, runtime, "POST", "/posts/1/comments",
                 json={"body": "c", "author_id": 2})[0] == 201


SORTS = ["author.name", "-author.name", "status,author.name", "-status,-author.name"]


def _pages(client: Any, sort: str) -> list[list[int]]:
    """Every page of ``sort`` by cursor, two rows a page: each page's ids."""
    pages: list[list[int]] = []
    params: dict[str, Any] = {"sort": sort, "limit": 2, "fields": "id"}
    while True:
        page = client.get("/posts", params=params).json()
        pages.append([row["id"] for row in page["data"]])
        if page["meta"]["next_cursor"] is None:
            return pages
        params = {**params, "cursor": page["meta"]["next_cursor"]}


def test_a_sort_through_a_deleted_row_sorts_it_as_missing_alike(express: httpx.Client,
                                                                runtime: TestClient) -> None:
    """`sort=author.name` through a soft-deleted author sorts the post with the NULLs (last
    ascending, first descending: docs/rest-api.md "Soft delete", query-language.md "Sorting"),
    on offset pages and across cursor pages, as a filter through it does not match."""
    _seed(express, runtime)
    # bob (post 3's), then ann too (posts 1 and 2): a deleted name sorting last, then first
    for author, ascending, descending in ((2, [1, 2, 4, 3], [3, 4, 1, 2]),
                                          (1, [4, 1, 2, 3], [1, 2, 3, 4])):
        assert _both(express, runtime, "DELETE", f"/authors/{author}") == (204, None)
        for sort in SORTS:
            for offset in (0, 1, 2):
                _both(express, runtime, "GET", "/posts",
                      params={"sort": sort, "limit": 2, "offset": offset, "fields": "id"})
            assert _pages(express, sort) == _pages(runtime, sort), sort
        for sort, ids in (("author.name", ascending), ("-author.name", descending)):
            status, page = _both(express, runtime, "GET", "/posts",
                                 params={"sort": sort, "fields": "id"})
            assert status == 200 and [row["id"] for row in page["data"]] == ids, sort
    status, page = _both(express, runtime, "GET", "/posts",
                         params={"sort": "status,author.name", "fields": "id"})
    # draft: cy's, then ann's (no author now); published: both without one, by id
    assert status == 200 and [row["id"] for row in page["data"]] == [4, 1, 2, 3]
    assert _both(express, runtime, "GET", "/posts",
                 params={"author.name": "bob"})[1]["meta"]["total"] == 0


AGGREGATES: list[tuple[str, dict[str, Any]]] = [
    ("/posts/aggregate", {"group_by": "author.id"}),
    ("/posts/aggregate", {"group_by": "author.id", "sort": "-author.id"}),
    ("/posts/aggregate", {"group_by": "status,author.id", "count": "*,author.id",
                          "max": "author.id", "sum": "author.id"}),
    ("/posts/aggregate", {"group_by": "author.id", "sort": "-count.*,author.id"}),
    ("/posts/aggregate", {"group_by": "author.id", "having": "count.*__gte=2"}),
    ("/posts/aggregate", {"group_by": "status", "having": "count.author.id__gte=1",
                          "sort": "status"}),
    ("/posts/aggregate", {"count": "*,author.id", "count_distinct": "author.id",
                          "min": "author.id", "avg": "author.id"}),
    ("/posts/aggregate", {"author.name": "bob", "count": "*"}),
    ("/posts/aggregate", {"author.id__isnull": "true", "group_by": "status"}),
    ("/posts/aggregate", {"where": '{"author": {"is": {"name": "bob"}}}', "group_by": "status"}),
    ("/comments/aggregate", {"group_by": "post.status,author.id", "sort": "post.status"}),
    ("/comments/aggregate", {"group_by": "post.author.id", "count": "*,post.id",
                             "having": "count.*__gt=0"}),
    ("/comments/aggregate", {"group_by": "post.title", "sort": "-count.*,post.title",
                             "max": "author.id"}),
    ("/comments/aggregate", {"post.status": "published", "group_by": "author.id"}),
]


def _aggregate_pages(client: Any, params: dict[str, Any]) -> list[Any]:
    """Every page of an aggregate by cursor, one group a page: each page's groups."""
    pages: list[Any] = []
    params = {**params, "limit": 1}
    while True:
        page = client.get("/posts/aggregate", params=params).json()
        pages.append(page["data"])
        if page["meta"]["next_cursor"] is None:
            return pages
        params = {**params, "cursor": page["meta"]["next_cursor"]}


def test_an_aggregate_through_a_deleted_row_reads_it_as_missing_alike(
        express: httpx.Client, runtime: TestClient) -> None:
    """`group_by=author.id` (and aggregates, `having`, sorts and filters) through a soft-deleted
    author reads it as missing: its posts are the `null` group, as a post without an author
    (docs/rest-api.md "Soft delete"); two relations deep too (a comment's post's author, the
    post or the author deleted), on a page and across cursor pages."""
    _seed(express, runtime)
    comments = [{"body": "a", "post_id": 1, "author_id": 2}, {"body": "b", "post_id": 2},
                {"body": "c", "post_id": 3, "author_id": 1}, {"body": "d", "post_id": 4,
                                                               "author_id": 2}]
    for comment in comments:
        assert _both(express, runtime, "POST", "/comments", json=comment)[0] == 201
    assert _both(express, runtime, "DELETE", "/authors/2") == (204, None)
    assert _both(express, runtime, "DELETE", "/posts/2") == (204, None)
    for path, params in AGGREGATES:
        status, _ = _both(express, runtime, "GET", path, params=params)
        assert status == 200, (path, params)
    status, page = _both(express, runtime, "GET", "/posts/aggregate",
                         params={"group_by": "author.id", "sort": "author.id"})
    # posts 1 (ann), 3 (bob's, deleted) and 4 (cy): bob's post is the null group, last
    assert [(group["group"]["author.id"], group["count"]["*"]) for group in page["data"]] == \
        [(1, 1), (3, 1), (None, 1)]
    for params in ({"group_by": "author.id"}, {"group_by": "author.id", "sort": "-author.id"}):
        assert _aggregate_pages(express, params) == _aggregate_pages(runtime, params), params

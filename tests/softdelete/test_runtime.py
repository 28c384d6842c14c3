"""Soft delete on the FastAPI runtime, on SQLite and PostgreSQL: a DELETE stamps the row, and
every read path (list, count, read, relation routes, include, aggregate, search, relation
filters) leaves it out; restore brings it back; a bulk delete stamps only the rows it matches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from fastbackend_fastapi import create_app
from tests.adapters.fastapi.conftest import TestClient


@pytest.fixture
def client(soft_ir: Path, soft_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(soft_ir, database_url=soft_url, custom_path=None)) as found:
        yield found


def _seed(client: TestClient) -> None:
    for name in ("ann", "bob"):
        assert client.post("/authors", json={"name": name}).status_code == 201
    rows = [{"title": "alpha news", "status": "draft", "author_id": 1},
            {"title": "beta news", "status": "draft", "author_id": 1},
            {"title": "gamma news", "status": "published", "author_id": 2}]
    assert client.post("/posts/bulk", json=rows).status_code == 201


def _ids(page: dict[str, object]) -> list[int]:
    data = page["data"]
    assert isinstance(data, list)
    return sorted(row["id"] for row in data)


def test_delete_stamps_and_every_read_path_skips_the_row(client: TestClient,
                                                         soft_url: str) -> None:
    _seed(client)
    assert client.delete("/posts/2").status_code == 204
    engine = sa.create_engine(soft_url)
    with engine.connect() as connection:  # the row is still there, stamped
        stamped = connection.execute(sa.text("SELECT deleted_at FROM posts WHERE id = 2")).one()
    engine.dispose()
    assert stamped[0] is not None
    assert client.get("/posts/2").status_code == 404
    assert client.patch("/posts/2", json={"status": "x"}).status_code == 404
    assert client.delete("/posts/2").status_code == 404
    page = client.get("/posts").json()
    assert _ids(page) == [1, 3] and page["meta"]["total"] == 2
    assert _ids(client.get("/posts", params={"offset": "5"}).json()) == []
    assert client.get("/posts", params={"offset": "5"}).json()["meta"]["total"] == 2
    assert _ids(client.get("/authors/1/posts").json()) == [1]
    included = client.get("/authors", params={"include": "posts", "sort": "id"}).json()
    assert [[p["id"] for p in a["posts"]] for a in included["data"]] == [[1], [3]]
    counted = client.get("/authors", params={"include": "_count.posts", "sort": "id"}).json()
    assert [a["_count"] for a in counted["data"]] == [{"posts": 1}, {"posts": 1}]
    assert _ids(client.get("/posts", params={"search": "beta"}).json()) == []
    assert _ids(client.get("/posts", params={"search": "news"}).json()) == [1, 3]
    groups = client.get("/posts/aggregate", params={"group_by": "status", "count": "*"}).json()
    counts = {group["group"]["status"]: group["count"]["*"] for group in groups["data"]}
    assert counts == {"draft": 1, "published": 1}
    assert _ids(client.get("/authors", params={"posts.title": "beta news"}).json()) == []
    query = client.post("/posts/query", json={"where": {"title": "beta news"}}).json()
    assert _ids(query) == []


def test_a_deleted_parent_is_out_of_includes_and_its_routes(client: TestClient) -> None:
    _seed(client)
    assert client.delete("/authors/2").status_code == 204
    page = client.get("/posts", params={"include": "author", "sort": "id"}).json()
    authors = {row["id"]: row["author"] for row in page["data"]}
    assert authors[3] is None and authors[1]["name"] == "ann"
    assert client.get("/authors/2/posts").status_code == 404
    assert client.get("/posts/3/author").status_code == 404
    # children stay: a soft delete cascades to nothing (docs/rest-api.md, "Soft delete")
    assert client.get("/posts/3").status_code == 200
    assert _ids(client.get("/posts", params={"author.name": "bob"}).json()) == []


def test_restore_brings_the_row_back(client: TestClient) -> None:
    _seed(client)
    assert client.post("/posts/1/restore").status_code == 404  # live: nothing to restore
    assert client.delete("/posts/1").status_code == 204
    restored = client.post("/posts/1/restore")
    assert restored.status_code == 200, restored.text
    assert restored.json()["deleted_at"] is None and restored.headers["etag"]
    assert client.get("/posts/1").json()["title"] == "alpha news"
    assert _ids(client.get("/authors/1/posts").json()) == [1, 2]
    assert client.delete("/posts/1").status_code == 204
    minimal = client.post("/posts/1/restore", headers={"Prefer": "return=minimal"})
    assert minimal.status_code == 204 and minimal.content == b""
    assert minimal.headers["preference-applied"] == "return=minimal" and minimal.headers["etag"]
    assert client.post("/posts/99/restore").status_code == 404


def test_restore_answers_with_its_includes(client: TestClient) -> None:
    """`include=` on restore (tables.INCLUDED_ACTIONS): the restored row with its live related
    rows, read in the restore's transaction; a bad value is a 400 and restores nothing."""
    _seed(client)
    for path in ("/authors/1", "/posts/1"):
        assert client.delete(path).status_code == 204
    bad = client.post("/authors/1/restore", params={"include": "nope"})
    assert bad.status_code == 400 and "include" in bad.text
    assert client.get("/authors/1").status_code == 404  # still deleted
    restored = client.post("/authors/1/restore", params={"include": "posts,_count.posts"})
    assert restored.status_code == 200, restored.text
    body = restored.json()
    assert [post["id"] for post in body["posts"]] == [2] and body["_count"] == {"posts": 1}
    assert restored.headers["etag"] == client.get("/authors/1").headers["etag"]
    post = client.post("/posts/1/restore", params={"include": "author"},
                       headers={"Prefer": "return=minimal"})
    assert post.status_code == 204 and post.content == b""


def test_deleted_lists_the_stamped_rows(client: TestClient) -> None:
    _seed(client)
    assert client.delete("/posts/2").status_code == 204
    only = client.get("/posts", params={"deleted": "only"}).json()
    assert _ids(only) == [2] and only["meta"]["total"] == 1
    assert only["data"][0]["deleted_at"] is not None
    assert _ids(client.get("/posts", params={"deleted": "include"}).json()) == [1, 2, 3]
    assert _ids(client.get("/authors/1/posts", params={"deleted": "only"}).json()) == [2]
    assert _ids(client.post("/posts/query", json={"deleted": "only"}).json()) == [2]
    bad = client.get("/posts", params={"deleted": "all"})
    assert bad.status_code == 400 and "only or include" in bad.text
    assert client.delete("/posts", params={"deleted": "only"}).status_code == 400
    assert client.post("/posts/2/restore").status_code == 200
    assert _ids(client.get("/posts", params={"deleted": "only"}).json()) == []


def test_the_stamp_is_read_only(client: TestClient) -> None:
    _seed(client)
    response = client.patch("/posts/1", json={"deleted_at": "2020-01-01T00:00:00"})
    assert response.status_code == 422, response.text


def test_bulk_delete_stamps_only_the_rows_it_matches(client: TestClient) -> None:
    _seed(client)
    response = client.delete("/posts", params={"status": "draft"},
                             headers={"Prefer": "return=representation"})
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["count"] == 2
    assert all(row["deleted_at"] is not None for row in found["data"])
    assert _ids(client.get("/posts").json()) == [3]
    # a second bulk delete does not count the rows already deleted
    assert client.delete("/posts", params={"all": "true"}).json() == {"count": 1}
    assert client.post("/posts/2/restore").status_code == 200
    assert _ids(client.get("/posts").json()) == [2]


def test_a_unique_value_stays_taken_by_a_deleted_row(client: TestClient) -> None:
    """Unique constraints span deleted rows (docs/rest-api.md, "Soft delete"): restore never
    conflicts."""
    _seed(client)
    assert client.delete("/posts/1").status_code == 204
    again = client.post("/posts", json={"title": "alpha news", "status": "d", "author_id": 1})
    assert again.status_code == 409, again.text
    assert client.post("/posts/1/restore").status_code == 200


def test_a_nested_write_cannot_connect_a_deleted_row(client: TestClient) -> None:
    """A soft-deleted row is not there to connect (docs/rest-api.md "Nested writes"), as it is
    not there to read; restored, it is."""
    _seed(client)
    assert client.delete("/authors/1").status_code == 204
    assert client.delete("/posts/3").status_code == 204
    refused = client.post("/authors", json={"name": "cy", "posts": {"connect": {"id": 3}}})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/posts/connect"
    body = {"title": "delta", "status": "draft", "author": {"connect": {"id": 1}}}
    refused = client.post("/posts", json=body)
    assert refused.json()["errors"] == [{"pointer": "/author/connect", "code": "not_found",
                                         "message": "no Author with id 1"}]
    assert client.get("/authors").json()["meta"]["total"] == 1  # nothing written
    assert client.post("/authors/1/restore").status_code == 200
    assert client.post("/posts", json=body).json()["author_id"] == 1


def test_a_nested_update_cannot_connect_a_deleted_row(client: TestClient) -> None:
    """On PATCH too, a soft-deleted row is not there to connect, and the refused request
    writes nothing."""
    _seed(client)
    assert client.delete("/authors/1").status_code == 204
    refused = client.patch("/posts/3", json={"title": "moved", "author": {"connect": {"id": 1}}})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"pointer": "/author/connect", "code": "not_found",
                                         "message": "no Author with id 1"}]
    assert client.get("/posts/3").json()["title"] == "gamma news"
    assert client.post("/authors/1/restore").status_code == 200
    moved = client.patch("/posts/3", json={"author": {"connect": {"id": 1}}})
    assert moved.status_code == 200 and moved.json()["author_id"] == 1


def test_a_foreign_key_to_a_deleted_row_is_refused_as_a_missing_one(client: TestClient) -> None:
    """A plain foreign key set to a soft-deleted row's key is the 422 a missing row is
    (docs/rest-api.md "Soft delete"), its pointer at the field, on every write path: create,
    bulk create, PATCH, PUT, bulk PATCH, upsert, a nested row, a batch; restored, it is taken."""
    _seed(client)
    assert client.delete("/authors/2").status_code == 204
    post = {"title": "t", "status": "draft", "author_id": 2}
    missing = client.post("/posts", json={**post, "author_id": 99})
    refused = client.post("/posts", json=post)
    assert missing.status_code == refused.status_code == 422, refused.text
    assert _problem(refused) == _problem(missing) == {
        "detail": "a referenced row does not exist", "errors": [
            {"pointer": "/author_id", "code": "foreign_key",
             "message": "author_id refers to a row that does not exist"}]}
    merge = {"Prefer": "resolution=merge-duplicates"}
    refusals = [
        (client.post("/posts/bulk", json=[{**post, "author_id": 1}, post]), "/1/author_id"),
        (client.patch("/posts/1", json={"author_id": 2}), "/author_id"),
        (client.put("/posts/1", json={**post, "title": "alpha news"}), "/author_id"),
        (client.patch("/posts", params={"id": "1"}, json={"author_id": 2}), "/author_id"),
        (client.post("/posts", json={**post, "title": "alpha news"}, headers=merge),
         "/author_id"),
        (client.post("/posts", json={**post, "author_id": 1, "comments": {"create": [
            {"body": "hi", "author_id": 2}]}}), "/comments/create/0/author_id"),
        (client.post("/_batch", json={"operations": [
            {"op": "create", "path": "/authors", "body": {"name": "cy"}},
            {"op": "create", "path": "/comments", "body": {"body": "b", "post_id": 1,
                                                           "author_id": 2}}]}),
         "/operations/1/body/author_id")]
    for response, at in refusals:
        assert response.status_code == 422, response.text
        assert [(e["pointer"], e["code"]) for e in response.json()["errors"]] == \
            [(at, "foreign_key")], response.request.url
    assert client.get("/posts/1").json()["author_id"] == 1  # nothing written
    assert client.get("/authors").json()["meta"]["total"] == 1
    assert client.get("/posts").json()["meta"]["total"] == 3
    comment = client.post("/comments", json={"body": "b", "post_id": 1, "author_id": None})
    assert comment.status_code == 201, comment.text  # no reference: nothing to check
    assert client.post("/authors/2/restore").status_code == 200
    assert client.post("/posts", json=post).status_code == 201


def _problem(response: Any) -> dict[str, Any]:
    return {name: response.json()[name] for name in ("detail", "errors")}


def test_the_express_tests_serve_this_projects_ir(soft_ir: Path) -> None:
    """tests/adapters/express/irs/softdelete.ir.json is this project's IR, compiled now."""
    served = Path(__file__).parents[1] / "adapters" / "express" / "irs" / "softdelete.ir.json"
    assert served.read_text("utf-8") == soft_ir.read_text("utf-8"), \
        "recompile it: tests/softdelete/conftest.py compile_project()"


def test_include_on_one_row_and_on_writes_leaves_deleted_rows_out(client: TestClient) -> None:
    """`include=` on GET of one row and on a write's answer (routes/included.py): a deleted
    related row is out, as in a list's include: a to-many leaves it out, a to-one is null."""
    _seed(client)
    assert client.delete("/posts/2").status_code == 204
    assert client.delete("/authors/2").status_code == 204
    read = client.get("/authors/1", params={"include": "posts,_count.posts"}).json()
    assert [p["id"] for p in read["posts"]] == [1] and read["_count"] == {"posts": 1}
    changed = client.patch("/authors/1", params={"include": "posts"}, json={"name": "ann b"})
    assert [p["id"] for p in changed.json()["posts"]] == [1]
    assert client.patch("/posts/3", params={"include": "author"},
                        json={"status": "x"}).json()["author"] is None
    comment = client.post("/comments", params={"include": "post,author"},
                          json={"body": "hi", "post_id": 1, "author_id": 1})
    assert comment.status_code == 201, comment.text
    assert comment.json()["post"]["id"] == 1 and comment.json()["author"]["name"] == "ann b"

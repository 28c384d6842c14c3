"""Views: a Prisma `view` block (preview feature "views") and a read-only router, GET only, as
the FastAPI runtime serves them; the database defines the view (migrate creates tables only)."""

from __future__ import annotations

import re

import httpx
import pytest

from fastbackend.pipeline import compile_path
from fastbackend_express import render_project
from fastbackend_express.prisma_schema import render_schema
from tests.adapters.express.harness import HERE, IR_PATHS, load_ir


def _block(schema: str, keyword: str, name: str) -> str:
    found = re.search(rf"^{keyword} {name} \{{\n(.*?)^\}}", schema, re.MULTILINE | re.DOTALL)
    assert found is not None, f"no {keyword} {name} in\n{schema}"
    return found.group(1)


def test_the_test_ir_is_compiled_from_its_prisma_source() -> None:
    _, result = compile_path(HERE / "irs" / "views.prisma")
    assert result.ir_text == IR_PATHS["views"].read_text("utf-8")


def test_a_view_is_a_view_block_keyed_by_a_unique_criterion() -> None:
    schema = render_schema(load_ir("views"))
    assert 'previewFeatures     = ["views"]' in schema
    view = _block(schema, "view", "AuthorStat")
    assert "@id" not in view and "@@id" not in view
    assert re.search(r"^  author_id Int +@unique$", view, re.MULTILINE)
    assert '@@map("author_stats")' in view and '@map("total_pages")' in view
    assert "model AuthorStat" not in schema
    assert "previewFeatures" not in render_schema(load_ir("blog"))  # only when there is a view


def test_the_router_of_a_view_reads_only() -> None:
    router = render_project(load_ir("views"))["src/routes/author-stat.ts"]
    routes = re.findall(r"router\.(get|post|put|patch|delete)\((\"[^\"]*\")", router)
    assert routes == [("get", '"/author-stats"'), ("post", '"/author-stats/query"'),  # a read
                      ("get", '"/author-stats/aggregate"'), ("get", '"/author-stats/:key"'),
                      ("get", '"/author-stats/:key/author"')]
    assert "FOR UPDATE" not in router and "create(" not in router and "update(" not in router
    assert 'methodNotAllowed(["GET", "HEAD", "OPTIONS"])' in router


@pytest.mark.node
@pytest.mark.postgres
@pytest.mark.slow
def test_a_view_is_served_read_only(views: httpx.Client) -> None:
    ann = views.post("/authors", json={"name": "Ann"}).json()
    bob = views.post("/authors", json={"name": "Bob"}).json()
    for title, pages in (("A", 100), ("B", 250)):
        book = {"title": title, "pages": pages, "author_id": ann["id"]}
        assert views.post("/books", json=book).status_code == 201
    listed = views.get("/author-stats", params={"sort": "author_id"})
    assert listed.status_code == 200, listed.text
    assert listed.json()["data"] == [{"author_id": ann["id"], "books": 2, "pages": 350},
                                     {"author_id": bob["id"], "books": 0, "pages": 0}]
    assert views.get("/author-stats", params={"pages__gt": "0"}).json()["meta"]["total"] == 1
    queried = views.post("/author-stats/query", json={"where": {"books": {"gt": 0}}})
    assert [row["author_id"] for row in queried.json()["data"]] == [ann["id"]]
    one = views.get(f"/author-stats/{ann['id']}")
    assert one.status_code == 200 and one.headers["etag"]
    assert views.get(f"/author-stats/{ann['id']}/author").json()["name"] == "Ann"
    assert views.get(f"/authors/{bob['id']}/stats").json()["books"] == 0
    assert views.get("/author-stats/999").status_code == 404
    for method, path in (("POST", "/author-stats"), ("PATCH", f"/author-stats/{ann['id']}"),
                         ("PUT", f"/author-stats/{ann['id']}"),
                         ("DELETE", f"/author-stats/{ann['id']}")):
        refused = views.request(method, path, json={"books": 1})
        assert refused.status_code == 405, (method, refused.text)
        assert refused.headers["allow"] == "GET, HEAD, OPTIONS"


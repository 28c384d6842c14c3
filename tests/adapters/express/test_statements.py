"""Statements per request on the Express server (issue #21: it sent ~1.65 database transactions
per list request where the FastAPI runtime sends ~1.1, at 0.72x its requests per second).

A read by id is one statement; a simple list page with its total is one statement, as on the
runtime (lib/pages.ts); a list Prisma reads needs no count statement when its page is not full.
Counted from Prisma's own query log (FASTBACKEND_LOG_STATEMENTS=1) of a second server process
on the blog's database, which writes each statement before the answer is sent.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests import local_http
from tests.adapters.express.servers import Server, Servers, clients

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]


class Counted:
    def __init__(self, server: Server) -> None:
        port = server.url.rsplit(":", 1)[1]
        self.log = server.project / f"server-{port}.log"
        self.client = local_http.client(base_url=server.url, timeout=30)
        self.seen = self._statements()

    def _statements(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if line.startswith("prisma:query ")]

    def get(self, path: str) -> tuple[httpx.Response, list[str]]:
        response = self.client.get(path)
        assert response.status_code == 200, response.text
        statements = self._statements()
        new, self.seen = statements[len(self.seen):], statements
        return response, new


@pytest.fixture
def counted(express_servers: Servers, blog: httpx.Client) -> Iterator[Counted]:
    author = blog.post("/users", json={"email": "a@x.io", "name": "A"}).json()
    for n, status in enumerate(["published", "draft", "published", "published", "archived"]):
        created = blog.post("/posts", json={"title": f"t{n}", "body": "b", "status": status,
                                            "author_id": author["id"]})
        assert created.status_code == 201, created.text
    server = express_servers.another_instance("blog", {"FASTBACKEND_LOG_STATEMENTS": "1"})
    counted = Counted(server)
    yield counted
    counted.client.close()


def test_a_read_by_id_is_one_statement(counted: Counted) -> None:
    _, statements = counted.get("/posts/1")
    assert len(statements) == 1, statements


def test_a_read_by_id_is_the_servers_own_statement_with_prismas_etag(counted: Counted) -> None:
    """lib/rows.ts reads the row, not Prisma's findUnique; its ETag is the one a write, which
    reads the row through Prisma, checks If-Match against."""
    response, statements = counted.get("/posts/2")
    assert 'FROM "posts" WHERE "posts"."id" = $1' in statements[0], statements
    assert '"status"::text AS "status"' in statements[0]
    assert response.json()["title"] == "t1"
    written = counted.client.patch("/posts/2", json={"body": "b2"},
                                   headers={"If-Match": response.headers["ETag"]})
    assert written.status_code == 200, written.text
    assert written.headers["ETag"] != response.headers["ETag"]
    again, _ = counted.get("/posts/2")
    assert again.headers["ETag"] == written.headers["ETag"]
    assert again.json() == written.json()


def test_a_filtered_list_page_and_its_total_are_one_statement(counted: Counted) -> None:
    response, statements = counted.get("/posts?status=published&limit=2&sort=-id")
    assert len(statements) == 1, statements
    assert "count(*)" in statements[0]
    page = response.json()
    assert page["meta"]["total"] == 3
    assert [row["title"] for row in page["data"]] == ["t3", "t2"]
    assert page["meta"]["next_cursor"] is not None
    # The same page as Prisma reads it (`in` is left to Prisma): the same rows, the same total.
    prisma_read, statements = counted.get("/posts?status__in=published&limit=2&sort=-id")
    assert len(statements) == 2, statements  # the page is full: Prisma counts
    assert prisma_read.json()["data"] == page["data"]
    assert prisma_read.json()["meta"]["total"] == 3


def test_past_the_last_row_the_total_is_counted(counted: Counted) -> None:
    response, statements = counted.get("/posts?status=published&offset=10")
    assert response.json()["data"] == [] and response.json()["meta"]["total"] == 3
    assert len(statements) == 2, statements


def test_a_page_that_is_not_full_tells_its_total(counted: Counted) -> None:
    response, statements = counted.get("/posts?title__contains=t&limit=50")  # Prisma's LIKE
    assert len(statements) == 1, statements
    assert response.json()["meta"]["total"] == 5


def test_conditions_of_every_form_the_statement_takes(counted: Counted) -> None:
    for path, titles in [
        ("/posts?id__gt=2&id__lte=4", ["t2", "t3"]),
        ("/posts?published_at__isnull=true&status=draft", ["t1"]),
        ("/posts?published_at__isnull=false", []),
        ("/posts?id__isnull=true", []),
        ('/posts?where={"AND":[{"status":"published"},{"id":{"gte":3}}]}', ["t2", "t3"]),
    ]:
        response, statements = counted.get(path)
        assert [row["title"] for row in response.json()["data"]] == titles, path
        assert response.json()["meta"]["total"] == len(titles), path
        assert len(statements) == 1, (path, statements)




@pytest.mark.mariadb
def test_on_mariadb_a_list_page_sorts_a_key_as_it_is(express_servers: Servers) -> None:
    """MySQL sorts NULLs first ascending; the page's statement emulates the contract's order
    with an `IS NULL` term only on a column that can be NULL: on the key it cost the key's
    index order, a sort of every matching row (bench_express: the list at 0.45-0.79x the
    runtime's, docs/performance.md)."""
    server = express_servers.get("blog_mysql")
    for client in clients(server):
        author = client.post("/users", json={"email": "a@x.io", "name": "A"}).json()
        for n in range(3):
            created = client.post("/posts", json={"title": f"t{n}", "body": "b", "status": "published",
                                                  "author_id": author["id"]})
            assert created.status_code == 201, created.text
        counted = Counted(express_servers.another_instance("blog_mysql", {"FASTBACKEND_LOG_STATEMENTS": "1"}))
        response, statements = counted.get("/posts?status=published&limit=2")
        assert [row["title"] for row in response.json()["data"]] == ["t0", "t1"]
        assert len(statements) == 1 and "ORDER BY `posts`.`id` ASC LIMIT" in statements[0], statements
        response, statements = counted.get("/posts?status=published&sort=-published_at&limit=2")
        assert "ORDER BY `posts`.`published_at` IS NULL DESC, `posts`.`published_at` DESC" in statements[0]
        counted.client.close()

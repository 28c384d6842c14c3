"""Keyset vs offset pagination: page 2,000 by cursor costs about what page 1 costs, page 2,000
by offset does not. One run, same app, same 100,000 rows; ratios to page 1 are what counts.

In-process (the ASGI app through Starlette's TestClient), so what is measured is the runtime and
the database, not the network. SQLite, and PostgreSQL and MariaDB when reachable.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.runtime_servers import (
    ROOT,
    mariadb_available,
    mariadb_database,
    postgres_available,
    postgres_database,
)
from fastbackend_fastapi import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's httpx2 notice
    from starlette.testclient import TestClient

IR_PATH = ROOT / "tests" / "golden" / "blog.ir.json"
ROWS = 100_000
LIMIT = 50
PAGE = 2_000
REPEATS = int(os.environ.get("FASTBACKEND_BENCH_REPEATS", "60"))


def seed(client: TestClient) -> None:
    runtime: Any = client.app.state.runtime  # type: ignore[attr-defined]
    posts, users = runtime.entity("Post").store.table, runtime.entity("User").store.table
    with runtime.database.engine.begin() as connection:
        author = connection.execute(sa.insert(users).values(email="bench@x.io")
                                    .returning(users.c.id)).scalar_one()
        for first in range(0, ROWS, 10_000):
            connection.execute(sa.insert(posts), [
                {"title": f"post {n}", "body": "x" * 200, "status": "draft", "author_id": author}
                for n in range(first, first + 10_000)])


def cursor_before(client: TestClient, offset: int) -> str:
    """The cursor the API returns with the page that ends just before ``offset``."""
    runtime: Any = client.app.state.runtime  # type: ignore[attr-defined]
    post = runtime.entity("Post")
    query = post.parser.parse([])
    with runtime.database.engine.connect() as connection:
        last_id = connection.execute(sa.select(post.store.table.c.id).order_by(
            post.store.table.c.id).offset(offset - 1).limit(1)).scalar_one()
    token: str = post.parser.cursors.encode(query.sort, (last_id,))
    return token


def median_ms(call: Callable[[], Any]) -> float:
    call()  # warm: statement cache, pages in memory
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def measure(url: str) -> dict[str, float]:
    app = create_app(IR_PATH, database_url=url, custom_path=None)
    with TestClient(app) as client:
        seed(client)
        far = (PAGE - 1) * LIMIT
        cursor = cursor_before(client, far)
        first = client.get("/posts", params={"limit": LIMIT, "count": "none"}).json()["data"]
        by_cursor = client.get("/posts", params={"limit": LIMIT, "cursor": cursor}).json()["data"]
        by_offset = client.get("/posts", params={"limit": LIMIT, "offset": far,
                                                 "count": "none"}).json()["data"]
        assert by_cursor == by_offset and by_cursor != first, "the two page 2,000s differ"

        def get(params: dict[str, Any]) -> Callable[[], Any]:
            return lambda: client.get("/posts", params={"limit": LIMIT, **params})

        return {
            "page 1": median_ms(get({"count": "none"})),
            f"page {PAGE:,} by cursor": median_ms(get({"cursor": cursor})),
            f"page {PAGE:,} by offset": median_ms(get({"offset": far, "count": "none"})),
            f"page {PAGE:,} by offset, counted": median_ms(get({"offset": far})),
        }


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite+pysqlite:///{Path(folder) / 'pages.db'}"


def report(label: str, results: dict[str, float]) -> None:
    base = results["page 1"]
    print(f"   {label}: {ROWS:,} rows, {LIMIT} per page, median of {REPEATS}")
    for name, ms in results.items():
        print(f"     {name:<32} {ms:8.2f} ms  {ms / base:6.2f}x page 1")


def main() -> None:
    with sqlite_url() as url:
        report("SQLite", measure(url))
    for label, available, database in (("PostgreSQL", postgres_available, postgres_database),
                                       ("MariaDB", mariadb_available, mariadb_database)):
        if available():
            with database() as url:
                report(label, measure(url))
        else:
            print(f"   {label}: not reachable, skipped")


if __name__ == "__main__":
    main()

"""Keyset pagination walks a table to the end while rows are inserted concurrently: every row
present at the start is seen exactly once, nothing twice, in order (both databases). 5,000 rows
in `make test`, 100,000 in `make soak`; the writer inserts between every two pages at least.

Sorted on title, a non-key column, and the inserts get random titles, so they land before, at
and after the walker's position, which is what makes offset pagination repeat and skip rows.
"""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

PAGE = 200
BATCH = 5_000


def _post_rows(author: int, first: int, count: int, chooser: random.Random) -> list[dict[str, Any]]:
    return [{"title": f"{chooser.randrange(10**8):08d}-{n}", "body": "b", "status": "draft",
             "author_id": author} for n in range(first, first + count)]


def _seed(engine: sa.Engine, posts: sa.Table, users: sa.Table, rows: int) -> None:
    chooser = random.Random(99)
    with engine.begin() as connection:
        author = connection.execute(sa.insert(users).values(email="walker@x.io")
                                    .returning(users.c.id)).scalar_one()
        for first in range(0, rows, BATCH):
            count = min(BATCH, rows - first)
            connection.execute(sa.insert(posts), _post_rows(author, first, count, chooser))


class Writer(threading.Thread):
    """Inserts 10 rows with random titles at a time until stopped; `batches` counts them, so
    the walker can wait for at least one insert between two of its pages on any machine."""

    def __init__(self, engine: sa.Engine, posts: sa.Table, author: int, first: int) -> None:
        super().__init__(daemon=True)
        self.engine, self.posts, self.author, self.number = engine, posts, author, first
        self.inserted: list[int] = []
        self.batches = 0
        self.progress = threading.Condition()
        self.done = threading.Event()

    def run(self) -> None:
        chooser = random.Random(5)
        while not self.done.is_set():
            with self.engine.begin() as connection:
                rows = _post_rows(self.author, self.number, 10, chooser)
                ids = connection.execute(sa.insert(self.posts).returning(self.posts.c.id), rows)
                self.inserted.extend(ids.scalars())
            self.number += 10
            with self.progress:
                self.batches += 1
                self.progress.notify_all()

    def wait_for_more_than(self, batches: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: self.batches > batches or not self.is_alive(),
                                          timeout=60), "the writer stalled"


@pytest.mark.parametrize("rows", [5_000, pytest.param(100_000, marks=pytest.mark.soak)])
def test_keyset_walk_with_concurrent_inserts(blog: TestClient, rows: int) -> None:
    runtime: Any = blog.app.state.runtime  # type: ignore[attr-defined]
    engine = runtime.database.engine
    posts = runtime.entity("Post").store.table
    users = runtime.entity("User").store.table
    _seed(engine, posts, users, rows)
    with engine.connect() as connection:
        original = set(connection.execute(sa.select(posts.c.id)).scalars())
        author = connection.execute(sa.select(users.c.id)).scalar_one()
    assert len(original) == rows
    writer = Writer(engine, posts, author, rows)
    writer.start()
    seen: list[tuple[str, int]] = []
    try:
        params: dict[str, str | int] = {"sort": "title", "limit": PAGE, "fields": "id,title"}
        for _ in range(rows):  # bounded: a cursor that does not advance ends the test
            batches = writer.batches
            body = blog.get("/posts", params=params).json()
            seen += [(row["title"], row["id"]) for row in body["data"]]
            if body["meta"]["next_cursor"] is None:
                break
            params = {**params, "cursor": body["meta"]["next_cursor"]}
            writer.wait_for_more_than(batches)  # rows land between these two pages
    finally:
        writer.done.set()
        writer.join()
    inserted = writer.inserted
    ids = [row_id for _, row_id in seen]
    assert len(ids) == len(set(ids)), "a row came twice"
    assert original <= set(ids), f"{len(original - set(ids))} rows were skipped"
    assert set(ids) <= original | set(inserted)
    assert seen == sorted(seen), "pages out of order"
    assert inserted, "the writer inserted nothing while the walk ran"

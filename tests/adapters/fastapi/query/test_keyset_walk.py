"""Keyset pagination walks a 100,000-row table to the end while rows are inserted concurrently:
every row present at the start is seen exactly once, nothing twice, in order (both databases).

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

ROWS = 100_000
PAGE = 200
BATCH = 5_000


def _post_rows(author: int, first: int, count: int, chooser: random.Random) -> list[dict[str, Any]]:
    return [{"title": f"{chooser.randrange(10**8):08d}-{n}", "body": "b", "status": "draft",
             "author_id": author} for n in range(first, first + count)]


def _seed(engine: sa.Engine, posts: sa.Table, users: sa.Table) -> None:
    chooser = random.Random(99)
    with engine.begin() as connection:
        author = connection.execute(sa.insert(users).values(email="walker@x.io")
                                    .returning(users.c.id)).scalar_one()
        for first in range(0, ROWS, BATCH):
            connection.execute(sa.insert(posts), _post_rows(author, first, BATCH, chooser))


def _insert_until(engine: sa.Engine, posts: sa.Table, author: int, done: threading.Event,
                  inserted: list[int]) -> None:
    chooser = random.Random(5)
    number = ROWS
    while not done.is_set():
        with engine.begin() as connection:
            rows = _post_rows(author, number, 10, chooser)
            ids = connection.execute(sa.insert(posts).returning(posts.c.id), rows).scalars()
            inserted.extend(ids)
        number += 10
        done.wait(0.002)


@pytest.mark.slow
def test_keyset_walk_of_100000_rows_with_concurrent_inserts(blog: TestClient) -> None:
    runtime: Any = blog.app.state.runtime  # type: ignore[attr-defined]
    engine = runtime.database.engine
    posts = runtime.entity("Post").store.table
    users = runtime.entity("User").store.table
    _seed(engine, posts, users)
    with engine.connect() as connection:
        original = set(connection.execute(sa.select(posts.c.id)).scalars())
        author = connection.execute(sa.select(users.c.id)).scalar_one()
    assert len(original) == ROWS
    done, inserted = threading.Event(), []  # type: ignore[var-annotated]
    writer = threading.Thread(target=_insert_until, args=(engine, posts, author, done, inserted))
    writer.start()
    seen: list[tuple[str, int]] = []
    try:
        params: dict[str, str | int] = {"sort": "title", "limit": PAGE, "fields": "id,title"}
        for _ in range(ROWS):  # bounded: a cursor that does not advance ends the test
            body = blog.get("/posts", params=params).json()
            seen += [(row["title"], row["id"]) for row in body["data"]]
            if body["meta"]["next_cursor"] is None:
                break
            params = {**params, "cursor": body["meta"]["next_cursor"]}
    finally:
        done.set()
        writer.join()
    ids = [row_id for _, row_id in seen]
    assert len(ids) == len(set(ids)), "a row came twice"
    assert original <= set(ids), f"{len(original - set(ids))} rows were skipped"
    assert set(ids) <= original | set(inserted)
    assert seen == sorted(seen), "pages out of order"
    assert inserted, "the writer inserted nothing while the walk ran"

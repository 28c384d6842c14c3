"""The Express server under the upsert race the runtime's test_upsert.py runs: 50 clients PUT
one new natural key at once (docs/rest-api.md, "Upsert")."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]


def test_fifty_clients_putting_one_new_key_make_one_row(kitchen: httpx.Client) -> None:
    """One row, never a 409 or a 500; each answer a 200 or a 201 (docs/rest-api.md says why
    more than one client may be told 201 here: the row is read before Prisma's upsert)."""
    barrier = threading.Barrier(50, timeout=30)

    def put(index: int) -> int:
        barrier.wait()
        body = {"country": "fr", "code": "idf", "name": f"n{index}"}
        with httpx.Client(base_url=kitchen.base_url, timeout=60) as client:
            return client.put("/regions/fr,idf", json=body).status_code

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(put, range(50)))
    assert all(status in (200, 201) for status in statuses), statuses
    assert 201 in statuses
    page = kitchen.get("/regions").json()
    assert page["meta"]["total"] == 1
    print("Express upsert race statuses:", sorted(statuses))  # reported by -s


def test_fifty_clients_upserting_one_new_tag_by_post_make_one_row(blog: httpx.Client) -> None:
    """`POST /tags?on_conflict=name` with `Prefer: resolution=merge-duplicates` from 50 clients
    at once: one row, never a 409 or a 500 (Prisma's upsert is the database's ON CONFLICT); as
    with PUT, more than one client may be told 201 (the row is read before the upsert)."""
    barrier = threading.Barrier(50, timeout=30)

    def upsert(_: int) -> int:
        barrier.wait()
        with httpx.Client(base_url=blog.base_url, timeout=60) as client:
            return client.post("/tags?on_conflict=name", json={"name": "race"},
                               headers={"Prefer": "resolution=merge-duplicates"}).status_code

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(upsert, range(50)))
    assert all(status in (200, 201) for status in statuses), statuses
    assert 201 in statuses
    assert blog.get("/tags?name=race").json()["meta"]["total"] == 1
    print("Express POST upsert race statuses:", sorted(statuses))  # reported by -s

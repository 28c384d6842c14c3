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

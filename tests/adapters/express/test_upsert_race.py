"""The Express server under the upsert races the runtime's test_upsert.py and
test_upsert_post_scope.py run: 50 clients PUT one new natural key, or POST-upsert one new row,
at once (docs/rest-api.md, "Upsert")."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests import local_http
from tests.adapters.express.servers import Servers
from tests.events.conftest import outbox

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]


def _race(base_url: str, post: Callable[[httpx.Client, int], httpx.Response]) -> list[int]:
    """The statuses of 50 clients sending ``post`` at once."""
    barrier = threading.Barrier(50, timeout=30)

    def send(index: int) -> int:
        barrier.wait()
        with local_http.client(base_url=base_url, timeout=60) as client:
            return post(client, index).status_code

    with ThreadPoolExecutor(50) as pool:
        return list(pool.map(send, range(50)))


def test_fifty_clients_putting_one_new_key_make_one_row(kitchen: httpx.Client) -> None:
    """One row, never a 409 or a 500, exactly one 201 and 49 200s: the create runs in a
    savepoint, and the PUTs that yield to a concurrent one replace its row."""
    statuses = _race(str(kitchen.base_url), lambda client, index: client.put(
        "/regions/fr,idf", json={"country": "fr", "code": "idf", "name": f"n{index}"}))
    assert sorted(statuses) == [200] * 49 + [201], statuses
    assert kitchen.get("/regions").json()["meta"]["total"] == 1


def test_fifty_clients_upserting_one_new_tag_by_post_make_one_row(blog: httpx.Client) -> None:
    """`POST /tags?on_conflict=name` with `Prefer: resolution=merge-duplicates` from 50 clients
    at once: one row, never a 409 or a 500, and, as on the runtime, exactly one client is told
    201 (one insert in a savepoint decides; the others yield to it and are told 200)."""
    statuses = _race(str(blog.base_url), lambda client, _: client.post(
        "/tags?on_conflict=name", json={"name": "race"},
        headers={"Prefer": "resolution=merge-duplicates"}))
    assert sorted(statuses) == [200] * 49 + [201], statuses
    assert blog.get("/tags?name=race").json()["meta"]["total"] == 1


def test_a_raced_upsert_records_one_create_event_and_an_update_per_merge(
        express_servers: Servers) -> None:
    """50 clients merge-upserting one new note (irs/events.ir.json records every write): one
    201, 49 200s, and the outbox holds one `create` event for the note and 49 `update` events
    of the title sent, never a second create for the one row."""
    server = express_servers.get("events")
    server.reset()
    statuses = _race(server.url, lambda client, index: client.post(
        "/notes", json={"slug": "race", "title": f"t{index}"},
        headers={"Prefer": "resolution=merge-duplicates"}))
    assert sorted(statuses) == [200] * 49 + [201], statuses
    events = outbox(server.database_url, entity="Note")
    assert [row["operation"] for row in events].count("create") == 1, events
    assert [row["operation"] for row in events].count("update") == 49, events
    assert len({row["row_key"] for row in events}) == 1, events

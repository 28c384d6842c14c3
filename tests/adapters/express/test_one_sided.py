"""Relations declared on one side only (the `one_sided` IR, compiled from SQLAlchemy models):
Prisma gets the missing opposite fields, the API keeps exactly the IR's relations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fastbackend_express.prisma_schema import render_schema
from tests.adapters.express.harness import load_ir


def created(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    row: dict[str, Any] = response.json()
    return row


def test_the_schema_gets_the_opposite_fields_the_ir_leaves_out() -> None:
    schema = render_schema(load_ir("one_sided"))
    assert 'buyer_of_order      Order[]   @relation("Order_buyer_id")' in schema
    assert 'following_of_person Follows[] @relation("Follows_followed_id")' in schema


@pytest.mark.node
@pytest.mark.postgres
@pytest.mark.slow
def test_a_one_sided_self_many_to_many_and_many_to_one(one_sided: httpx.Client) -> None:
    ann, bob, cy = (created(one_sided, "/people", {"name": name}) for name in ("Ann", "Bob", "Cy"))
    for followed in (bob, cy):
        assert one_sided.put(f"/people/{ann['id']}/following/{followed['id']}").status_code == 204
    following = one_sided.get(f"/people/{ann['id']}/following", params={"sort": "name"}).json()
    assert [p["name"] for p in following["data"]] == ["Bob", "Cy"]
    assert one_sided.get(f"/people/{bob['id']}/following").json()["data"] == []
    assert one_sided.delete(f"/people/{ann['id']}/following/{bob['id']}").status_code == 204
    assert one_sided.get(f"/people/{ann['id']}/following").json()["meta"]["total"] == 1
    order = created(one_sided, "/orders", {"buyer_id": bob["id"]})
    assert one_sided.get(f"/orders/{order['id']}/buyer").json()["name"] == "Bob"
    assert one_sided.get(f"/people/{bob['id']}/buyer_of_order").status_code == 404  # not in the API

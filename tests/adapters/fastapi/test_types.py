"""Every logical scalar type through the API and back, on both databases (kitchen IR)."""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from starlette.testclient import TestClient

from fastbackend_fastapi import create_app
from fastbackend_ir import Field, load
from tests.adapters.fastapi.conftest import BLOG
from tests.adapters.fastapi.test_relations import created

FULL = {
    "label": "full", "count": -2**31, "big": 2**63 - 1, "ratio": 0.1, "price": "-12345678.90",
    "happened_at": "2024-05-01T12:30:00.123456+02:00", "local_time": "2024-05-01T12:30:00",
    "day": "2024-02-29", "at_time": "23:59:59.500000", "duration": "P3DT4H5M6S",
    "token": "0f5b2b1e-8c4e-4a4a-9d2d-111111111111",
    "payload": {"nested": [1, 2.5, "three", None, True], "empty": {}},
    "blob": base64.b64encode(bytes(range(256))).decode(), "color": "red", "secret": "hunter2",
}


def test_every_scalar_type_round_trips(kitchen: TestClient) -> None:
    sample = created(kitchen, "/samples", FULL)
    read = kitchen.get(f"/samples/{sample['id']}").json()
    assert read == sample
    expected = {**FULL, "happened_at": "2024-05-01T10:30:00.123456Z",  # normalised to UTC
                "at_time": "23:59:59.500000"}
    expected.pop("secret")
    assert {name: read[name] for name in expected} == expected


def test_write_only_fields_are_accepted_never_returned(kitchen: TestClient) -> None:
    sample = created(kitchen, "/samples", {"label": "w", "secret": "s"})
    assert "secret" not in sample
    assert "secret" not in kitchen.get(f"/samples/{sample['id']}").json()
    assert kitchen.get("/samples", params={"secret": "s"}).status_code == 400


def test_write_only_changes_still_change_the_etag(kitchen: TestClient) -> None:
    sample = created(kitchen, "/samples", {"label": "w", "secret": "one"})
    before = kitchen.get(f"/samples/{sample['id']}").headers["etag"]
    kitchen.patch(f"/samples/{sample['id']}", json={"secret": "two"})
    assert kitchen.get(f"/samples/{sample['id']}").headers["etag"] != before


def test_generators_and_defaults(kitchen: TestClient) -> None:
    sample = created(kitchen, "/samples", {"label": "gen"})
    identifier = uuid.UUID(sample["id"])
    assert identifier.version == 7
    assert re.fullmatch(r"c[0-9a-z]{20,30}", sample["slug"])  # cuid
    assert re.fullmatch(r"[0-7][0-9A-HJKMNP-TV-Z]{25}", sample["ref"])  # ulid
    assert re.fullmatch(r"[A-Za-z0-9_-]{10}", sample["short"])  # nanoid(10)
    assert re.fullmatch(r"[a-z][0-9a-z]{23}", sample["c2"])  # cuid2
    assert sample["count"] == 0 and sample["active"] is True  # literal defaults
    assert sample["created_at"].endswith("Z") and sample["updated_at"].endswith("Z")
    other = created(kitchen, "/samples", {"label": "gen2"})
    assert other["id"] > sample["id"]  # uuid7 sorts by time
    assert len({other[k] for k in ("slug", "ref", "short", "c2")} &
               {sample[k] for k in ("slug", "ref", "short", "c2")}) == 0


def test_enum_db_names_are_stored_and_api_names_returned(kitchen: TestClient,
                                                        database_url: str) -> None:
    sample = created(kitchen, "/samples", {"label": "enum", "color": "red"})
    assert sample["color"] == "red"
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(sa.select(sa.cast(sa.column("color"), sa.String()))
                                        .select_from(sa.table("samples")))
            assert stored.scalar_one() == "RED"
    finally:
        engine.dispose()


def test_filters_parse_values_by_type(kitchen: TestClient) -> None:
    created(kitchen, "/samples", FULL)
    created(kitchen, "/samples", {"label": "other", "color": "blue", "active": False})
    queries: list[dict[str, Any]] = [
        {"price": "-12345678.9"}, {"color": "red"}, {"active": "true"},
        {"token": FULL["token"]}, {"day": "2024-02-29"}, {"big": str(2**63 - 1)},
    ]
    for params in queries:
        body = kitchen.get("/samples", params=params).json()
        assert [s["label"] for s in body["data"]] == ["full"], params
    assert kitchen.get("/samples", params={"payload": "{}"}).status_code == 400


def test_decimals_keep_their_digits(kitchen: TestClient) -> None:
    sample = created(kitchen, "/samples", {"label": "d", "price": 0.1})
    assert sample["price"] == "0.10"  # NUMERIC(10, 2) on both databases
    assert kitchen.patch(f"/samples/{sample['id']}", json={"price": "99999999.99"}
                         ).json()["price"] == "99999999.99"


def test_nullable_everything_can_be_cleared(kitchen: TestClient) -> None:
    sample = created(kitchen, "/samples", FULL)
    nullable = ["big", "ratio", "price", "happened_at", "local_time", "day", "at_time",
                "duration", "token", "payload", "blob", "color"]
    cleared = kitchen.patch(f"/samples/{sample['id']}", json=dict.fromkeys(nullable)).json()
    assert all(cleared[name] is None for name in nullable)


def test_scalar_lists(database_url: str) -> None:
    """Prisma's String[] / Int[]: arrays on PostgreSQL, JSON on SQLite, lists in the API."""
    ir = load(BLOG)
    tag = ir.entities["Tag"]
    lists = (Field(name="aliases", column="aliases", type="string", list=True, nullable=True),
             Field(name="scores", column="scores", type="integer", list=True, nullable=True))
    ir = replace(ir, entities={**ir.entities, "Tag": replace(tag, fields=tag.fields + lists)})
    with TestClient(create_app(ir, database_url=database_url, custom_path=None)) as client:
        created = client.post("/tags", json={"name": "x", "aliases": ["a", "b"], "scores": [1, 2]})
        assert created.status_code == 201
        assert client.get(created.headers["location"]).json()["scores"] == [1, 2]
        cleared = client.patch(created.headers["location"], json={"aliases": None}).json()
        assert cleared["aliases"] is None and cleared["scores"] == [1, 2]
        assert client.post("/tags", json={"name": "y", "scores": ["z"]}).status_code == 422
        assert client.get("/tags", params={"aliases": "a"}).status_code == 400

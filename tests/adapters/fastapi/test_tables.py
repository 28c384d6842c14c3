"""The runtime's table builder (tables.py): literal defaults and server-side timestamps."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.adapters.fastapi.conftest import KITCHEN, MakeClient

BIG = 9_223_372_036_854_775_807  # 2**63 - 1: far past JavaScript's 2**53, so a string in the IR
SQLALCHEMY_SQLITE_DATETIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")


def _kitchen_with(tmp_path: Path, entity: str, field: str, changes: dict[str, Any]) -> Path:
    document = json.loads(KITCHEN.read_text("utf-8"))
    for item in document["entities"][entity]["fields"]:
        if item["name"] == field:
            item.update(changes)
    path = tmp_path / "ir" / "ir.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(document), "utf-8")
    return path


@pytest.mark.parametrize("server", [False, True])
def test_bigint_literal_defaults_given_as_strings(make_client: MakeClient, tmp_path: Path,
                                                  server: bool) -> None:
    default = {"kind": "literal", "value": str(BIG), "server": server}
    client = make_client(_kitchen_with(tmp_path, "Sample", "big", {"default": default}))
    created = client.post("/samples", json={"label": "big"})
    assert created.status_code == 201, created.text
    assert client.get(f"/samples/{created.json()['id']}").json()["big"] == BIG
    assert client.get("/samples", params={"big": str(BIG)}).json()["meta"]["total"] == 1


def test_server_timestamps_have_the_applications_form(make_client: MakeClient,
                                                      database_url: str) -> None:
    """SQLite keeps timestamps as text: the server default writes SQLAlchemy's form, so rows
    written by the database and by the application compare and sort as the same kind of text."""
    client = make_client(KITCHEN)
    before = datetime.now(UTC) - timedelta(seconds=2)
    created = client.post("/samples", json={"label": "now"}).json()
    stamp = datetime.fromisoformat(created["created_at"].replace("Z", "+00:00"))
    assert before <= stamp <= datetime.now(UTC) + timedelta(seconds=2)
    after = client.get("/samples", params={"created_at__gte": before.isoformat()})
    assert after.json()["meta"]["total"] == 1
    if database_url.startswith("sqlite"):
        engine = sa.create_engine(database_url)
        with engine.connect() as connection:
            stored = connection.execute(sa.text("SELECT created_at FROM samples")).scalar_one()
        engine.dispose()
        assert SQLALCHEMY_SQLITE_DATETIME.fullmatch(stored), stored

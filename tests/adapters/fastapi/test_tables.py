"""The runtime's table builder (tables.py): literal defaults and server-side timestamps."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from fastbackend.pipeline import compile_path
from tests.adapters.fastapi.conftest import KITCHEN, MakeClient

ROOT = Path(__file__).resolve().parents[3]

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


def test_an_association_tables_index_is_created(make_client: MakeClient, database_url: str,
                                                tmp_path: Path) -> None:
    """`Column(..., index=True)` on an association `Table` (#17): the IR carries the index, and
    the database gets it (it was dropped)."""
    source = tmp_path / "models.py"
    source.write_text((ROOT / "tests" / "corpus" / "sqlalchemy" / "silent_mistakes.py")
                      .read_text("utf-8"), "utf-8")
    ir_text = compile_path(source)[1].ir_text
    assert ir_text is not None
    ir_path = tmp_path / "ir.json"
    ir_path.write_text(ir_text, "utf-8")
    make_client(ir_path)
    engine = sa.create_engine(database_url)
    try:
        indexes = sa.inspect(engine).get_indexes("account_tags")
    finally:
        engine.dispose()
    assert [index["column_names"] for index in indexes] == [["tag_id"]]

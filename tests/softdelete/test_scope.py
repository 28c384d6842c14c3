"""Soft delete under row scope (tests/adapters/fastapi/tenancy.py's tenants, with Project
soft-deleting): a bulk delete stamps only the caller's rows, `deleted=only` lists only the
caller's stamped rows, and restore cannot reach another tenant's."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from fastbackend.pipeline import compile_path
from fastbackend_fastapi import create_app
from fastbackend_ir import dumps
from tests.adapters.fastapi.conftest import TestClient
from tests.adapters.fastapi.tenancy import AUTH, CONFIG, MODELS, bearer

ALICE, BOB = bearer("alice"), bearer("bob")
SOFT_MODELS = "from datetime import datetime\n" + MODELS.replace(
    "    owner_id: Mapped[int]\n", "    owner_id: Mapped[int]\n    deleted_at: Mapped[datetime | None]\n")
SOFT_CONFIG = CONFIG + "models:\n  Project: {soft_delete: deleted_at}\n"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """On SQLite, PostgreSQL and MariaDB (tests/conftest.py's database_url)."""
    folder = tmp_path / "project"
    (folder / "app").mkdir(parents=True)
    (folder / "app" / "__init__.py").write_text("")
    (folder / "app" / "auth.py").write_text(textwrap.dedent(AUTH))
    (folder / "models.py").write_text(SOFT_MODELS)
    (folder / "fastbackend.yaml").write_text(textwrap.dedent(SOFT_CONFIG))
    _, result = compile_path(folder)
    assert result.ir.entities["Project"].soft_delete == "deleted_at"
    ir_path = folder / ".fastbackend" / "ir.json"  # beside fastbackend.yaml's auth section
    ir_path.parent.mkdir()
    ir_path.write_text(dumps(result.ir))
    app = create_app(ir_path, database_url=database_url, custom_path=None)
    with TestClient(app) as client:
        yield client


def _names(app: TestClient, headers: dict[str, str], **params: str) -> list[str]:
    page = app.get("/projects", params={"sort": "id", **params}, headers=headers).json()
    return [row["name"] for row in page["data"]]


def test_bulk_delete_stamps_only_the_callers_rows(app: TestClient) -> None:
    for headers, names in ((ALICE, ("a1", "a2")), (BOB, ("b1",))):
        for name in names:
            created = app.post("/projects", json={"name": name}, headers=headers)
            assert created.status_code == 201, created.text
    deleted = app.delete("/projects", params={"all": "true"}, headers=BOB)
    assert deleted.json() == {"count": 1}
    assert _names(app, ALICE) == ["a1", "a2"]
    assert _names(app, BOB) == [] and _names(app, BOB, deleted="only") == ["b1"]
    assert _names(app, ALICE, deleted="only") == []
    # alice cannot restore bob's row, nor see it; bob can
    assert app.post("/projects/3/restore", headers=ALICE).status_code == 404
    assert app.delete("/projects", params={"name": "a1"}, headers=BOB).json() == {"count": 0}
    assert app.post("/projects/3/restore", headers=BOB).status_code == 200
    assert _names(app, BOB) == ["b1"]

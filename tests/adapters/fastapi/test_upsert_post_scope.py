"""Upsert by POST where it meets row scope, soft delete and concurrency (docs/rest-api.md,
"Upsert"): a merge changes only a row the caller could PATCH; 50 concurrent upserts of one new
key make one row. On SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from starlette.testclient import TestClient

from fastbackend.pipeline import compile_path
from fastbackend_ir import dumps
from tests.adapters.fastapi.conftest import MakeClient, problem
from tests.adapters.fastapi.tenancy import AUTH, bearer

MERGE = {"Prefer": "resolution=merge-duplicates"}
IGNORE = {"Prefer": "resolution=ignore-duplicates"}

MODELS = """
from datetime import datetime
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Setting(Base):
    __tablename__ = "settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int]
    name: Mapped[str] = mapped_column(unique=True)
    value: Mapped[str]
    deleted_at: Mapped[datetime | None]
"""

CONFIG = """
schema: models.py
models:
  Setting:
    soft_delete: deleted_at
auth:
  models:
    Setting:
      dependencies: [app.auth:current_user]
      scope: {tenant_id: app.auth:tenant}
"""


def _settings_project(folder: Path) -> Path:
    (folder / "app").mkdir(parents=True)
    (folder / "app" / "__init__.py").write_text("")
    (folder / "app" / "auth.py").write_text(textwrap.dedent(AUTH))
    (folder / "models.py").write_text(MODELS)
    (folder / "fastbackend.yaml").write_text(CONFIG)
    _, result = compile_path(folder)
    assert result.ir is not None
    ir_path = folder / ".fastbackend" / "ir.json"
    ir_path.parent.mkdir()
    ir_path.write_text(dumps(result.ir))
    return ir_path


def test_a_merge_never_touches_a_row_out_of_scope_or_soft_deleted(
        make_client: MakeClient, tmp_path: Path) -> None:
    """Another tenant's row, and a soft-deleted row, answer the 409 a create would: the
    caller cannot see them, so it may not change them (nor learn more than a create tells)."""
    app = make_client(_settings_project(tmp_path / "project"))
    alice, bob = bearer("alice"), bearer("bob")
    url = "/settings?on_conflict=name"
    mine = app.post(url, json={"name": "theme", "value": "dark"}, headers={**alice, **MERGE})
    assert mine.status_code == 201, mine.text
    for resolution in (MERGE, IGNORE):
        other = app.post(url, json={"name": "theme", "value": "x"}, headers={**bob, **resolution})
        assert other.status_code == 409, other.text
        assert [e["pointer"] for e in problem(other)["errors"]] == ["/name"]
    assert app.get(f"/settings/{mine.json()['id']}", headers=alice).json()["value"] == "dark"
    assert app.delete(f"/settings/{mine.json()['id']}", headers=alice).status_code == 204
    again = app.post(url, json={"name": "theme", "value": "light"}, headers={**alice, **MERGE})
    assert again.status_code == 409, again.text  # restore it first (POST .../restore)
    assert app.get("/settings?deleted=only", headers=alice).json()["data"][0]["value"] == "dark"


def test_fifty_concurrent_upserts_of_one_key_make_one_row(blog: TestClient) -> None:
    """50 clients upsert one new tag at once through the app (its thread pool, the real
    database): one creates it (201), the others merge (200); no 409, no 500, one row."""
    barrier = threading.Barrier(50, timeout=30)

    def upsert(_: int) -> int:
        barrier.wait()
        return blog.post("/tags?on_conflict=name", json={"name": "race"},
                         headers=MERGE).status_code

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(upsert, range(50)))
    assert sorted(statuses) == [200] * 49 + [201], statuses
    assert blog.get("/tags?name=race").json()["meta"]["total"] == 1

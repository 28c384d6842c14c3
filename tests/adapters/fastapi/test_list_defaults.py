"""A list field's literal default (issue 27, item 1): Prisma's `String[] @default([])` is an
ARRAY on PostgreSQL, which rejected the JSON text it was given (`DEFAULT '[]'`: "malformed array
literal"), so the server did not start and `migrate --apply` wrote a broken revision. The default
is now `ARRAY[...]::TYPE[]` on PostgreSQL (what Prisma writes) and JSON text on SQLite, in the
runtime's tables and in revisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from fastbackend.pipeline import compile_path
from fastbackend_fastapi import create_app
from tests.adapters.fastapi.conftest import problem
from tests.cli.test_migrate import migrate, revisions

SCHEMA = """datasource db {
  provider = "postgresql"
}

enum Role {
  USER
  ADMIN
}

model Thing {
  id    Int       @id @default(autoincrement())
  label String
  tags  String[]  @default([])
  names String[]  @default(["a", "it's"])
  nums  Int[]     @default([1, 2])
  roles Role[]    @default([USER, ADMIN])
  flags Boolean[] @default([])

  @@map("things")
}
"""
DEFAULTS = {"tags": [], "names": ["a", "it's"], "nums": [1, 2], "roles": ["USER", "ADMIN"],
            "flags": []}


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "project" / "schema.prisma"
    path.parent.mkdir()
    path.write_text(SCHEMA, "utf-8")
    return path


def test_the_server_starts_and_fills_list_defaults(schema: Path, database_url: str) -> None:
    ir = compile_path(schema)[1].ir
    with TestClient(create_app(ir, database_url, custom_path=None,
                               project_path=schema.parent)) as client:
        created = client.post("/things", json={"label": "defaults"})
        assert created.status_code == 201, created.text
        assert {k: created.json()[k] for k in DEFAULTS} == DEFAULTS
        given = client.post("/things", json={"label": "given", "tags": ["x"], "roles": ["ADMIN"]})
        assert given.json()["tags"] == ["x"] and given.json()["roles"] == ["ADMIN"]
        bad = client.post("/things", json={"label": "bad", "roles": ["NOBODY"]})
        assert bad.status_code == 422 and problem(bad)["errors"]


def test_migrate_writes_a_revision_that_applies(schema: Path, database_url: str,
                                                tmp_path: Path) -> None:
    applied = migrate(schema, database_url, "--apply")
    assert applied.exit_code == 0, applied.output
    (revision,) = revisions(schema)
    text = revision.read_text("utf-8")
    assert "ARRAY[]::VARCHAR[]" in text and "'[]'" in text  # both databases' spelling
    again = migrate(schema, database_url)
    assert again.exit_code == 0 and "the database matches the IR" in again.stdout


@pytest.mark.postgres
def test_a_revision_written_on_sqlite_applies_to_postgres(schema: Path, tmp_path: Path,
                                                          postgres_url: str) -> None:
    assert migrate(schema, f"sqlite:///{tmp_path / 'dev.db'}", "--apply").exit_code == 0
    moved = migrate(schema, postgres_url, "--apply")
    assert moved.exit_code == 0, moved.output
    assert "Traceback" not in moved.output

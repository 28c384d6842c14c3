"""Foreign keys that form a cycle between tables (real schemas: rallly, documenso): no order of
CREATE TABLE can hold them inline, so a revision adds the keys that close the cycle after its
tables, and drops them first on the way down (Alembic #326). On SQLite, which cannot ALTER a
key in, they stay inline; the same revision applies to both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from fastbackend_fastapi.database.migrations import Migrations
from tests.cli.test_migrate import migrate

# users -> teams (a default team) and teams -> users (an owner): a cycle of two, and a table
# that keys itself (a manager), which is no cycle to break.
CYCLE = """datasource db {
  provider = "postgresql"
}

model User {
  id            Int    @id @default(autoincrement())
  name          String
  defaultTeamId Int?
  defaultTeam   Team?  @relation("DefaultTeam", fields: [defaultTeamId], references: [id])
  owns          Team[] @relation("Owner")
  managerId     Int?
  manager       User?  @relation("Manages", fields: [managerId], references: [id])
  reports       User[] @relation("Manages")

  @@map("users")
}

model Team {
  id        Int    @id @default(autoincrement())
  ownerId   Int
  owner     User   @relation("Owner", fields: [ownerId], references: [id], onDelete: Cascade)
  defaultOf User[] @relation("DefaultTeam")

  @@map("teams")
}
"""


def _schema(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schema.prisma").write_text(CYCLE, "utf-8")
    return folder / "schema.prisma"


def _foreign_keys(url: str) -> set[tuple[str, str, str]]:
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {(table, key["constrained_columns"][0], key["referred_table"])
                for table in ("users", "teams") for key in inspector.get_foreign_keys(table)}
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


KEYS = {("users", "defaultTeamId", "teams"), ("users", "managerId", "users"),
        ("teams", "ownerId", "users")}


def test_a_cycle_of_foreign_keys_migrates_up_and_down(tmp_path: Path, database_url: str) -> None:
    schema = _schema(tmp_path / "app")
    applied = migrate(schema, database_url, "--apply")
    assert applied.exit_code == 0, applied.output
    assert _foreign_keys(database_url) == KEYS
    again = migrate(schema, database_url)
    assert again.exit_code == 0 and "no revision written" in again.stdout, again.output
    (revision,) = (tmp_path / "app" / "migrations" / "versions").glob("*.py")
    text = revision.read_text("utf-8")
    assert "if op.get_context().dialect.supports_alter:" in text
    assert text.count("op.create_foreign_key(") == 2, text  # the cycle's keys, not the manager
    migrations = Migrations(tmp_path / "app" / "migrations",
                            tmp_path / "app" / ".fastbackend" / "ir.json", database_url)
    command.downgrade(migrations.config(), "base")
    assert _tables(database_url) <= {"alembic_version"}


@pytest.mark.postgres
@pytest.mark.parametrize("written_on", ["sqlite", "postgresql"])
def test_a_cycle_revision_written_on_one_database_applies_to_the_other(
        written_on: str, tmp_path: Path, postgres_url: str) -> None:
    schema = _schema(tmp_path / "app")
    folder = ["--directory", str(tmp_path / "migrations")]
    sqlite = f"sqlite:///{tmp_path / 'dev.db'}"
    first, second = (sqlite, postgres_url) if written_on == "sqlite" else (postgres_url, sqlite)
    assert migrate(schema, first, "--apply", *folder).exit_code == 0
    moved = migrate(schema, second, "--apply", *folder)
    assert moved.exit_code == 0, moved.output
    assert _foreign_keys(first) == _foreign_keys(second) == KEYS
    (revision,) = (tmp_path / "migrations" / "versions").glob("*.py")
    assert f"written_against = {written_on!r}" in revision.read_text("utf-8")

"""Revisions written on one database apply to another, and a failed --apply leaves nothing
behind (issue #28: a project starts on SQLite and moves to PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from contextlib import chdir
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result

from tests.cli.helpers import GOLDEN_BLOG, ROOT, run, table_names
from tests.cli.test_migrate import columns, migrate, revisions

KITCHEN = ROOT / "tests" / "golden" / "kitchen.ir.json"


def scalar(url: str, sql: str) -> object:
    """Run ``sql`` in a transaction of its own (committed); the first value it returns."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(sa.text(sql))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def add_to_model(models: Path, table: str, line: str) -> None:
    text = models.read_text("utf-8")
    anchor = f'    __tablename__ = "{table}"\n'
    assert anchor in text
    models.write_text(text.replace(anchor, f"{anchor}    {line}\n", 1), "utf-8")


# What the kitchen IR lacks: lists (PostgreSQL arrays, JSON on SQLite), a JSONB column, an enum
# stored under other names, defaults of every literal kind.
LISTS = """datasource db {
  provider = "postgresql"
}

enum Mood {
  HAPPY @map("happy")
  SAD   @map("sad")
}

model Thing {
  id     Int        @id @default(autoincrement())
  tags   String[]
  stamps DateTime[] @db.Timestamptz
  mood   Mood       @default(HAPPY)
  data   Json?      @db.JsonB
  price  Decimal    @default(1.5) @db.Decimal(10, 2)
  big    BigInt     @default(5)

  @@map("things")
}
"""


def _source(name: str, folder: Path) -> Path:
    if name == "lists":
        (folder / "schema.prisma").write_text(LISTS, "utf-8")
        return folder / "schema.prisma"
    return Path(shutil.copy(KITCHEN if name == "kitchen" else GOLDEN_BLOG, folder / "ir.json"))


@pytest.mark.postgres
@pytest.mark.parametrize("name", ["kitchen", "blog", "lists"])
def test_a_revision_written_on_sqlite_applies_to_postgres(name: str, tmp_path: Path,
                                                          postgres_url: str) -> None:
    """Every logical type and default (the kitchen IR, and lists, JSONB, stored enum names):
    written against SQLite, applied to PostgreSQL, which then matches the IR (autogenerate
    against it finds nothing)."""
    source = _source(name, tmp_path)
    folder = ["--directory", str(tmp_path / "migrations")]
    sqlite = f"sqlite:///{tmp_path / 'dev.db'}"
    assert migrate(source, sqlite, "--apply", *folder).exit_code == 0
    moved = migrate(source, postgres_url, "--apply", *folder)
    assert moved.exit_code == 0, moved.output
    (revision,) = sorted((tmp_path / "migrations" / "versions").glob("*.py"))
    assert "written_against = 'sqlite'" in revision.read_text("utf-8")
    again = migrate(source, postgres_url, "--json", *folder)
    assert again.exit_code == 0 and json.loads(again.stdout)["operations"] == []
    if name == "kitchen":
        kinds = {column: str(kind) for column, kind in columns(postgres_url, "samples").items()}
        assert kinds["duration"] == "INTERVAL" and kinds["created_at"] == "TIMESTAMP"
        assert scalar(postgres_url, "SELECT column_default FROM information_schema.columns "
                                    "WHERE table_name = 'samples' AND column_name = 'active'"
                      ) == "true"
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"  # and it still builds a SQLite database
    assert migrate(source, fresh, "--apply", *folder).exit_code == 0
    assert table_names(fresh) - {"alembic_version"}


def test_a_not_null_field_with_a_default_fills_the_rows_already_there(
        models: Path, database_url: str) -> None:
    assert migrate(models, database_url, "--apply").exit_code == 0
    scalar(database_url, "INSERT INTO tags (name) VALUES ('old')")
    add_to_model(models, "tags", "weight: Mapped[int] = mapped_column(default=0)")
    added = migrate(models, database_url, "--apply", "--json")
    assert added.exit_code == 0, added.output
    assert scalar(database_url, "SELECT weight FROM tags WHERE name = 'old'") == 0
    written = Path(json.loads(added.stdout)["revision"]).read_text("utf-8")
    assert "server_default=sa.text('0')" in written


def test_a_not_null_field_the_database_cannot_fill_is_refused(models: Path,
                                                              database_url: str) -> None:
    assert migrate(models, database_url, "--apply").exit_code == 0
    text = models.read_text("utf-8")
    models.write_text("import uuid\n" + text, "utf-8")
    add_to_model(models, "tags", "token: Mapped[str] = mapped_column(String(36), "
                                 "default=uuid.uuid4)")
    refused = migrate(models, database_url, "--apply")
    assert refused.exit_code == 1
    assert "cannot add the NOT NULL column tags.token" in refused.stderr
    assert "make it nullable" in refused.stderr and "Traceback" not in refused.output
    assert len(revisions(models)) == 1  # nothing written
    as_json = migrate(models, database_url, "--apply", "--json")
    assert as_json.exit_code == 1
    assert "tags.token" in json.loads(as_json.stdout)["error"]["detail"]


def test_a_failed_apply_leaves_no_revision_and_no_half_applied_step(
        models: Path, database_url: str) -> None:
    assert migrate(models, database_url, "--apply").exit_code == 0
    scalar(database_url, "INSERT INTO users (email, name) VALUES ('a@x.io', 'Ann'), "
                         "('b@x.io', 'Ann')")
    text = models.read_text("utf-8")
    models.write_text(text.replace("name: Mapped[Optional[str]] = mapped_column(String(100))",
                                   "name: Mapped[Optional[str]] = mapped_column(String(100), "
                                   "unique=True)", 1), "utf-8")
    failed: Result = migrate(models, database_url, "--apply", "--json")
    assert failed.exit_code == 1
    report = json.loads(failed.stdout)
    assert "failed on" in report["error"]["detail"] and "was removed" in report["error"]["detail"]
    assert report["revision"] is None and report["applied"] == []
    assert len(revisions(models)) == 1  # the failed revision is gone from versions/
    assert not any(name.startswith("_alembic_tmp") for name in table_names(database_url))
    first = revisions(models)[0].name.split("_", 1)[0]
    assert scalar(database_url, "SELECT version_num FROM alembic_version") == first
    scalar(database_url, "UPDATE users SET name = 'Bo' WHERE email = 'b@x.io'")
    fixed = migrate(models, database_url, "--apply")
    assert fixed.exit_code == 0, fixed.output
    assert len(revisions(models)) == 2


def test_migrate_then_apply_says_what_is_pending(models: Path, tmp_path: Path) -> None:
    """`migrate` then `migrate` again said "the database matches the IR" of an empty database."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert migrate(models, url).exit_code == 0
    (written,) = revisions(models)
    again = migrate(models, url)
    assert again.exit_code == 0
    assert "the database matches the IR" not in again.stdout
    assert f"not applied yet: {written.name.split('_', 1)[0]}" in again.stdout
    applied = migrate(models, url, "--apply")
    lines = applied.stdout.splitlines()
    assert lines[0].endswith(f"applied {written.name.split('_', 1)[0]}")
    assert lines[1].endswith("the database matches the IR; no revision written")
    assert "posts" in table_names(url)


@pytest.mark.postgres
def test_a_failure_names_the_database_the_revision_was_written_against(
        models: Path, tmp_path: Path, postgres_url: str) -> None:
    """Raw SQL from the models is copied as written: SQLite's strftime() does not run on
    PostgreSQL, and the error says where the revision came from."""
    add_to_model(models, "tags", "stamp: Mapped[Optional[str]] = "
                                 "mapped_column(server_default=text(\"(strftime('%s', 'now'))\"))")
    text = models.read_text("utf-8")
    models.write_text(text.replace("class Base(", "from sqlalchemy import text\n\n\nclass Base(", 1),
                      "utf-8")
    assert migrate(models, f"sqlite:///{tmp_path / 'dev.db'}", "--apply").exit_code == 0
    failed = migrate(models, postgres_url, "--apply")
    assert failed.exit_code == 1
    assert "was written against sqlite" in failed.stderr and "on postgresql" in failed.stderr
    assert "Traceback" not in failed.output


@pytest.mark.postgres
def test_a_prisma_sqlite_schema_migrated_into_postgres_warns(tmp_path: Path,
                                                            postgres_url: str) -> None:
    with chdir(tmp_path):
        assert run("init", "shop", "--schema", "prisma", "-q")[0] == 0
    schema = tmp_path / "shop" / "schema.prisma"
    assert 'provider = "sqlite"' in schema.read_text("utf-8")
    moved = migrate(schema, postgres_url, "--apply")
    assert moved.exit_code == 0, moved.output
    assert 'declares provider = "sqlite", but the database is postgresql' in moved.stderr
    as_json = json.loads(migrate(schema, postgres_url, "--json").stdout)
    assert any("provider" in warning for warning in as_json["warnings"])
    on_sqlite = migrate(schema, f"sqlite:///{tmp_path / 'dev.db'}", "--apply")
    assert on_sqlite.exit_code == 0 and "provider" not in on_sqlite.stderr


def test_a_revision_that_raises_is_a_message_and_stays_when_not_written_by_this_run(
        models: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'edited.db'}"
    assert migrate(models, url).exit_code == 0
    (written,) = revisions(models)
    text = written.read_text("utf-8")
    written.write_text(text.replace("def upgrade() -> None:\n",
                                    "def upgrade() -> None:\n    undefined_helper()\n", 1), "utf-8")
    failed = migrate(models, url, "--apply")
    assert failed.exit_code == 1 and "Traceback" not in failed.output
    assert "NameError: name 'undefined_helper' is not defined" in failed.stderr
    assert written.name in failed.stderr and revisions(models) == [written]  # the user's file


@pytest.mark.mariadb
@pytest.mark.parametrize("name", ["kitchen", "blog", "lists"])
def test_a_revision_written_on_sqlite_applies_to_mariadb(name: str, tmp_path: Path,
                                                         mariadb_url: str) -> None:
    """The same revision applied through Alembic's MySQL support: the generic types become the
    dialect's (VARCHAR(191), DATETIME(6), utf8mb4_bin tables), and autogenerate against
    MariaDB then finds nothing to do."""
    source = _source(name, tmp_path)
    folder = ["--directory", str(tmp_path / "migrations")]
    sqlite = f"sqlite:///{tmp_path / 'dev.db'}"
    assert migrate(source, sqlite, "--apply", *folder).exit_code == 0
    moved = migrate(source, mariadb_url, "--apply", *folder)
    assert moved.exit_code == 0, moved.output
    again = migrate(source, mariadb_url, "--json", *folder)
    assert again.exit_code == 0 and json.loads(again.stdout)["operations"] == [], again.output
    if name == "kitchen":
        kinds = {column: repr(kind) for column, kind in columns(mariadb_url, "samples").items()}
        assert kinds["created_at"] == "DATETIME(fsp=6)" and kinds["at_time"] == "TIME(fsp=6)"
        assert kinds["short"] == "VARCHAR(length=191)"  # a string without a length
        assert scalar(mariadb_url, "SELECT table_collation FROM information_schema.tables "
                                   "WHERE table_schema = DATABASE() AND table_name = 'samples'"
                      ) == "utf8mb4_bin"


TOKENS = """datasource db {
  provider = "postgresql"
}

model Tag {
  id   Int    @id @default(autoincrement())
  name String
%s
  @@map("tags")
}
"""
TOKEN = '  token String? @db.Uuid @default(dbgenerated("gen_random_uuid()"))'


@pytest.mark.mariadb
def test_a_column_added_later_with_postgresqls_uuid_default_applies_to_mariadb(
        tmp_path: Path, mariadb_url: str) -> None:
    """A revision written on SQLite that adds a column defaulting to PostgreSQL's
    gen_random_uuid() (which MySQL and MariaDB lack: error 1901), applied to MariaDB: Alembic's
    add_column renders the column itself, and is given the dialect's `(uuid())` as CREATE TABLE
    is (issue #25; it failed with 1901 before)."""
    schema = tmp_path / "schema.prisma"
    folder = ["--directory", str(tmp_path / "migrations")]
    sqlite = f"sqlite:///{tmp_path / 'dev.db'}"
    schema.write_text(TOKENS % "", "utf-8")
    assert migrate(schema, sqlite, "--apply", *folder).exit_code == 0
    schema.write_text(TOKENS % TOKEN, "utf-8")
    added = migrate(schema, sqlite, "--json", *folder)
    assert added.exit_code == 0, added.output
    written = Path(json.loads(added.stdout)["revision"]).read_text("utf-8")
    assert "gen_random_uuid()" in written  # the revision keeps the source's text
    moved = migrate(schema, mariadb_url, "--apply", *folder)
    assert moved.exit_code == 0, moved.output
    scalar(mariadb_url, "INSERT INTO tags (name) VALUES ('new')")
    token = scalar(mariadb_url, "SELECT token FROM tags WHERE name = 'new'")
    assert token is not None and len(str(token).replace("-", "")) == 32


@pytest.mark.postgres
def test_a_realtime_models_image_table_is_migrated_on_both_databases(tmp_path: Path,
                                                                     postgres_url: str) -> None:
    """The realtime feed's image table (docs/events.md "Realtime") holds every column of its
    model, native enum and arrays included (PostgreSQL's enum type is the model's: created
    once), with no foreign key; written on SQLite, applied to PostgreSQL, which then matches
    the IR."""
    (tmp_path / "schema.prisma").write_text(LISTS, "utf-8")
    (tmp_path / "fastbackend.yaml").write_text(
        "schema: schema.prisma\nevents:\n  realtime: {models: [Thing]}\n", "utf-8")
    folder = ["--directory", str(tmp_path / "migrations")]
    sqlite = f"sqlite:///{tmp_path / 'dev.db'}"
    assert migrate(tmp_path, sqlite, "--apply", *folder).exit_code == 0
    moved = migrate(tmp_path, postgres_url, "--apply", *folder)
    assert moved.exit_code == 0, moved.output
    again = migrate(tmp_path, postgres_url, "--json", *folder)
    assert again.exit_code == 0 and json.loads(again.stdout)["operations"] == []
    image = columns(postgres_url, "fastbackend_image_things")
    assert set(image) == {"fastbackend_feed_id", *columns(postgres_url, "things")}
    assert str(image["mood"]) == str(columns(postgres_url, "things")["mood"])
    engine = sa.create_engine(postgres_url)
    try:
        assert sa.inspect(engine).get_foreign_keys("fastbackend_image_things") == []
    finally:
        engine.dispose()

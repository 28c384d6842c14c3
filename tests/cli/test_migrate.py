"""`fastbackend migrate`: Alembic revisions from the IR vs the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from fastbackend.cli.main import cli
from tests.cli.helpers import add_tag_slug


def migrate(models: Path, url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["migrate", str(models), "--database-url", url, *args],
                              catch_exceptions=False)


def revisions(models: Path) -> list[Path]:
    return sorted((models.parent / "migrations" / "versions").glob("*.py"))


def columns(url: str, table: str) -> dict[str, sa.types.TypeEngine[object]]:
    engine = sa.create_engine(url)
    try:
        return {c["name"]: c["type"] for c in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def _sqlite_ddl(url: str, table: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.scalar(sa.text(
                "SELECT sql FROM sqlite_master WHERE name = :table"), {"table": table}))
    finally:
        engine.dispose()


def set_slug(models: Path, declaration: str | None) -> None:
    text = models.read_text("utf-8")
    line = next(line for line in text.splitlines(keepends=True) if "slug" in line)
    models.write_text(text.replace(line, "" if declaration is None else
                                   f"    slug: Mapped[Optional[str]] = {declaration}\n"), "utf-8")


def test_first_run_creates_every_table_and_a_second_finds_nothing(models: Path,
                                                                   database_url: str) -> None:
    first = migrate(models, database_url, "--apply")
    assert first.exit_code == 0, first.output
    assert "create table users" in first.stdout and "applied" in first.stdout
    assert (models.parent / "migrations" / "env.py").is_file()
    engine = sa.create_engine(database_url)
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert {"users", "posts", "comments", "tags", "post_tags", "alembic_version"} <= tables
    if database_url.startswith("sqlite"):  # the Express server's tables come from here too
        assert "AUTOINCREMENT" in _sqlite_ddl(database_url, "users")
    second = migrate(models, database_url)
    assert second.exit_code == 0
    assert "the database matches the IR; no revision written" in second.stdout
    assert len(revisions(models)) == 1


def test_an_added_field_gives_a_revision_adding_exactly_that_column(models: Path,
                                                                     database_url: str) -> None:
    assert migrate(models, database_url, "--apply").exit_code == 0
    add_tag_slug(models)
    result = migrate(models, database_url, "--json", "-m", "tag slug")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["operations"] == ["add column tags.slug"]
    assert report["destructive"] == [] and report["applied"] == []
    written = Path(report["revision"])
    assert written.name.endswith("_tag_slug.py") and written in revisions(models)
    text = written.read_text("utf-8")
    upgrade = text.split("def upgrade", 1)[1].split("def downgrade", 1)[0]
    assert "add_column(" in upgrade and "sa.Column('slug', sa.String(length=40)" in upgrade
    assert "fastbackend_fastapi" not in text  # plain SQL types only
    assert "slug" not in columns(database_url, "tags")  # not applied without --apply
    applied = migrate(models, database_url, "--apply")
    assert applied.exit_code == 0 and "the database matches the IR" in applied.stdout
    assert "slug" in columns(database_url, "tags")


def test_sql_prints_the_upgrade_without_running_it(models: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sql.db'}"
    assert migrate(models, url, "--apply").exit_code == 0
    add_tag_slug(models)
    result = migrate(models, url, "--sql", "-q")
    assert result.exit_code == 0, result.output
    assert "ALTER TABLE tags ADD COLUMN slug VARCHAR(40);" in result.stdout
    assert "UPDATE alembic_version SET version_num=" in result.stdout
    assert "slug" not in columns(url, "tags")


def test_destructive_steps_are_listed_and_refused_unless_allowed(models: Path,
                                                                 database_url: str) -> None:
    add_tag_slug(models)
    assert migrate(models, database_url, "--apply").exit_code == 0
    set_slug(models, "mapped_column(String(20))")
    narrowed = migrate(models, database_url)
    assert narrowed.exit_code == 1
    assert "narrow column tags.slug from VARCHAR(40) to VARCHAR(20)" in narrowed.stderr
    assert "rerun with --allow-destructive" in narrowed.stderr
    assert len(revisions(models)) == 1
    set_slug(models, None)
    dropped = migrate(models, database_url, "--json")
    assert dropped.exit_code == 1
    assert json.loads(dropped.stdout)["destructive"] == [
        "drop column tags.slug (its values are lost)"]
    allowed = migrate(models, database_url, "--allow-destructive", "--apply")
    assert allowed.exit_code == 0, allowed.output
    upgrades = [p.read_text("utf-8").split("def downgrade", 1)[0] for p in revisions(models)]
    assert sum("drop_column(" in text and "'slug'" in text for text in upgrades) == 1
    assert "slug" not in columns(database_url, "tags")


def test_behind_migrations_sqlite_diffs_against_the_previous_revision(models: Path,
                                                                     tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    assert migrate(models, url).exit_code == 0  # a first revision, not applied
    add_tag_slug(models)
    second = migrate(models, url, "--json")
    assert second.exit_code == 0, second.output
    report = json.loads(second.stdout)
    assert report["operations"] == ["add column tags.slug"]  # not the tables again
    (first,) = [path for path in revisions(models) if path != Path(report["revision"])]
    first_id = first.name.split("_", 1)[0]
    assert f"down_revision = '{first_id}'" in Path(report["revision"]).read_text("utf-8")
    engine = sa.create_engine(url)
    # the database itself is untouched (Alembic may leave its empty version table)
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    caught_up = migrate(models, url, "--apply")
    assert caught_up.exit_code == 0, caught_up.output
    assert "the database matches the IR" in caught_up.stdout
    assert len(revisions(models)) == 2 and "slug" in columns(url, "tags")


@pytest.mark.postgres
def test_behind_migrations_postgres_asks_for_apply_first(models: Path, postgres_url: str) -> None:
    assert migrate(models, postgres_url).exit_code == 0
    add_tag_slug(models)
    behind = migrate(models, postgres_url)
    assert behind.exit_code == 1
    assert "the database is behind migrations/" in behind.stderr
    assert "fastbackend migrate --apply" in behind.stderr and "Traceback" not in behind.output
    caught_up = migrate(models, postgres_url, "--apply")
    assert caught_up.exit_code == 0 and "add column tags.slug" in caught_up.stdout


def test_an_unreachable_database_is_a_message_not_a_traceback(models: Path) -> None:
    result = migrate(models, "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot reach the database")
    assert "Traceback" not in result.output


def test_models_that_do_not_compile_exit_3(models: Path, tmp_path: Path) -> None:
    models.write_text("class Broken(:\n", "utf-8")
    result = migrate(models, f"sqlite:///{tmp_path / 'x.db'}")
    assert result.exit_code == 3
    assert "error FB101" in result.stderr
    assert not (models.parent / "migrations").exists()


def test_one_migrate_reads_the_ir_it_compiled_and_builds_its_tables_once(
        models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`migrate --apply` runs two Alembic commands (revision, upgrade), each through env.py:
    the IR it has just compiled is not decoded again, and its tables are built once (documenso:
    a third of a second per decode, as much per build)."""
    import fastbackend_ir.io
    from fastbackend_fastapi.database import migrations as runtime_migrations

    decoded: list[object] = []
    built: list[object] = []
    decode, build = fastbackend_ir.io.from_dict, runtime_migrations.build_catalog
    monkeypatch.setattr(fastbackend_ir.io, "from_dict",
                        lambda *args: decoded.append(args[0]) or decode(*args))
    monkeypatch.setattr(runtime_migrations, "build_catalog",
                        lambda ir: built.append(ir) or build(ir))
    result = migrate(models, f"sqlite:///{tmp_path / 'once.db'}", "--apply")
    assert result.exit_code == 0, result.output
    assert "create table users" in result.stdout and "applied" in result.stdout
    assert decoded == []
    assert len(built) == 1

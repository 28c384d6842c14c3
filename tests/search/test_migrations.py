"""`fastbackend migrate` creates the search indexes: a portable revision (each database's SQL),
nothing left to do afterwards (the FTS5 tables and the GIN index are not Alembic's to drop),
and search added to a table that already has rows finds them."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from fastbackend.cli.main import cli
from fastbackend_fastapi import create_app
from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.database.search_indexes import searched
from fastbackend_fastapi.tables import build_catalog
from fastbackend_ir import load
from tests.search.conftest import CONFIG, MODELS, TestClient, compile_project


def migrate(folder: Path, url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["migrate", str(folder), "--database-url", url, *args],
                              catch_exceptions=False)


def _project(folder: Path, config: str = CONFIG) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "models.py").write_text(MODELS, "utf-8")
    (folder / "fastbackend.yaml").write_text(config, "utf-8")
    return folder


def _index_present(url: str, ir_path: Path) -> bool:
    table, search = next(searched(build_catalog(load(ir_path)).metadata))
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            fulltext = dialects.of(connection.dialect).fulltext
            assert fulltext is not None
            return fulltext.present(connection, table, search)
    finally:
        engine.dispose()


def test_migrate_creates_the_index_once(search_url: str, tmp_path: Path) -> None:
    folder = _project(tmp_path / "project")
    first = migrate(folder, search_url, "--apply")
    assert first.exit_code == 0, first.output
    assert "create search index articles" in first.stdout
    assert _index_present(search_url, compile_project(tmp_path / "ir"))
    second = migrate(folder, search_url)
    assert second.exit_code == 0, second.output
    assert "the database matches the IR; no revision written" in second.stdout


@pytest.mark.postgres
def test_a_revision_written_on_sqlite_creates_the_index_on_postgresql(
        tmp_path: Path, postgres_url: str) -> None:
    folder = _project(tmp_path / "project")
    sqlite_url = f"sqlite+pysqlite:///{tmp_path / 'dev.db'}"
    assert migrate(folder, sqlite_url, "--apply").exit_code == 0
    applied = migrate(folder, postgres_url, "--apply")
    assert applied.exit_code == 0, applied.output
    assert _index_present(postgres_url, compile_project(tmp_path / "ir"))


@pytest.mark.mariadb
def test_a_revision_written_on_sqlite_creates_the_fulltext_index_on_mariadb(
        tmp_path: Path, mariadb_url: str) -> None:
    folder = _project(tmp_path / "project")
    sqlite_url = f"sqlite+pysqlite:///{tmp_path / 'dev.db'}"
    assert migrate(folder, sqlite_url, "--apply").exit_code == 0
    applied = migrate(folder, mariadb_url, "--apply")
    assert applied.exit_code == 0, applied.output
    assert _index_present(mariadb_url, compile_project(tmp_path / "ir"))
    again = migrate(folder, mariadb_url)  # the FULLTEXT index is not Alembic's to drop
    assert again.exit_code == 0, again.output
    assert "the database matches the IR; no revision written" in again.stdout


def test_search_added_later_finds_the_rows_already_there(search_url: str, tmp_path: Path) -> None:
    folder = _project(tmp_path / "project", config="models: {}\n")
    assert migrate(folder, search_url, "--apply").exit_code == 0
    plain = create_app(compile_project(tmp_path / "plain", "models: {}\n"),
                       database_url=search_url, custom_path=None, project_path=None)
    with TestClient(plain) as client:
        for title in ("kiwi jam", "lime pie"):
            assert client.post("/articles", json={"title": title, "category": "c"}
                               ).status_code == 201
    _project(folder, CONFIG)
    versions = folder / "migrations" / "versions"
    before = set(versions.glob("*.py"))
    added = migrate(folder, search_url, "--apply")
    assert added.exit_code == 0, added.output
    assert "create search index articles" in added.stdout
    (new,) = set(versions.glob("*.py")) - before
    revision = new.read_text("utf-8")
    assert "create_table" not in revision  # only the index
    app = create_app(compile_project(tmp_path / "ir"), database_url=search_url,
                     custom_path=None, project_path=None)
    with TestClient(app) as client:
        found = client.get("/articles", params={"search": "kiwi"}).json()["data"]
    assert [row["title"] for row in found] == ["kiwi jam"]

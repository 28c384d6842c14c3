"""SQL the database refuses for good is not "the database is unavailable" (issue 27, item 9).

A permanent error was a 503 database-unavailable with Retry-After: 1 and nothing logged (SQLite
raises them as OperationalError, which was taken for an outage). Only errors known to be
transient are 503s now; any other is logged with its statement and answered as a 500
database-error that says so. A schema whose SQL defaults the database cannot run refuses to
start with a message naming the columns; PostgreSQL's uuid functions are made by the
application instead, so a PostgreSQL schema still serves on SQLite (dev's default database).
"""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from fastbackend.pipeline import compile_path
from fastbackend_fastapi import create_app
from fastbackend_fastapi.database import UnsupportedSQL
from tests.adapters.fastapi.conftest import problem

SCHEMA = """datasource db {
  provider = "postgresql"
}

model Token {
  id    String @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid
  label String
  {extra}
}
"""


def _app(tmp_path: Path, database_url: str, extra: str = "") -> object:
    source = tmp_path / "project" / "schema.prisma"
    source.parent.mkdir(exist_ok=True)
    source.write_text(SCHEMA.replace("{extra}", extra), "utf-8")
    ir = compile_path(source)[1].ir
    return create_app(ir, database_url, custom_path=None, project_path=source.parent)


def test_postgres_uuid_defaults_are_made_by_the_application(tmp_path: Path,
                                                            database_url: str) -> None:
    with TestClient(_app(tmp_path, database_url)) as client:  # type: ignore[arg-type]
        created = client.post("/tokens", json={"label": "a"})
        assert created.status_code == 201, created.text
        assert uuid.UUID(created.json()["id"]).version == 4
        assert client.get(f"/tokens/{created.json()['id']}").json()["label"] == "a"


def test_a_sql_default_the_database_cannot_run_refuses_to_start(tmp_path: Path,
                                                               database_url: str) -> None:
    extra = 'code String @default(dbgenerated("no_such_function()"))'
    with pytest.raises(UnsupportedSQL, match="no_such_function") as refused:
        _app(tmp_path, database_url, extra)
    assert "DATABASE_URL" in str(refused.value)


def _failing_trigger(database_url: str) -> None:
    """Every insert into tokens calls a function the database does not have."""
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(sa.text(
                'CREATE TRIGGER broken BEFORE INSERT ON "Token" BEGIN SELECT no_such_fn(); END'))
        elif engine.dialect.name == "mysql":
            connection.execute(sa.text(
                "CREATE TRIGGER broken BEFORE INSERT ON Token "
                "FOR EACH ROW SET NEW.label = no_such_fn()"))
        else:
            connection.execute(sa.text(
                "CREATE FUNCTION broken() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM no_such_fn(); RETURN NEW; END $$"))
            connection.execute(sa.text(
                'CREATE TRIGGER broken BEFORE INSERT ON "Token" '
                "FOR EACH ROW EXECUTE FUNCTION broken()"))
    engine.dispose()


def test_a_permanent_sql_error_is_a_logged_500_not_a_503(
        tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    app = _app(tmp_path, database_url)
    _failing_trigger(database_url)
    with TestClient(app) as client, caplog.at_level(logging.ERROR):  # type: ignore[arg-type]
        response = client.post("/tokens", json={"label": "a"})
        assert response.status_code == 500, response.text
        assert "retry-after" not in response.headers
        details = problem(response)
        assert details["type"] == "https://fastbackend.dev/problems/database-error"
        assert "no_such_fn" not in str(details["detail"])  # the statement is logged, not sent
        assert client.get("/healthz").status_code == 200  # the database is there
    logged = [r for r in caplog.records if "refused a statement" in r.getMessage()]
    assert len(logged) == 1 and "no_such_fn" in logged[0].getMessage()
    assert re.search(r'INSERT INTO ["`]Token["`]', logged[0].getMessage())
    assert logged[0].exc_info is None


@pytest.mark.mariadb
def test_on_mariadb_a_postgres_uuid_default_is_its_own_uuid_for_rows_written_elsewhere(
        tmp_path: Path, mariadb_url: str) -> None:
    """MariaDB refuses `DEFAULT (gen_random_uuid())` (error 1901): the table gets `uuid()`,
    so a row written by another program without an id still gets one."""
    with TestClient(_app(tmp_path, mariadb_url)):  # type: ignore[arg-type]
        pass
    engine = sa.create_engine(mariadb_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO Token (label) VALUES ('elsewhere')"))
            made = connection.execute(sa.text("SELECT id FROM Token")).scalar_one()
    finally:
        engine.dispose()
    assert uuid.UUID(str(made))

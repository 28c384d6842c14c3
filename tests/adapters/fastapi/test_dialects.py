"""Which dialect the runtime picks, from a URL, an engine or an error (docs/dialects.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
import sqlalchemy as sa

from fastbackend_fastapi.database import dialects, resolve_execution
from fastbackend_fastapi.database.dialects.mysql import MariaDB, MySQL
from fastbackend_fastapi.database.dialects.postgresql import PostgreSQL
from fastbackend_fastapi.database.dialects.sqlite import SQLite
from fastbackend_fastapi.database.revisions import render_item
from fastbackend_fastapi.tables import ServerNow


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:///x.db", SQLite), ("sqlite+pysqlite:///:memory:", SQLite),
    ("postgres://u@h/db", PostgreSQL), ("postgresql://u@h/db", PostgreSQL),
    ("postgresql+psycopg://u@h/db", PostgreSQL),
    ("mysql://u@h/db", MySQL), ("mysql+pymysql://u@h/db", MySQL),
    ("mysql+mysqldb://u@h/db", MySQL), ("mariadb://u@h/db", MariaDB),
])
def test_the_url_picks_the_dialect(url: str, expected: type[dialects.Dialect]) -> None:
    assert type(dialects.for_url(url)) is expected


def test_a_database_without_a_module_gets_the_standard_sql_base() -> None:
    found = dialects.for_url("mssql+pymssql://u@h/db")
    assert type(found) is dialects.Dialect
    assert found.failure(Exception("anything")) is None


def test_pasted_postgres_urls_get_the_driver() -> None:
    assert dialects.normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert dialects.normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_pasted_mysql_urls_get_pymysql_and_a_chosen_driver_is_kept() -> None:
    assert dialects.normalise_url("mysql://u:p@h:3306/db") == "mysql+pymysql://u:p@h:3306/db"
    assert dialects.normalise_url("mariadb://u@h/db") == "mariadb+pymysql://u@h/db"
    assert dialects.normalise_url("mysql+mysqldb://u@h/db") == "mysql+mysqldb://u@h/db"


def test_an_error_is_read_by_the_dialect_of_the_driver_that_raised_it(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "x.db")
    with pytest.raises(sqlite3.Error) as raised:
        connection.execute("SELECT * FROM missing")
    connection.close()
    assert type(dialects.raised(raised.value)) is SQLite
    assert dialects.raised(raised.value).failure(raised.value) == "schema"
    assert type(dialects.raised(psycopg.errors.UniqueViolation())) is PostgreSQL
    assert type(dialects.raised(ValueError())) is dialects.Dialect


def test_auto_execution_is_the_dialects_and_an_explicit_mode_wins() -> None:
    assert resolve_execution("auto", "sqlite") == "inline"
    assert resolve_execution("auto", "postgresql") == "thread"
    assert resolve_execution("auto", "mysql") == "thread"
    assert resolve_execution("async", "sqlite") == "async"


@pytest.mark.parametrize("dialect", dialects.DIALECTS, ids=lambda d: d.name)
def test_a_revisions_now_is_the_server_default_of_the_database_it_runs_on(
        dialect: dialects.Dialect) -> None:
    """The revision file's text chooses `now` when it runs: evaluated here as Alembic would,
    with `op.get_context().dialect` the database's, it is what the runtime's tables create."""
    rendered = render_item("server_default", sa.DefaultClause(ServerNow()), SimpleNamespace())
    assert isinstance(rendered, str)
    op = SimpleNamespace(get_context=lambda: SimpleNamespace(dialect=dialect.sqlalchemy_dialect()))
    chosen = eval(rendered, {"sa": sa, "op": op})
    assert chosen.text == dialect.server_now
    created = str(ServerNow().compile(dialect=dialect.sqlalchemy_dialect()))
    assert created == dialect.server_now

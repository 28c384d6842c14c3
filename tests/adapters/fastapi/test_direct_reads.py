"""Reads run through the driver (database/direct.py): the values SQLAlchemy gives, the statement
compiled once per database, and SQLAlchemy's own path wherever skipping it would change what
someone sees (a listener on statements, a transaction, a statement whose SQL depends on its
values)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from fastbackend_fastapi import database
from fastbackend_fastapi.database import direct
from fastbackend_fastapi.database.dialects.sqlite import DEADLINE
from fastbackend_fastapi.runtime import Database, EntityRuntime
from fastbackend_fastapi.settings import Settings
from fastbackend_fastapi.tables import build_catalog
from tests.adapters.fastapi.conftest import BLOG, served, start_app
from tests.adapters.fastapi.test_relations import created
from tests.adapters.fastapi.test_types import FULL


def _runtime(client: TestClient, entity: str) -> tuple[EntityRuntime, Database]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime.entity(entity), runtime.database


def test_rows_through_the_driver_are_sqlalchemys(kitchen: TestClient) -> None:
    """Every scalar type (the kitchen's sample), read by id and listed: the driver's path gives
    the values SQLAlchemy's gives, and the same bytes (test_types checks them against the
    create's answer, which SQLAlchemy's path reads)."""
    sample = created(kitchen, "/samples", FULL)
    empty = created(kitchen, "/samples", {"label": "empty"})  # every nullable field null
    rt, db = _runtime(kitchen, "Sample")
    with db.read_engine.connect() as connection:
        assert direct.eligible(connection)
        for key in (rt.parse_key(str(sample["id"])), rt.parse_key(str(empty["id"]))):
            through_driver = rt.store.read(connection, key)
            assert type(through_driver) is tuple  # it did run through the driver
            assert through_driver == tuple(
                connection.execute(rt.store.select_one, rt.store.key_params(key)).one())
    assert kitchen.get(f"/samples/{sample['id']}").json() == sample
    listed = kitchen.get("/samples", params={"sort": "label"}).json()["data"]
    assert listed == [empty, sample]


@pytest.mark.postgres
def test_a_statement_is_compiled_for_each_database(tmp_path: Path, postgres_url: str) -> None:
    """One statement object read on SQLite and on PostgreSQL: each gets its own SQL (SQLite's
    `?` parameters would fail on psycopg, psycopg's `%(name)s` on SQLite)."""
    catalog = build_catalog(served(BLOG))
    users = catalog.entity_table("User").table
    statement = direct.DirectStatement(
        sa.select(users.c.email).where(users.c.id == sa.bindparam("key")))
    urls = [f"sqlite+pysqlite:///{tmp_path / 'a.db'}", postgres_url]
    engines = [database.create_engine(url, Settings()) for url in urls]
    try:
        for engine, email in zip(engines, ["lite@x.io", "pg@x.io"], strict=True):
            database.create_tables(engine, catalog.metadata)
            with engine.begin() as connection:
                connection.execute(sa.insert(users), {"email": email})
        for _ in range(2):
            for engine, email in zip(engines, ["lite@x.io", "pg@x.io"], strict=True):
                with database.reader(engine).connect() as connection:
                    assert statement.rows(connection, {"key": 1}) == [(email,)]
        assert len(statement._compiled) == 2  # once per database, not per read
    finally:
        for engine in engines:
            engine.dispose()


@pytest.mark.parametrize("on", ["engine", "class"])
def test_a_listener_on_statements_sees_every_read(blog: TestClient, on: str) -> None:
    """Another library's statement listener (OpenTelemetry's instrumentation, a user's) turns
    the driver's path off: it sees the read by id and the list as before, with SQLAlchemy's
    execution context (OpenTelemetry's reads it)."""
    user = created(blog, "/users", {"email": "seen@x.io"})
    _, db = _runtime(blog, "User")
    seen: list[str] = []

    def listener(connection: Any, cursor: Any, statement: str, parameters: Any,
                 context: Any, executemany: bool) -> None:
        assert context is not None
        seen.append(statement)

    assert blog.get(f"/users/{user['id']}").json() == user  # walks remembered: no listener
    assert blog.get("/users").json()["data"] == [user]
    target: Any = db.engine if on == "engine" else sa.engine.Engine  # every engine's
    sa.event.listen(target, "before_cursor_execute", listener)
    try:
        assert blog.get(f"/users/{user['id']}").json() == user
        assert blog.get("/users").json()["data"] == [user]
    finally:
        sa.event.remove(target, "before_cursor_execute", listener)
    assert len([sql for sql in seen if sql.lstrip().upper().startswith("SELECT")]) == 2


def test_reads_in_a_transaction_take_sqlalchemys_path(blog: TestClient) -> None:
    """A write's connection (and an atomic batch's, which reads on it) is not the read
    engine's: the read runs in its transaction, through SQLAlchemy."""
    user = created(blog, "/users", {"email": "tx@x.io"})
    rt, db = _runtime(blog, "User")
    with db.write_engine.begin() as connection:
        assert not direct.eligible(connection)
        row = rt.store.read(connection, [user["id"]])
        assert isinstance(row, sa.Row)
    assert row._mapping["email"] == "tx@x.io"


def test_a_statement_whose_sql_depends_on_its_values_is_not_compiled_ahead(
        blog: TestClient) -> None:
    """`id__in=` expands to one parameter per value: SQLAlchemy's path serves it."""
    ids = [created(blog, "/users", {"email": f"in{n}@x.io"})["id"] for n in range(3)]
    rt, db = _runtime(blog, "User")
    table = rt.store.table
    expanding = direct.DirectStatement(
        sa.select(table.c.id).where(table.c.id.in_(sa.bindparam("ids", expanding=True))))
    with db.read_engine.connect() as connection:
        rows = expanding.rows(connection, {"ids": ids[:2]})
        assert expanding._compiled[connection.dialect] is None
    assert sorted(row[0] for row in rows) == ids[:2]
    listed = blog.get("/users", params={"id__in": f"{ids[0]},{ids[2]}"}).json()["data"]
    assert [user["id"] for user in listed] == [ids[0], ids[2]]


def test_sqlite_statement_timeout_clock_starts_for_reads_through_the_driver(
        tmp_path: Path) -> None:
    """SQLite's statement timeout restarts its clock before every statement; a read through
    the driver restarts it too, or a read after an idle spell would be interrupted at once."""
    with TestClient(start_app(BLOG, f"sqlite+pysqlite:///{tmp_path / 'app.db'}",
                              custom_path=None)) as blog:
        _clock_restarts(blog)


def _clock_restarts(blog: TestClient) -> None:
    user = created(blog, "/users", {"email": "clock@x.io"})
    rt, db = _runtime(blog, "User")
    with db.read_engine.connect() as connection:
        deadline = connection.info[DEADLINE]
        deadline[0] = 0.0  # long past: the last statement began long ago
        assert rt.store.read(connection, [user["id"]]) is not None
        assert deadline[0] > time.monotonic()  # restarted by this read


@pytest.mark.postgres
def test_a_read_on_a_dead_connection_is_retried_on_a_fresh_one(postgres_url: str) -> None:
    """The database closed the pooled connection (a restart): the read through the driver
    fails as SQLAlchemy's would (a lost connection, the pool invalidated) and runs again."""
    with TestClient(start_app(BLOG, postgres_url, custom_path=None)) as blog:
        _read_after_the_backends_died(blog, postgres_url)


def _read_after_the_backends_died(blog: TestClient, postgres_url: str) -> None:
    user = created(blog, "/users", {"email": "dead@x.io"})
    rt, db = _runtime(blog, "User")
    terminate_backends(postgres_url)
    for _ in range(3):  # every pooled connection is dead; the first read replaces them all
        assert blog.get(f"/users/{user['id']}").json() == user
    row = asyncio.run(db.read(lambda c: rt.store.read(c, [user["id"]])))
    assert row is not None and type(row) is tuple


def terminate_backends(postgres_url: str) -> None:
    """Every other connection to the database closed by the server (as a restart does)."""
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    finally:
        admin.dispose()

"""Engines, the read and write engines, and creating the tables on first start.

Every choice that depends on the database is its Dialect's (dialects/), picked once from the
URL (create_engine) or from the engine (the rest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from fastbackend_fastapi.database import dialects, direct, search_indexes

if TYPE_CHECKING:  # importing SQLAlchemy's asyncio needs greenlet, an optional package
    from sqlalchemy.ext.asyncio import AsyncEngine

    from fastbackend_fastapi.settings import Settings


def create_engine(url: str, settings: Settings) -> Engine:
    return dialects.for_url(url).create_engine(url, settings)


def create_async_engine(url: str, settings: Settings) -> AsyncEngine:
    """An asyncio engine, for a database whose dialect has an asyncio driver (PostgreSQL)."""
    return dialects.for_url(url).create_async_engine(url, settings)


def async_reads(engine: Engine, url: str, settings: Settings) -> direct.AsyncReader | None:
    """Where thread mode's direct reads run on the event loop (Dialect.async_reads), if
    anywhere. The start-up probe of the direct path runs here too (direct.check)."""
    if direct.check() is not None:
        return None
    return dialects.of(engine.dialect).async_reads(engine, url, settings)


def with_schemas(engine: Engine, schemas: frozenset[str]) -> Engine:
    """The engine for tables in ``schemas``: as they are, or translated where the database
    has no schemas (SQLite keeps every table in its one file)."""
    return dialects.of(engine.dialect).with_schemas(engine, schemas)


def writer(engine: Engine) -> Engine:
    """The engine to use for transactions that write (BEGIN IMMEDIATE on SQLite)."""
    return dialects.of(engine.dialect).writer(engine)


def reader(engine: Engine) -> Engine:
    """The engine for reads: no transaction around them, so no BEGIN and ROLLBACK round trips.

    Each statement sees committed data; a list's page and count are two statements. Its
    connections run the prepared reads through the driver (database/direct.py).
    """
    return dialects.of(engine.dialect).reader(engine).execution_options(**{direct.DIRECT: True})


class UnsupportedSQL(Exception):
    """The schema holds SQL this database cannot run: the server refuses to start."""


def create_tables(engine: Engine, metadata: sa.MetaData,
                  skip: frozenset[str] = frozenset()) -> None:
    """Create what is absent; never alter what exists (migrations are `fastbackend migrate`).

    ``skip`` names tables that are not the runtime's to create (views the database defines).
    """
    tables = [table for table in metadata.sorted_tables if table.name not in skip]
    dialect = dialects.of(engine.dialect)
    with writer(engine).begin() as connection:
        dialect.before_create_tables(connection, sorted({t.schema for t in tables if t.schema}))
        try:
            metadata.create_all(connection, tables=tables, checkfirst=True)
            search_indexes.ensure(connection, dialect, metadata, tables)
        except sa.exc.ProgrammingError as error:  # a database that checks a default's SQL here
            reason = str(error.orig).strip().splitlines()[0]
            raise UnsupportedSQL(
                f"the tables could not be created on {engine.dialect.name}: {reason}. "
                + dialect.refused_tables_advice(reason)) from None


def check_server_defaults(engine: Engine, metadata: sa.MetaData,
                          skip: frozenset[str] = frozenset()) -> None:
    """Every server default written as SQL that the runtime relies on (no application default
    beside it) is evaluated once: SQLite accepts `DEFAULT (gen_random_uuid())` in a table and
    fails only at the first insert, so a PostgreSQL schema served on SQLite answered every
    create with an error. Refusing to start names the fields instead. EXPLAIN prepares the
    expression without running it (a nextval() default must not advance its sequence)."""
    failures = []
    for table in metadata.sorted_tables:
        for column in table.columns if table.name not in skip else ():
            expression = _sql_default(column)
            if expression is None:
                continue
            try:
                with engine.connect() as connection:
                    connection.execute(sa.text(f"EXPLAIN SELECT {expression}"))
            except sa.exc.DBAPIError as error:
                reason = str(error.orig).strip().splitlines()[0]
                failures.append(f"{table.name}.{column.name} DEFAULT {expression}: {reason}")
    if failures:
        raise UnsupportedSQL(
            f"the schema's SQL defaults do not run on {engine.dialect.name}: "
            + "; ".join(failures) + ". Serve it on the database it was written for "
            "(DATABASE_URL), or give these fields a default the application makes "
            "(a uuid(), cuid() or now() default, or a literal).")


def _sql_default(column: sa.Column[Any]) -> str | None:
    default = column.server_default
    if column.default is not None or not isinstance(default, sa.DefaultClause):
        return None
    argument = default.arg
    return argument.text if isinstance(argument, sa.TextClause) else None


def check_connection(connection: sa.Connection) -> None:
    """Raises when the database cannot answer a trivial query."""
    connection.execute(sa.text("SELECT 1")).scalar_one()

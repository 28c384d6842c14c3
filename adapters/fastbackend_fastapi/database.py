"""Engines, connection set-up per dialect, and creating the tables on first start."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from fastbackend_fastapi.settings import Settings

if TYPE_CHECKING:  # importing SQLAlchemy's asyncio needs greenlet, an optional package
    from sqlalchemy.ext.asyncio import AsyncEngine

# Any constant: several workers starting at once take turns creating the tables.
CREATE_LOCK_KEY = 0x46423034
BEGIN_OPTION = "fastbackend_begin"
NO_TRANSACTION = "none"
# SQLite calls the statement-timeout check every this many virtual machine instructions
# (a fraction of a millisecond of work each time).
SQLITE_PROGRESS_STEPS = 20_000
DEADLINE = "fastbackend_deadline"


def create_engine(url: str, settings: Settings) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, settings)
    # No pool_pre_ping (a round trip per checkout): a connection found dead invalidates the
    # whole pool, and runtime.Database retries the work once on a fresh connection.
    return sa.create_engine(url, pool_size=settings.pool_size, max_overflow=settings.max_overflow,
                            pool_timeout=settings.pool_timeout, pool_pre_ping=False,
                            connect_args=postgres_connect_args(url, settings))


def postgres_connect_args(url: str, settings: Settings) -> dict[str, Any]:
    """libpq's connect timeout, and the statement timeout and JIT as startup options (no round
    trip). ``options`` given in the URL are kept; ours are appended to them.
    """
    arguments: dict[str, Any] = {"connect_timeout": max(2, settings.connect_timeout)}
    ours = []
    if settings.statement_timeout_ms > 0:
        ours.append(f"-c statement_timeout={int(settings.statement_timeout_ms)}")
    if not settings.postgres_jit:
        ours.append("-c jit=off")
    if ours:
        given = sa.make_url(url).query.get("options", "")
        given = given if isinstance(given, str) else " ".join(given)
        arguments["options"] = " ".join([given, *ours]).strip()
    return arguments


def create_async_engine(url: str, settings: Settings) -> AsyncEngine:
    """An asyncio engine; PostgreSQL only (psycopg 3's async connections)."""
    if url.startswith("sqlite"):
        raise ValueError("async execution is for PostgreSQL; SQLite runs inline or in threads")
    if importlib.util.find_spec("greenlet") is None:
        # SQLAlchemy's asyncio bridge needs it; the default execution modes do not.
        raise ValueError("FASTBACKEND_EXECUTION=async needs the greenlet package "
                         "(pip install greenlet)")
    from sqlalchemy.ext import asyncio as sa_async
    return sa_async.create_async_engine(url, pool_size=settings.pool_size,
                                        max_overflow=settings.max_overflow,
                                        pool_timeout=settings.pool_timeout,
                                        connect_args=postgres_connect_args(url, settings))


def _sqlite_engine(url: str, settings: Settings) -> Engine:
    database = sa.make_url(url).database
    if not _in_memory(url):
        Path(str(database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, **_sqlite_pool(url, settings),
                              connect_args={"check_same_thread": False})
    busy_timeout = settings.sqlite_busy_timeout_ms
    statement_timeout = settings.statement_timeout_ms / 1000

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # The driver's own transaction handling is switched off so that BEGIN is ours (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode except on power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout)}")
        cursor.close()
        if statement_timeout > 0:
            _interrupt_after_deadline(dbapi_connection, record)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # Writers take the lock at BEGIN (IMMEDIATE), so a read-then-write transaction never
        # fails to upgrade its lock; readers use a plain deferred BEGIN.
        mode = connection.get_execution_options().get(BEGIN_OPTION, "")
        if mode != NO_TRANSACTION:
            connection.exec_driver_sql(f"BEGIN {mode}".strip())

    if statement_timeout > 0:
        @event.listens_for(engine, "before_cursor_execute")
        def _start_clock(connection: sa.Connection, *args: Any) -> None:
            deadline = connection.info.get(DEADLINE)
            if deadline is not None:
                deadline[0] = time.monotonic() + statement_timeout

    return engine


def _in_memory(url: str) -> bool:
    """`sqlite://`, `sqlite:///:memory:` or a `mode=memory` URI: a database in the process."""
    parsed = sa.make_url(url)
    return parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"


def _sqlite_pool(url: str, settings: Settings) -> dict[str, Any]:
    """Pool options for the pool class the URL gets. An in-memory database lives in its one
    connection, so every request shares it (StaticPool), and a pool size means nothing
    there (SQLAlchemy refused `sqlite://` with the file options)."""
    if _in_memory(url):
        return {"poolclass": sa.pool.StaticPool}
    return {"pool_size": settings.pool_size, "max_overflow": settings.max_overflow,
            "pool_timeout": settings.pool_timeout}


def _interrupt_after_deadline(dbapi_connection: Any, record: Any) -> None:
    """SQLite's statement timeout: a progress handler interrupts a statement past its deadline
    (sqlite3.OperationalError "interrupted"; the statement and its transaction roll back).

    The deadline is reset before every statement (above). Waiting for a lock is not covered:
    busy_timeout bounds that.
    """
    deadline = [float("inf")]
    record.info[DEADLINE] = deadline

    def past_deadline() -> int:
        return 1 if time.monotonic() > deadline[0] else 0

    dbapi_connection.set_progress_handler(past_deadline, SQLITE_PROGRESS_STEPS)


def with_schemas(engine: Engine, schemas: frozenset[str]) -> Engine:
    """SQLite has no schemas: there, schema-qualified tables live in the one database file."""
    if not schemas or engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(schema_translate_map=dict.fromkeys(schemas))


def writer(engine: Engine) -> Engine:
    """The engine to use for transactions that write (BEGIN IMMEDIATE on SQLite)."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def reader(engine: Engine) -> Engine:
    """The engine for reads: no transaction around them, so no BEGIN and ROLLBACK round trips.

    Each statement sees committed data; a list's page and count are two statements.
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{BEGIN_OPTION: NO_TRANSACTION})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


class UnsupportedSQL(Exception):
    """The schema holds SQL this database cannot run: the server refuses to start."""


def create_tables(engine: Engine, metadata: sa.MetaData,
                  skip: frozenset[str] = frozenset()) -> None:
    """Create what is absent; never alter what exists (migrations are `fastbackend migrate`).

    ``skip`` names tables that are not the runtime's to create (views the database defines).
    """
    tables = [table for table in metadata.sorted_tables if table.name not in skip]
    with writer(engine).begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": CREATE_LOCK_KEY})
            for schema in sorted({t.schema for t in tables if t.schema}):
                connection.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
        try:
            metadata.create_all(connection, tables=tables, checkfirst=True)
        except sa.exc.ProgrammingError as error:  # PostgreSQL checks a default's SQL here
            reason = str(error.orig).strip().splitlines()[0]
            raise UnsupportedSQL(
                f"the tables could not be created on {engine.dialect.name}: {reason}. "
                + _advice(reason)) from None


def _advice(reason: str) -> str:
    if "has no default operator class" in reason:
        # a key, a unique constraint or an index on a column PostgreSQL cannot compare
        return ("A key, unique field or index of that type cannot be made on PostgreSQL: key "
                "the model by another field, or store the value as jsonb (@db.JsonB, JSONB) "
                "if it is json.")
    return "Serve the schema on the database it was written for (DATABASE_URL)."


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

"""SQLite: the embedded default (a file under .fastbackend/).

What differs from the base: no timezone-aware timestamp, no exact decimal and no array (UTC
text, decimal text and JSON instead, sqltypes.py), a LIKE that ignores ASCII case (GLOB
instead), errors told by their message (no SQLSTATE), a writer that takes its lock at BEGIN,
no schemas, ALTER TABLE done by copying (Alembic's batch mode), and a statement timeout made of
a progress handler.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeEngine

from fastbackend_fastapi.database import direct, errors, sqltypes
from fastbackend_fastapi.database.dialects.base import Column, Dialect, Variant
from fastbackend_fastapi.database.dialects.fulltext import FTS5

if TYPE_CHECKING:
    from fastbackend_fastapi.database.errors import Context, Failure, Kind, Violation
    from fastbackend_fastapi.database.execution import ResolvedExecution
    from fastbackend_fastapi.settings import Settings
    from fastbackend_fastapi.tables import Catalog
    from fastbackend_ir import Field

BEGIN_OPTION = "fastbackend_begin"
NO_TRANSACTION = "none"
direct.neutral(BEGIN_OPTION)  # a read's is NO_TRANSACTION: the direct path begins none either
# SQLite calls the statement-timeout check every this many virtual machine instructions
# (a fraction of a millisecond of work each time).
PROGRESS_STEPS = 20_000
DEADLINE = "fastbackend_deadline"
# CURRENT_TIMESTAMP here is `2024-05-01 10:00:00` while SQLAlchemy writes `2024-05-01
# 10:00:00.123456`: rows from the two compared and sorted as text in different forms.
# strftime's %f gives seconds with milliseconds; three zeros make it SQLAlchemy's
# 26-character form (millisecond precision: SQLite's clock has no more).
NOW = "(strftime('%Y-%m-%d %H:%M:%f000', 'now'))"

COLUMNS = re.compile(r"constraint failed: (.+)$")
KINDS: tuple[tuple[str, Kind], ...] = (
    ("UNIQUE constraint failed", "unique"),
    ("FOREIGN KEY constraint failed", "foreign_key"),
    ("NOT NULL constraint failed", "not_null"),
    ("CHECK constraint failed", "check"),
    ("database is locked", "busy"),
    ("database table is locked", "busy"),
)
FAILURES: tuple[tuple[str, Failure], ...] = (
    ("interrupted", "timeout"),  # the statement-timeout progress handler (below)
    ("database is locked", "busy"),
    ("database table is locked", "busy"),
    ("no such column", "schema"),
    ("no such table", "schema"),
    # SQLite's fixed parser and expression limits: a request too intricate to run, not an outage
    ("parser stack overflow", "too_complex"),
    ("Expression tree is too large", "too_complex"),
    ("too many SQL variables", "too_complex"),
)
# The file cannot be opened or read: the database is unavailable, not the statement refused.
UNAVAILABLE = ("unable to open database file", "disk I/O error")


def _decimal(field: Field) -> TypeEngine[Any]:
    """Exact decimals as canonical text (SQLite's NUMERIC affinity rounds to a double)."""
    return sqltypes.DecimalText(field.db.scale if field.db else None)


def _padded_timestamp(column: Column) -> Column:
    """Timestamps are text, written by SQLAlchemy with microseconds but, in tables created
    before server defaults wrote that form (NOW above), by CURRENT_TIMESTAMP without: both
    are padded to the one 26-character form."""
    return sa.func.substr(sa.cast(column, sa.String()).concat(".000000"), 1, 26)


class SQLite(Dialect):
    name = "sqlite"
    driver_modules = ("sqlite3",)
    # SQLite answers in microseconds in-process, so a thread hop costs more than the query.
    execution: ClassVar[ResolvedExecution] = "inline"
    # SQLAlchemy's pysqlite connections run a SELECT outside any transaction (the driver's
    # isolation_level is None; SQLAlchemy begins its own): each read sees the latest commit.
    keeps_read_connection = True
    # A database in the process, for SQLAlchemy checks that need one (direct.check)
    memory_url: ClassVar[str] = "sqlite://"

    TYPE_VARIANTS: ClassVar[dict[str, Variant]] = {
        "decimal": _decimal,
        # SQLite autoincrements only a column declared exactly INTEGER PRIMARY KEY.
        "bigint": lambda field: sa.Integer(),
    }
    has_arrays = False
    keeps_time_zones = False
    has_schemas = False
    partial_indexes = True
    fulltext = FTS5()
    server_now = NOW
    row_locks = False  # one writer: one events worker, claiming without locks
    # Decimals are text (exact), so they are ordered as numbers.
    COMPARABLE: ClassVar[dict[str, Any]] = {
        "decimal": lambda column: sa.cast(column, sa.Float()),
        "datetime": _padded_timestamp,
    }
    alter_in_batches = True


    def insert_or_nothing(self, table: sa.Table, key: list[sa.Column[Any]]) -> sa.Insert:
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=key)
    def table_options(self, autoincrement_key: bool) -> dict[str, Any]:
        """AUTOINCREMENT for a generated integer key: without it SQLite hands the highest id
        out again once its row is deleted, where PostgreSQL's sequences (and Prisma's SQLite
        tables) never reuse one - a client holding the old id would find a new row."""
        return {"sqlite_autoincrement": True} if autoincrement_key else {}

    # --- comparisons: SQLite's LIKE ignores ASCII case; GLOB does not ------------------
    def match(self, column: Column, pattern: Column) -> sa.ColumnElement[bool]:
        return column.op("GLOB")(pattern)

    def match_pattern(self, text: str, before: bool, after: bool) -> str:
        escaped = "".join(f"[{c}]" if c in "*?[" else c for c in text)
        return ("*" if before else "") + escaped + ("*" if after else "")

    # --- errors: told by their message --------------------------------------------------
    def violation(self, original: Any, catalog: Catalog, context: Context) -> Violation:
        message = str(original)
        kind: Kind = next((k for prefix, k in KINDS if message.startswith(prefix)), "other")
        fields: tuple[str, ...] = ()
        match = COLUMNS.search(message)
        if match and kind in ("unique", "not_null"):  # "...: users.email, users.name"
            columns = [part.strip().rsplit(".", 1)[-1] for part in match.group(1).split(",")]
            fields = errors.fields_of_columns(catalog, context.entity, columns)
        if kind == "foreign_key" and context.operation != "delete":
            # SQLite does not say which foreign key failed: name those this statement set.
            fields = errors.foreign_key_fields_written(catalog, context)
        return errors.Violation(kind, fields, message)

    def failure(self, original: Any) -> Failure | None:
        message = str(original)
        return next((kind for prefix, kind in FAILURES if message.startswith(prefix)), None)

    def unreachable(self, original: Any) -> bool:
        return str(original).startswith(UNAVAILABLE)

    # --- engines ---------------------------------------------------------------------
    @contextmanager
    def statement_deadline(self, connection: sa.Connection, seconds: float) -> Iterator[None]:
        # the block's own progress handler; afterwards the connection's statement timeout again
        raw: Any = connection.connection.driver_connection
        raw.set_progress_handler(_past([time.monotonic() + seconds]), PROGRESS_STEPS)
        try:
            yield
        finally:
            deadline = connection.connection.info.get(DEADLINE)
            raw.set_progress_handler(None if deadline is None else _past(deadline), PROGRESS_STEPS)

    def create_engine(self, url: str, settings: Settings) -> Engine:
        if not in_memory(url):
            Path(str(sa.make_url(url).database)).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, **_pool(url, settings),
                                  connect_args={"check_same_thread": False})
        _set_up_connections(engine, settings)
        return engine

    def with_schemas(self, engine: Engine, schemas: frozenset[str]) -> Engine:
        """No schemas: schema-qualified tables live in the one database file."""
        if not schemas:
            return engine
        return engine.execution_options(schema_translate_map=dict.fromkeys(schemas))

    def writer(self, engine: Engine) -> Engine:
        """Writers take the lock at BEGIN (IMMEDIATE), so a read-then-write transaction
        never fails to upgrade its lock."""
        return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})

    def reader(self, engine: Engine) -> Engine:
        return engine.execution_options(**{BEGIN_OPTION: NO_TRANSACTION})

    # --- migrations ------------------------------------------------------------------
    def scratch_url(self, folder: str) -> str | None:
        return f"sqlite:///{Path(folder) / 'previous.db'}"

    def migration_engine(self, url: str) -> Engine:
        """SQLite's DDL is transactional, but its Python driver starts a transaction only
        before a data change: a batch step that failed half-way (a UNIQUE constraint that the
        rows break) left its `_alembic_tmp_` table behind. BEGIN is emitted here instead, so a
        revision applies entirely or not at all (SQLAlchemy's documented recipe for pysqlite)."""
        engine = sa.create_engine(url, poolclass=NullPool)

        @event.listens_for(engine, "connect")
        def _driver_leaves_transactions_alone(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection: sa.Connection) -> None:
            connection.exec_driver_sql("BEGIN")

        return engine

    def file_url(self, path: Path) -> str:
        """The URL of a database file (the default database, a test's database)."""
        return f"sqlite+pysqlite:///{path}"


def in_memory(url: str) -> bool:
    """`sqlite://`, `sqlite:///:memory:` or a `mode=memory` URI: a database in the process."""
    parsed = sa.make_url(url)
    return parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"


def _pool(url: str, settings: Settings) -> dict[str, Any]:
    """Pool options for the pool class the URL gets. An in-memory database lives in its one
    connection, so every request shares it (StaticPool), and a pool size means nothing
    there (SQLAlchemy refused `sqlite://` with the file options)."""
    if in_memory(url):
        return {"poolclass": sa.pool.StaticPool}
    return {"pool_size": settings.pool_size, "max_overflow": settings.max_overflow,
            "pool_timeout": settings.pool_timeout}


def _set_up_connections(engine: Engine, settings: Settings) -> None:
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
        # Readers use a plain deferred BEGIN, writers BEGIN IMMEDIATE (SQLite.writer), reads
        # without a transaction none at all (SQLite.reader).
        mode = connection.get_execution_options().get(BEGIN_OPTION, "")
        if mode != NO_TRANSACTION:
            connection.exec_driver_sql(f"BEGIN {mode}".strip())

    if statement_timeout > 0:
        @event.listens_for(engine, "before_cursor_execute", retval=True)
        @direct.safe  # it reads only the connection: reads run through the driver call it too
        def _start_clock(connection: sa.Connection, cursor: Any, statement: str,
                         parameters: Any, *args: Any) -> tuple[str, Any]:
            deadline = connection.info.get(DEADLINE)
            if deadline is not None:
                deadline[0] = time.monotonic() + statement_timeout
            return statement, parameters


def _interrupt_after_deadline(dbapi_connection: Any, record: Any) -> None:
    """The statement timeout: a progress handler interrupts a statement past its deadline
    (sqlite3.OperationalError "interrupted"; the statement and its transaction roll back).

    The deadline is reset before every statement (above). Waiting for a lock is not covered:
    busy_timeout bounds that.
    """
    deadline = [float("inf")]
    record.info[DEADLINE] = deadline
    dbapi_connection.set_progress_handler(_past(deadline), PROGRESS_STEPS)


def _past(deadline: list[float]) -> Callable[[], int]:
    """A progress handler: non-zero (interrupt) once the clock is past ``deadline[0]``."""
    return lambda: 1 if time.monotonic() > deadline[0] else 0

"""The Dialect base: every decision that depends on the database, as tables and small methods.

In the style of sqlglot's dialects: the base holds the standard SQL behaviour (and, where the
standard says nothing, PostgreSQL's, the database the contract was first written against); a
database overrides only what differs, in its own module beside this one. Nothing outside
database/dialects/ names a database (tests/adapters/fastapi/test_dialect_boundary.py).

The tables (TYPE_VARIANTS, COMPARABLE, ...) are class attributes read by the runtime; the
methods take what they decide on and return SQLAlchemy objects or plain values. One instance of
each dialect exists (dialects.DIALECTS); the runtime picks it from the URL or the engine.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

if TYPE_CHECKING:  # the dialects are imported by the modules below, never the other way
    from sqlalchemy.ext.asyncio import AsyncEngine

    from fastbackend_fastapi.database.dialects.fulltext import FullText
    from fastbackend_fastapi.database.direct import AsyncReader
    from fastbackend_fastapi.database.errors import Context, Failure, Violation
    from fastbackend_fastapi.database.execution import ResolvedExecution
    from fastbackend_fastapi.settings import Settings
    from fastbackend_fastapi.tables import Catalog
    from fastbackend_ir import Field

Column = sa.ColumnElement[Any]
# The column type of one logical type on this database, made from the field (its db details);
# None: the portable type serves as it is.
Variant = Callable[["Field"], TypeEngine[Any] | None]
# The realtime feed's gate (docs/events.md "Ids follow commits"): a one-row table created with
# the outbox when the IR has a realtime feed (events/outbox.py), whose row writers lock shared
# and streams exclusively on databases without transaction-scoped advisory locks (MySQL).
FEED_GATE = "fastbackend_feed_gate"
LIKE_ESCAPE = "/"  # not a backslash: every database reads '/' the same way in a literal


class Dialect:
    """Standard SQL; the database-specific modules override what differs."""

    # SQLAlchemy's backend name (its `dialect.name`, the URL scheme before any `+driver`).
    name: ClassVar[str] = "default"
    # Schemes people paste (`postgres://`) and the driver URL the runtime uses for them.
    url_aliases: ClassVar[tuple[str, ...]] = ()
    driver_scheme: ClassVar[str] = ""
    # The top-level modules of the DBAPI drivers whose errors this dialect reads.
    driver_modules: ClassVar[tuple[str, ...]] = ()
    # Where database calls run when FASTBACKEND_EXECUTION is auto (docs/runtime.md).
    execution: ClassVar[ResolvedExecution] = "thread"
    # An asyncio driver the runtime can use (FASTBACKEND_EXECUTION=async).
    async_driver: ClassVar[bool] = False
    # Inline reads by id may keep one connection out of the pool (direct.KeptConnection): only
    # where a SELECT opens no transaction, else the kept connection would read one snapshot
    # for ever (MySQL's REPEATABLE READ); the pool's reset on checkin is what ends it there.
    keeps_read_connection: ClassVar[bool] = False

    # --- column types ----------------------------------------------------------------
    # Logical type -> this database's column type, where the portable one does not serve.
    TYPE_VARIANTS: ClassVar[Mapping[str, Variant]] = {}
    # A list field is an ARRAY of its type; without arrays, JSON text.
    has_arrays: ClassVar[bool] = False
    # A timezone-aware timestamp keeps its offset; without, it is stored as naive UTC.
    keeps_time_zones: ClassVar[bool] = True
    # Named schemas (namespaces) for tables; without, every table lives in the one database.
    has_schemas: ClassVar[bool] = True
    # `CREATE INDEX ... WHERE` (a partial index), as `<name>_where=` to SQLAlchemy.
    partial_indexes: ClassVar[bool] = False
    # `now` as a column's server default.
    server_now: ClassVar[str] = "CURRENT_TIMESTAMP"

    # --- comparisons -----------------------------------------------------------------
    # Logical type -> how a value of it must be wrapped to compare and sort as its type does.
    COMPARABLE: ClassVar[Mapping[str, Callable[[Column], Column]]] = {}

    # SELECT ... FOR UPDATE SKIP LOCKED: several event workers share one outbox (events/).
    row_locks: ClassVar[bool] = True
    # LISTEN/NOTIFY: a write NOTIFYs on commit and the event workers and realtime feeds of every
    # server LISTEN (events/realtime.py); without it, each server wakes only on its own commits.
    notifies: ClassVar[bool] = False

    def listen_url(self, engine: Engine) -> str:
        """The URL a LISTEN connection of its own (outside the pool) connects to."""
        raise NotImplementedError(f"{self.name} has no LISTEN/NOTIFY")

    def lock_feed(self, connection: Connection) -> None:
        """Takes the lock a write holds from just before it inserts its realtime feed rows to
        its end (events/outbox.py), so that ``settled_feed_id`` can wait for it; none where
        one writer commits at a time (docs/events.md "Ids follow commits")."""

    def settled_feed_id(self, connection: Connection, latest: sa.Select[Any]) -> int:
        """The highest outbox id below which no feed row can commit any more: a stream sends
        the rows up to it, in id order, and resumes from the last one (events/realtime.py).
        Here the latest id (``latest`` selects it): one writer commits at a time."""
        return int(connection.execute(latest).scalar_one())

    # --- migrations ------------------------------------------------------------------
    # ALTER TABLE is too weak: Alembic copies the table instead (its batch mode).
    alter_in_batches: ClassVar[bool] = False
    # Full-text search (IR 1.4, dialects/fulltext.py): None refuses `search=` with a 400.
    fulltext: ClassVar[FullText | None] = None

    def column_variant(self, field: Field) -> TypeEngine[Any] | None:
        variant = self.TYPE_VARIANTS.get(field.type)
        return None if variant is None else variant(field)

    def list_variant(self) -> TypeEngine[Any] | None:
        """The column type of a list field here, when it is not the portable ARRAY."""
        return None if self.has_arrays else sa.JSON()

    def insert_or_nothing(self, table: sa.Table,
                          key: list[sa.Column[Any]]) -> sa.Insert | None:
        """INSERT ... ON CONFLICT (key) DO NOTHING: a PUT that creates a row another request
        created at the same instant inserts nothing, and updates it instead (routes/item.py).
        None where the database has no such statement: the store then inserts in a savepoint
        and reads the key's row when the insert is refused (MySQL's INSERT IGNORE and ON
        DUPLICATE KEY would also swallow other errors or other unique keys)."""
        return None

    def table_options(self, autoincrement_key: bool) -> dict[str, Any]:
        """Keywords for sa.Table; ``autoincrement_key``: one generated integer key."""
        return {}

    def partial_index_options(self, where: str) -> dict[str, Any]:
        return {f"{self.name}_where": sa.text(where)} if self.partial_indexes else {}

    def list_default(self, values: list[Any], json_values: list[Any],
                     element_type: TypeEngine[Any], compiler: SQLCompiler) -> str:
        """A list field's literal server default: an array literal (Prisma's own migrations
        write `ARRAY[...]::TYPE[]`), or JSON text of the API's values without arrays."""
        if not self.has_arrays:
            return compiler.render_literal_value(json.dumps(json_values), sa.String())
        items = ", ".join(_sql_literal(compiler, value) for value in values)
        array_type = compiler.dialect.type_compiler_instance.process(element_type)
        return f"ARRAY[{items}]::{array_type}[]"

    # --- comparisons -----------------------------------------------------------------
    def comparable(self, column: Column, logical_type: str) -> Column:
        wrap = self.COMPARABLE.get(logical_type)
        return column if wrap is None else wrap(column)

    def ordered(self, value: Column, logical_type: str) -> Column:
        """A sort key's value as ORDER BY and keyset cursors compare it (`comparable`, unless
        the database orders a type otherwise than it compares it with a bound value)."""
        return self.comparable(value, logical_type)

    def match(self, column: Column, pattern: Column) -> sa.ColumnElement[bool]:
        """Case-sensitive pattern matching (contains, startswith, endswith)."""
        return column.like(pattern, escape=LIKE_ESCAPE)

    def match_pattern(self, text: str, before: bool, after: bool) -> str:
        """The bound pattern of ``match``: ``text`` literally, any text before and/or after."""
        return like_pattern(text, before, after)

    def imatch(self, column: Column, pattern: Column) -> sa.ColumnElement[bool]:
        """Case-insensitive matching (SQLAlchemy writes ILIKE or lower() LIKE lower())."""
        return column.ilike(pattern, escape=LIKE_ESCAPE)

    def imatch_pattern(self, text: str, before: bool, after: bool) -> str:
        return like_pattern(text, before, after)

    def order(self, value: Column, descending: bool, nullable: bool) -> Any:
        """NULLs after every value ascending, before every value descending (the contract's
        order, PostgreSQL's default)."""
        if not nullable:
            return value.desc() if descending else value.asc()
        return value.desc().nulls_first() if descending else value.asc().nulls_last()

    # --- errors ----------------------------------------------------------------------
    def violation(self, original: Any, catalog: Catalog, context: Context) -> Violation:
        """What a refused write violated (docs/rest-api.md's problems): by the driver's
        error code or message. The base knows no codes: every refusal is a conflict."""
        from fastbackend_fastapi.database.errors import Violation
        return Violation("other", (), str(original))

    def failure(self, original: Any) -> Failure | None:
        """A failure of the database rather than of the request (timeout, busy, ...)."""
        return None

    def unreachable(self, original: Any) -> bool:
        """An OperationalError that says the database cannot be reached now (503
        database-unavailable), rather than that it refused this statement."""
        return True

    # --- engines ---------------------------------------------------------------------
    @contextmanager
    def statement_deadline(self, connection: sa.Connection, seconds: float) -> Iterator[None]:
        """The block's statements stop after ``seconds`` instead of the server-wide statement
        timeout (an aggregate's own bound); past it the database's timeout error is raised, which
        the error mapping answers as 503 `database-timeout`. The base has no per-statement
        bound: the server-wide one applies (MySQL/MariaDB)."""
        yield

    def planned_rows(self, connection: sa.Connection, statement: sa.Select[Any],
                     parameters: Mapping[str, Any]) -> int | None:
        """The planner's estimate of the rows ``statement`` returns, for `Prefer:
        count=planned` (fastbackend_contract.tables); None where the database gives none: the
        exact count serves instead."""
        return None

    def normalise_url(self, url: str) -> str:
        for alias in self.url_aliases:
            if url.startswith(alias):
                return self.driver_scheme + url[len(alias):]
        return url

    def create_engine(self, url: str, settings: Settings) -> Engine:
        # No pool_pre_ping (a round trip per checkout): a connection found dead invalidates
        # the whole pool, and runtime.Database retries the work once on a fresh connection.
        return sa.create_engine(url, pool_size=settings.pool_size,
                                max_overflow=settings.max_overflow,
                                pool_timeout=settings.pool_timeout, pool_pre_ping=False,
                                connect_args=self.connect_args(url, settings))

    def connect_args(self, url: str, settings: Settings) -> dict[str, Any]:
        """The driver's connect() keywords: timeouts and session options."""
        return {}

    def create_async_engine(self, url: str, settings: Settings) -> AsyncEngine:
        if not self.async_driver:
            raise ValueError(f"async execution needs an asyncio driver, which the runtime "
                             f"has not for {self.name}: it runs inline or in threads")
        if importlib.util.find_spec("greenlet") is None:
            # SQLAlchemy's asyncio bridge needs it; the default execution modes do not.
            raise ValueError("FASTBACKEND_EXECUTION=async needs the greenlet package "
                             "(pip install greenlet)")
        from sqlalchemy.ext import asyncio as sa_async
        return sa_async.create_async_engine(url, pool_size=settings.pool_size,
                                            max_overflow=settings.max_overflow,
                                            pool_timeout=settings.pool_timeout,
                                            connect_args=self.connect_args(url, settings))

    def async_reads(self, engine: Engine, url: str, settings: Settings) -> AsyncReader | None:
        """Where the direct reads of thread mode run on the event loop instead of a thread
        (database/direct.py, AsyncReader): an asyncio connection of the driver itself. None:
        they take the thread like every other call."""
        return None

    def with_schemas(self, engine: Engine, schemas: frozenset[str]) -> Engine:
        """The engine for tables in ``schemas`` (namespaces besides the default one)."""
        return engine

    def writer(self, engine: Engine) -> Engine:
        """The engine for transactions that write."""
        return engine

    def reader(self, engine: Engine) -> Engine:
        """The engine for reads: no transaction around them, so no BEGIN and ROLLBACK round
        trips. Each statement sees committed data; a list's page and count are two."""
        return engine.execution_options(isolation_level="AUTOCOMMIT")

    # --- read replicas (database/replicas.py) -------------------------------------------
    # Reports how far its write-ahead log has gone on a primary and been replayed on a
    # replica: without, the runtime refuses replica URLs (it could not bound their lag).
    replication_positions: ClassVar[bool] = False

    def write_position(self, connection: sa.Connection) -> int:
        """On the primary: a position that every transaction committed so far is at or
        before (a byte offset in its log)."""
        raise NotImplementedError(f"{self.name} reports no replication position")

    def replayed_position(self, connection: sa.Connection) -> int | None:
        """On a replica: the position it has applied up to; None when the server is not a
        replica (it has everything it has)."""
        raise NotImplementedError(f"{self.name} reports no replication position")

    def before_create_tables(self, connection: sa.Connection, schemas: list[str]) -> None:
        """Inside the transaction that creates the tables, before it does."""
        if self.has_schemas:
            for schema in schemas:
                connection.execute(sa.schema.CreateSchema(schema, if_not_exists=True))

    def refused_tables_advice(self, reason: str) -> str:
        """What to do when the database refused to create the tables for ``reason``."""
        return "Serve the schema on the database it was written for (DATABASE_URL)."

    # --- migrations ------------------------------------------------------------------
    def scratch_url(self, folder: str) -> str | None:
        """A throw-away database of this kind in ``folder``, to autogenerate a revision
        against migrations/' newest schema when the real one is behind; None: none."""
        return None

    def migration_engine(self, url: str) -> Engine:
        """The engine `fastbackend migrate` applies revisions with (one connection)."""
        return sa.create_engine(url, poolclass=NullPool)

    def render_type(self, type_: TypeEngine[Any], imports: set[str]) -> str | None:
        """A type of this database in a revision file (portable Python), or None."""
        return None

    def sqlalchemy_dialect(self) -> sa.Dialect:
        """SQLAlchemy's dialect, to compile SQL for this database without an engine."""
        if self.name == DefaultDialect.name:
            return DefaultDialect()
        dialect: sa.Dialect = sa.make_url(f"{self.name}://").get_dialect()()
        return dialect

    def __repr__(self) -> str:
        return f"<{type(self).__name__} dialect>"


def like_pattern(text: str, before: bool, after: bool) -> str:
    return ("%" if before else "") + like_escaped(text) + ("%" if after else "")


def like_escaped(text: str) -> str:
    return "".join(LIKE_ESCAPE + c if c in "%_" + LIKE_ESCAPE else c for c in text)


def _sql_literal(compiler: SQLCompiler, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    # Text, cast by the array's type (numbers given as text, dates, uuids, enum values).
    return compiler.render_literal_value(str(value), sa.String())

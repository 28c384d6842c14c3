"""PostgreSQL (`DATABASE_URL=postgresql://...`, through psycopg 3).

What differs from the base: arrays, JSONB, errors told by SQLSTATE and the violated
constraint's name (tables.py names every constraint), connection options (timeouts, JIT) sent
at startup, an asyncio driver, and an advisory lock so that workers starting at once take turns
creating the tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeEngine

from fastbackend_fastapi.database import errors
from fastbackend_fastapi.database.dialects.base import Dialect, Variant
from fastbackend_fastapi.database.dialects.fulltext import TsVector

if TYPE_CHECKING:
    from fastbackend_fastapi.database.direct import AsyncReader
    from fastbackend_fastapi.database.errors import Context, Failure, Kind, Violation
    from fastbackend_fastapi.settings import Settings
    from fastbackend_fastapi.tables import Catalog
    from fastbackend_ir import Field

# Any constant: several workers starting at once take turns creating the tables.
CREATE_LOCK_KEY = 0x46423034
KEY_COLUMNS = re.compile(r"Key \(([^)]*)\)")
KINDS: dict[str, Kind] = {
    "23505": "unique", "23503": "foreign_key", "23502": "not_null", "23514": "check",
    "40001": "busy", "40P01": "busy", "55P03": "busy",
}
FAILURES: dict[str, Failure] = {
    "57014": "timeout",  # query_canceled: statement_timeout (or a cancel request)
    "40001": "busy", "40P01": "busy", "55P03": "busy",  # serialization, deadlock, lock_not_available
    "53300": "busy",  # too_many_connections
    "42703": "schema", "42P01": "schema",  # undefined_column, undefined_table
    "54001": "too_complex",  # statement_too_complex (also "stack depth limit exceeded")
}
# Connection exceptions (class 08), shutting down or starting up (57P01-57P03), out of
# resources (53), its own I/O failing (58): the database cannot be reached now. An error
# without a SQLSTATE never reached a server (refused, reset, closed).
UNAVAILABLE = ("08", "53", "58", "57P01", "57P02", "57P03")


def _json(field: Field) -> TypeEngine[Any] | None:
    if field.db is not None and field.db.type == "JSONB":
        return postgresql.JSONB(none_as_null=True)
    return None


class Explain(sa.sql.expression.Executable, sa.sql.expression.ClauseElement):
    """`EXPLAIN (FORMAT JSON) <statement>`, compiled once per statement (SQLAlchemy's cache
    key is the statement's), its values bound as the statement's are."""

    inherit_cache = True
    _traverse_internals = [("statement", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, statement: sa.Select[Any]) -> None:
        self.statement = statement

    @property
    def _all_selected_columns(self) -> Any:
        """The explained statement's: a cached compilation matches its result columns."""
        return self.statement._all_selected_columns


@compiles(Explain)
def _explain(element: Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


# The realtime feed's advisory lock ("fbfeed" in ASCII): writers take it shared before their
# feed rows, streams exclusively to know which ids are settled; the Express server takes the
# same key (docs/events.md "Ids follow commits").
FEED_LOCK_KEY = 0x666266656564


class PostgreSQL(Dialect):
    name = "postgresql"
    driver_modules = ("psycopg", "psycopg2")
    url_aliases = ("postgres://", "postgresql://")  # the URLs people paste
    driver_scheme = "postgresql+psycopg://"
    async_driver = True
    TYPE_VARIANTS: ClassVar[dict[str, Variant]] = {"json": _json}
    has_arrays = True
    partial_indexes = True
    fulltext = TsVector()
    notifies = True

    def listen_url(self, engine: Engine) -> str:
        """psycopg's own URL of the engine's database (LISTEN holds a connection for itself)."""
        return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def lock_feed(self, connection: Connection) -> None:
        """Shared: writers do not wait for each other (the Express server takes the same)."""
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(FEED_LOCK_KEY)))

    def settled_feed_id(self, connection: Connection, latest: sa.Select[Any]) -> int:
        """The latest id once every write that holds the feed lock has ended: taking it
        exclusively waits for them (they are committing), and a write that takes it later
        allocates higher ids. Read in that transaction (READ COMMITTED: the statement after
        the wait sees their commits); readers are autocommit, so it is made here."""
        connection.execution_options(isolation_level="READ COMMITTED")
        with connection.begin():
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(FEED_LOCK_KEY)))
            return int(connection.execute(latest).scalar_one())

    # --- errors: SQLSTATE and the constraint's name -------------------------------------

    def insert_or_nothing(self, table: sa.Table, key: list[sa.Column[Any]]) -> sa.Insert:
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=key)
    def violation(self, original: Any, catalog: Catalog, context: Context) -> Violation:
        state: str | None = getattr(original, "sqlstate", None)
        if state is None:  # the driver's own error, no server answer
            return errors.Violation("other", (), str(original))
        kind: Kind = KINDS.get(state, "data" if state.startswith("22") else "other")
        diag = original.diag
        fields: tuple[str, ...] = ()
        owner = catalog.constraint_fields.get(diag.constraint_name or "")
        if owner is not None and owner[0] == context.entity:
            fields = owner[1]
        elif owner is None and diag.message_detail:
            fields = errors.fields_of_columns(catalog, context.entity,
                                              _key_columns(diag.message_detail))
        if kind == "not_null" and diag.column_name:
            fields = errors.fields_of_columns(catalog, context.entity, [diag.column_name])
        return errors.Violation(kind, fields, diag.message_primary or state)

    def failure(self, original: Any) -> Failure | None:
        state = getattr(original, "sqlstate", None)
        return None if state is None else FAILURES.get(state)

    def unreachable(self, original: Any) -> bool:
        state = getattr(original, "sqlstate", None)
        return state is None or str(state).startswith(UNAVAILABLE)

    # --- engines ---------------------------------------------------------------------
    def connect_args(self, url: str, settings: Settings) -> dict[str, Any]:
        """libpq's connect timeout, and the statement timeout and JIT as startup options (no
        round trip). ``options`` given in the URL are kept; ours are appended to them.
        """
        arguments: dict[str, Any] = {"connect_timeout": max(2, settings.connect_timeout)}
        if settings.pooler == "transaction":
            # psycopg prepares a statement on the server after its 5th run on a connection;
            # behind a transaction pooler the next run may reach a session without it. And
            # PgBouncer refuses (or ignores) startup options: the role's settings apply.
            arguments["prepare_threshold"] = None
            return arguments
        ours = []
        if settings.statement_timeout_ms > 0:
            ours.append(f"-c statement_timeout={int(settings.statement_timeout_ms)}")
        if not settings.postgres_jit:
            # JIT compiles "expensive-looking" plans: for the runtime's short statements it
            # only adds latency (Settings.postgres_jit).
            ours.append("-c jit=off")
        if ours:
            given = sa.make_url(url).query.get("options", "")
            given = given if isinstance(given, str) else " ".join(given)
            arguments["options"] = " ".join([given, *ours]).strip()
        return arguments

    def async_reads(self, engine: Engine, url: str, settings: Settings) -> AsyncReader | None:
        """psycopg's AsyncConnection, with the sync engine's connect arguments (dialects/
        psycopg_reads.py); none for psycopg2 or with FASTBACKEND_ASYNC_READ_POOL_SIZE=0."""
        if engine.dialect.driver != "psycopg" or settings.async_read_pool_size <= 0:
            return None
        from fastbackend_fastapi.database.dialects.psycopg_reads import AsyncReads

        return AsyncReads(engine, self.connect_args(url, settings),
                          settings.async_read_pool_size, settings.pool_timeout)

    # --- read replicas: WAL positions as byte offsets (pg_lsn minus 0/0) ---------------
    replication_positions = True

    def write_position(self, connection: sa.Connection) -> int:
        # flushed, not merely inserted: a streaming replica receives only flushed WAL
        return int(connection.execute(sa.text(
            "SELECT pg_current_wal_flush_lsn() - '0/0'::pg_lsn")).scalar_one())

    def replayed_position(self, connection: sa.Connection) -> int | None:
        # NULL on a server that is not in recovery (a primary, or a promoted replica)
        replayed = connection.execute(sa.text(
            "SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn")).scalar_one()
        return None if replayed is None else int(replayed)

    def planned_rows(self, connection: sa.Connection, statement: sa.Select[Any],
                     parameters: Mapping[str, Any]) -> int | None:
        """The root node's `Plan Rows` (PostgREST's planned count): statistics, no row read."""
        plan = connection.execute(Explain(statement), dict(parameters)).scalar_one()
        return int(plan[0]["Plan"]["Plan Rows"])

    @contextmanager
    def statement_deadline(self, connection: sa.Connection, seconds: float) -> Iterator[None]:
        milliseconds = max(1, round(seconds * 1000))  # 0 would mean no timeout at all
        connection.execute(sa.text(f"SET LOCAL statement_timeout = {milliseconds}"))
        yield

    def before_create_tables(self, connection: sa.Connection, schemas: list[str]) -> None:
        # Start-up work, not a request: waiting for another instance's creation (the lock) or
        # a slow catalog must not fail the start at the requests' statement timeout.
        connection.execute(sa.text("SET LOCAL statement_timeout = 0"))
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": CREATE_LOCK_KEY})
        super().before_create_tables(connection, schemas)

    def refused_tables_advice(self, reason: str) -> str:
        if "has no default operator class" in reason:
            # a key, a unique constraint or an index on a column PostgreSQL cannot compare
            return ("A key, unique field or index of that type cannot be made on PostgreSQL: "
                    "key the model by another field, or store the value as jsonb (@db.JsonB, "
                    "JSONB) if it is json.")
        return super().refused_tables_advice(reason)

    # --- migrations ------------------------------------------------------------------
    def render_type(self, type_: TypeEngine[Any], imports: set[str]) -> str | None:
        if isinstance(type_, postgresql.JSONB):
            # inside a variant, rendered for another database, its repr says `Text()`
            # unprefixed
            imports.add("from sqlalchemy.dialects import postgresql")
            return f"postgresql.JSONB(none_as_null={type_.none_as_null!r}, astext_type=sa.Text())"
        return None


def _key_columns(detail: str) -> Sequence[str]:
    match = KEY_COLUMNS.search(detail)
    return [c.strip().strip('"') for c in match.group(1).split(",")] if match else []

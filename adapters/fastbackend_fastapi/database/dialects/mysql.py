"""MySQL 8 and MariaDB (`DATABASE_URL=mysql://...` or `mariadb://...`, through PyMySQL).

What differs from the base (docs/dialects.md has the decisions and their reasons):

- types: a string without a length is VARCHAR(191) (Prisma's own mapping on MySQL: 191
  four-byte characters keep an index within InnoDB's 767-byte limit of old row formats),
  timestamps and times keep microseconds (DATETIME(6), TIME(6)), a decimal without a precision
  is DECIMAL(65, 30) read back without its trailing zeros, tables are utf8mb4. Timestamps are
  naive UTC (the session's time zone is UTC). These are SQLAlchemy compilation rules for the
  generic types, so a revision computed on another database gets them here too.
- comparisons: tables are utf8mb4_bin, not the server's default case-insensitive collation
  (utf8mb4_general_ci on MariaDB, utf8mb4_0900_ai_ci on MySQL 8), so equality, `in`, unique
  constraints, `contains`/`startswith`/`endswith` and sorting are case- and accent-sensitive
  and order by code point, as on PostgreSQL and SQLite; `mode=insensitive` compares lower()
  of both sides (case only, as PostgreSQL's ILIKE).
- NULLs sort first ascending on MySQL: the contract's order is written as `x IS NULL, x`.
- errors: by the server's error number (args[0] of PyMySQL's and mysqlclient's errors) and the
  constraint name in the message; refusals the drivers raise as OperationalError (CHECK, a
  missing default, a bad date) are re-raised as IntegrityError/DataError so the request's guard
  answers them as it does on the other databases.
- RETURNING: MariaDB >= 10.5 has INSERT ... RETURNING, MySQL has none and neither has UPDATE
  ... RETURNING; SQLAlchemy reads the server's version at the first connection and says so
  (`insert_returning`, `update_returning`), and store.py reads the row back by its key where
  the statement cannot return it.
- no schemas (a MySQL schema is another database): schema-qualified tables live in the URL's
  database, as on SQLite.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy import event
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeDecorator, TypeEngine

from fastbackend_fastapi.database import errors
from fastbackend_fastapi.database.dialects.base import FEED_GATE, Column, Dialect, Variant
from fastbackend_fastapi.database.dialects.fulltext import MatchAgainst
from fastbackend_ir.sqldefaults import UUID_FUNCTIONS, normalized

if TYPE_CHECKING:
    from fastbackend_fastapi.database.errors import Context, Failure, Kind, Violation
    from fastbackend_fastapi.settings import Settings
    from fastbackend_fastapi.tables import Catalog
    from fastbackend_ir import Field

NAMES = ("mysql", "mariadb")  # SQLAlchemy's two backend names for the one family
# utf8mb4 is 4 bytes a character; 191 characters fit the 767-byte index prefix of COMPACT rows
# (and Prisma maps String to VARCHAR(191) on MySQL, so both servers' tables agree).
STRING_LENGTH = 191
FRACTIONAL_DIGITS = 6  # microseconds, as PostgreSQL and Python keep them
# Prisma's Decimal without @db.Decimal(p, s) on MySQL; the largest precision MySQL has.
DECIMAL_PRECISION, DECIMAL_SCALE = 65, 30
BYTES_KEY_LENGTH = 255  # bytes: within the 767-byte index prefix of every row format
COLLATION = "utf8mb4_bin"
UUID_DEFAULT = "(uuid())"  # MySQL's and MariaDB's random uuid (version 1), as a DEFAULT
UUID_HEX_DEFAULT = "(replace(uuid(), '-', ''))"
CREATE_LOCK = "fastbackend_create_tables:"
# at most 64 characters: the prefix and the database name's digest
LOCK_NAME = "CONCAT(:prefix, MD5(DATABASE()))"
CREATE_LOCK_SECONDS = 60
# The realtime feed's gate row (docs/events.md "Ids follow commits"): InnoDB row locks are the
# transaction's, where GET_LOCK's are the session's. LOCK IN SHARE MODE: MariaDB has no FOR SHARE.
GATE_SHARED = sa.text(f"SELECT id FROM {FEED_GATE} WHERE id = 1 LOCK IN SHARE MODE")
GATE_EXCLUSIVE = sa.text(f"SELECT id FROM {FEED_GATE} WHERE id = 1 FOR UPDATE")
GATE_ROW = sa.text(f"INSERT IGNORE INTO {FEED_GATE} (id) VALUES (1)")
DEADLOCK, SETTLE_ATTEMPTS = 1213, 3

KINDS: dict[int, Kind] = {
    1062: "unique", 1586: "unique",  # duplicate entry (1586: with the key's name only)
    1451: "foreign_key", 1452: "foreign_key", 1216: "foreign_key", 1217: "foreign_key",
    1048: "not_null", 1364: "not_null",  # column cannot be null / field has no default
    3819: "check", 4025: "check",  # MySQL 8 / MariaDB
    1205: "busy", 1213: "busy",  # lock wait timeout, deadlock
}
# Values the column cannot hold: too long, out of range, not a date, not JSON, not an enum's.
DATA_CODES = frozenset({1264, 1265, 1292, 1366, 1367, 1406, 1690, 3140, 4078, 1411})
FAILURES: dict[int, Failure] = {
    1969: "timeout", 3024: "timeout", 1317: "timeout",  # max_statement_time / max_execution_time
    1205: "busy", 1213: "busy",  # lock wait timeout (statement rolled back), deadlock (all)
    1040: "busy", 1203: "busy",  # too many connections
    1054: "schema", 1146: "schema",  # unknown column, no such table
    1436: "too_complex", 1390: "too_complex",  # thread stack overrun, too many placeholders
}
# The client's own codes (2000-2999: cannot connect, server gone away, lost connection) and
# the server shutting down or killing the connection.
UNAVAILABLE = frozenset({1053, 1077, 1927, 2002, 2003, 2005, 2006, 2013, 2055})
# Codes the drivers raise as OperationalError although they refuse the statement's values.
REFUSED_AS_OPERATIONAL = frozenset(
    code for code, kind in KINDS.items() if kind not in ("busy",)) | DATA_CODES

# SQL this server cannot run (a default it does not allow, a key on a BLOB/TEXT, a key too
# long), raised by PyMySQL as OperationalError: a ProgrammingError, so the start says why.
REFUSED_SQL = frozenset({1064, 1067, 1071, 1101, 1170, 1901})
DUPLICATE_KEY = re.compile(r"for key '(?:[^']*\.)?([^'.]+)'")
CONSTRAINT = re.compile(r"CONSTRAINT [`'\"]?([^`'\" ]+)")
COLUMN = re.compile(r"^(?:Column|Field) '([^']+)'")


class TrimmedDecimal(TypeDecorator[Decimal]):
    """A decimal without a declared scale: stored as DECIMAL(65, 30), read back as written
    (PostgreSQL's NUMERIC keeps each value's own scale; MySQL pads to 30 digits)."""

    impl = mysql.DECIMAL(DECIMAL_PRECISION, DECIMAL_SCALE, asdecimal=True)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        text = format(Decimal(value), "f")
        return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)


def _decimal(field: Field) -> TypeEngine[Any] | None:
    if field.db is not None and field.db.precision is not None:
        return None  # DECIMAL(p, s) as declared
    return TrimmedDecimal()


def _bytes(field: Field) -> TypeEngine[Any] | None:
    """A key or unique bytes field as VARBINARY: InnoDB cannot index a BLOB without a prefix
    length (PostgreSQL's bytea and SQLite's BLOB key as they are)."""
    return mysql.VARBINARY(BYTES_KEY_LENGTH) if field.primary_key or field.unique else None


# --- DDL of the generic types (every database's tables, and revisions, use them) ---------
@compiles(sa.String, *NAMES)
def _varchar(type_: sa.String, compiler: Any, **kw: Any) -> str:
    if type_.length is None:
        return str(compiler.visit_VARCHAR(sa.String(STRING_LENGTH, collation=type_.collation),
                                          **kw))
    return str(compiler.visit_string(type_, **kw))


@compiles(sa.DateTime, *NAMES)
@compiles(mysql.DATETIME, *NAMES)
def _datetime(type_: sa.DateTime, compiler: Any, **kw: Any) -> str:
    return f"DATETIME({_fsp(type_)})"


@compiles(sa.Time, *NAMES)
@compiles(mysql.TIME, *NAMES)
def _time(type_: sa.Time, compiler: Any, **kw: Any) -> str:
    return f"TIME({_fsp(type_)})"


def _fsp(type_: TypeEngine[Any]) -> int:
    """The type's own fractional digits (mysql.DATETIME(fsp=3)), else microseconds."""
    fsp = getattr(type_, "fsp", None)
    return FRACTIONAL_DIGITS if fsp is None else int(fsp)


@compiles(sa.schema.CreateColumn, *NAMES)
def _column(element: sa.schema.CreateColumn, compiler: Any, **kw: Any) -> str:
    """A random-uuid SQL default of another database (PostgreSQL's gen_random_uuid()) as this
    one's `(uuid())`: MySQL refuses a table whose DEFAULT calls a function it lacks (error
    1901), where SQLite accepts it. The application makes those values anyway (a uuid4:
    fastbackend_ir.sqldefaults); the default stays for rows written elsewhere."""
    with _uuid_default(element.element, compiler.dialect):
        return str(compiler.visit_create_column(element, **kw))


@functools.cache
def _compile_added_columns() -> None:
    """The same for a column a revision adds later: Alembic's `op.add_column` renders the
    column itself (not through CreateColumn), so its uuid default is swapped there too.
    Registered when a migration engine is made: the runtime's own install has no Alembic."""
    from alembic.ddl.base import AddColumn, visit_add_column

    @compiles(AddColumn, *NAMES)
    def _added_column(element: AddColumn, compiler: Any, **kw: Any) -> str:
        with _uuid_default(element.column, compiler.dialect):
            return str(visit_add_column(element, compiler, **kw))


@contextmanager
def _uuid_default(column: sa.Column[Any], dialect: Any) -> Iterator[None]:
    """Swapped for one compilation only: the tables stay one portable MetaData."""
    default = column.server_default
    if not (isinstance(default, sa.DefaultClause) and isinstance(default.arg, sa.TextClause)
            and normalized(default.arg.text) in UUID_FUNCTIONS):
        yield
        return
    # MySQL 8 keeps sa.Uuid as CHAR(32), hex without dashes; MariaDB has a UUID type.
    hex_only = isinstance(column.type, sa.Uuid) and not dialect.is_mariadb
    column.server_default = sa.DefaultClause(sa.text(UUID_HEX_DEFAULT if hex_only
                                                     else UUID_DEFAULT))
    try:
        yield
    finally:
        column.server_default = default


class MySQL(Dialect):
    name = "mysql"
    # mysqlclient (`mysql+mysqldb://`) is read the same way: its errors carry the same codes.
    driver_modules = ("pymysql", "MySQLdb")
    url_aliases = ("mysql://",)  # Prisma's and most hosts' form
    driver_scheme = "mysql+pymysql://"
    TYPE_VARIANTS: ClassVar[dict[str, Variant]] = {"decimal": _decimal, "bytes": _bytes}
    has_arrays = False
    keeps_time_zones = False  # DATETIME has no offset: naive UTC, the session's zone is UTC
    has_schemas = False
    partial_indexes = False
    server_now = f"CURRENT_TIMESTAMP({FRACTIONAL_DIGITS})"
    # a FULLTEXT index, MATCH ... AGAINST in natural language mode (dialects/fulltext.py)
    fulltext = MatchAgainst()

    def reader(self, engine: Engine) -> Engine:
        """The engine itself: a read in a READ COMMITTED transaction, whose statements each see
        committed data as autocommit's do. The base's autocommit costs PyMySQL a round trip to
        turn it on and two to restore the pool's isolation level on every checkin (SET
        AUTOCOMMIT, SET SESSION TRANSACTION ISOLATION LEVEL): six statements per read by id
        against two (the SELECT and the pool's ROLLBACK), measured on MariaDB 10.11."""
        return engine

    def table_options(self, autoincrement_key: bool) -> dict[str, Any]:
        """utf8mb4 whatever the server's default: four-byte characters (emoji) are stored, and
        VARCHAR(191) indexes fit. utf8mb4_bin, not the server's case-insensitive default
        collation: the contract's comparisons are case-sensitive (equals, in, contains, unique)
        and order text by code point, as PostgreSQL and SQLite do; `mode=insensitive` is
        lower() on both sides (the base's imatch)."""
        return {f"{self.name}_charset": "utf8mb4", f"{self.name}_collate": COLLATION,
                f"{self.name}_engine": "InnoDB"}

    def list_default(self, values: list[Any], json_values: list[Any],
                     element_type: TypeEngine[Any], compiler: SQLCompiler) -> str:
        # MySQL 8 accepts a default on a JSON column only as an expression, in parentheses.
        return f"({super().list_default(values, json_values, element_type, compiler)})"

    def order(self, value: Column, descending: bool, nullable: bool) -> Any:
        """MySQL sorts NULL as the smallest value (first ascending, last descending); the
        contract's order puts them last ascending, first descending, so `x IS NULL` sorts
        first."""
        plain = value.desc() if descending else value.asc()
        if not nullable:
            return plain
        is_null = value.is_(None)
        return sa.sql.expression.ClauseList(is_null.desc() if descending else is_null.asc(),
                                            plain)

    # --- the realtime feed's settled ids ---------------------------------------------------
    def lock_feed(self, connection: Connection) -> None:
        """The gate's row, shared: writers do not wait for each other (the Express server
        takes the same). A gate without its row (the table as a migration made it) gets it
        from the first write, which then holds it exclusively until it ends: a write past the
        gate always holds its row, so a stream's exclusive read waits for it."""
        if connection.execute(GATE_SHARED).first() is None:
            connection.execute(GATE_ROW)
            connection.execute(GATE_SHARED)

    def settled_feed_id(self, connection: Connection, latest: sa.Select[Any]) -> int:
        """The latest id once every write that holds the gate's row has ended: FOR UPDATE
        waits for them (they are committing), and a write that locks it later allocates higher
        ids. Read in that transaction, READ COMMITTED (the statement after the wait sees their
        commits). A deadlock (a write that locks the gate and then waits for a write queued
        behind this read: the Express server's transaction may insert feed rows at two write
        sites) rolls this read back, InnoDB's cheapest victim; it is read again."""
        connection.execution_options(isolation_level="READ COMMITTED")
        for _ in range(SETTLE_ATTEMPTS - 1):
            try:
                return _settled(connection, latest)
            except sa_exc.OperationalError as error:
                if _code(error.orig) != DEADLOCK:
                    raise
        return _settled(connection, latest)

    # --- errors: the server's error number ----------------------------------------------
    def ordered(self, value: Column, logical_type: str) -> Column:
        """An ENUM sorts by its declared position but compares with a text as text (so a
        keyset cursor's `status < 'published'` took 'archived' too): both sides by position.
        FIELD() of NULL is 0, not NULL, which sorted NULLs first ascending: NULLIF keeps them
        NULL for `order`'s `IS NULL` key (every stored value is one of the enum's)."""
        enums = getattr(value.type, "enums", None)
        if logical_type == "enum" and enums:
            return sa.func.nullif(sa.func.field(value, *enums), 0)
        return super().ordered(value, logical_type)

    def violation(self, original: Any, catalog: Catalog, context: Context) -> Violation:
        code, message = _code(original), _message(original)
        kind: Kind = KINDS.get(code, "data" if code in DATA_CODES else "other")
        fields: tuple[str, ...] = ()
        if kind == "unique":
            fields = _unique_fields(catalog, context, message)
        elif kind == "foreign_key" and context.operation != "delete":
            found = CONSTRAINT.search(message)
            owner = catalog.constraint_fields.get(found.group(1) if found else "")
            if owner is not None and owner[0] == context.entity:
                fields = owner[1]
            else:
                fields = errors.foreign_key_fields_written(catalog, context)
        elif kind == "not_null":
            column = COLUMN.search(message)
            if column:
                fields = errors.fields_of_columns(catalog, context.entity, [column.group(1)])
        return errors.Violation(kind, fields, message)

    def failure(self, original: Any) -> Failure | None:
        return FAILURES.get(_code(original))

    def unreachable(self, original: Any) -> bool:
        code = _code(original)
        return code == 0 or code in UNAVAILABLE  # 0: the driver's own (closed connection)

    # --- engines ---------------------------------------------------------------------
    def connect_args(self, url: str, settings: Settings) -> dict[str, Any]:
        """UTC for the session (DATETIME holds naive UTC; CURRENT_TIMESTAMP must agree), and
        strict mode whatever the server's sql_mode: a value too long is refused, not cut."""
        return {
            "connect_timeout": max(1, settings.connect_timeout),
            "charset": "utf8mb4",
            "init_command": "SET time_zone = '+00:00', "
                            "sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')",
        }

    def create_engine(self, url: str, settings: Settings) -> Engine:
        # READ COMMITTED, as on PostgreSQL (the contract's concurrency was written against it):
        # InnoDB's REPEATABLE READ takes gap locks that turn concurrent creates into deadlocks.
        engine = sa.create_engine(url, pool_size=settings.pool_size,
                                  max_overflow=settings.max_overflow,
                                  pool_timeout=settings.pool_timeout, pool_pre_ping=False,
                                  isolation_level="READ COMMITTED",
                                  connect_args=self.connect_args(url, settings))
        _statement_timeout(engine, settings.statement_timeout_ms)
        _refusals_as_integrity_errors(engine)
        return engine

    def migration_engine(self, url: str) -> Engine:
        _compile_added_columns()
        engine = super().migration_engine(url)
        _refusals_as_integrity_errors(engine)
        return engine

    def with_schemas(self, engine: Engine, schemas: frozenset[str]) -> Engine:
        """A MySQL schema is a database of its own: schema-qualified tables live in the URL's
        database instead (as on SQLite), so one DATABASE_URL holds the whole API."""
        if not schemas:
            return engine
        return engine.execution_options(schema_translate_map=dict.fromkeys(schemas))

    def before_create_tables(self, connection: sa.Connection, schemas: list[str]) -> None:
        """Workers starting at once take turns creating the tables: a named lock (the
        session's, released when the transaction ends, as PostgreSQL's transaction lock is).
        Its name holds the database's, since MySQL's named locks are the whole server's.
        Start-up work, not a request: the statement timeout is off until then (waiting for
        another instance's creation must not fail the start at the requests' timeout)."""
        variable = ("max_statement_time" if getattr(connection.dialect, "is_mariadb", False)
                    else "max_execution_time")
        saved = connection.exec_driver_sql(f"SELECT @@SESSION.{variable}").scalar()
        connection.exec_driver_sql(f"SET SESSION {variable} = 0")
        got = connection.execute(sa.text(f"SELECT GET_LOCK({LOCK_NAME}, :seconds)"),
                                 {"prefix": CREATE_LOCK, "seconds": CREATE_LOCK_SECONDS}
                                 ).scalar()
        if got != 1:
            raise sa_exc.OperationalError("SELECT GET_LOCK", {}, Exception(
                f"another instance held {CREATE_LOCK} for {CREATE_LOCK_SECONDS} s"))

        def release(conn: sa.Connection) -> None:
            conn.execute(sa.text(f"DO RELEASE_LOCK({LOCK_NAME})"), {"prefix": CREATE_LOCK})
            conn.exec_driver_sql(f"SET SESSION {variable} = %s", (saved,))

        event.listen(connection, "commit", release, once=True)
        event.listen(connection, "rollback", release, once=True)

    def refused_tables_advice(self, reason: str) -> str:
        if "key was too long" in reason or "BLOB/TEXT column" in reason:
            return ("A key, unique field or index on a long text cannot be made on MySQL: give "
                    "the field a length (@db.VarChar(191)) or drop the index.")
        return super().refused_tables_advice(reason)

    def render_type(self, type_: TypeEngine[Any], imports: set[str]) -> str | None:
        if isinstance(type_, TrimmedDecimal):
            return f"sa.DECIMAL(precision={DECIMAL_PRECISION}, scale={DECIMAL_SCALE})"
        return None


class MariaDB(MySQL):
    """`mariadb://` URLs (SQLAlchemy's name for the same family): MySQL's rules; where the
    servers differ, SQLAlchemy and the session setup read the server's version instead."""

    name = "mariadb"
    url_aliases = ("mariadb://",)
    driver_scheme = "mariadb+pymysql://"


def _settled(connection: Connection, latest: sa.Select[Any]) -> int:
    with connection.begin():
        connection.execute(GATE_EXCLUSIVE)
        return int(connection.execute(latest).scalar_one())


def _code(original: Any) -> int:
    args: tuple[Any, ...] = tuple(getattr(original, "args", ()))
    return args[0] if args and isinstance(args[0], int) else 0


def _message(original: Any) -> str:
    args: tuple[Any, ...] = tuple(getattr(original, "args", ()))
    return str(args[1]) if len(args) > 1 else str(original)


def _unique_fields(catalog: Catalog, context: Context, message: str) -> tuple[str, ...]:
    found = DUPLICATE_KEY.search(message)
    if found is None:
        return ()
    key = found.group(1)
    if key == "PRIMARY":
        table = catalog.entities[context.entity].table
        return errors.fields_of_columns(catalog, context.entity,
                                        [column.name for column in table.primary_key.columns])
    owner = catalog.constraint_fields.get(key)
    return owner[1] if owner is not None and owner[0] == context.entity else ()


def _statement_timeout(engine: Engine, timeout_ms: float) -> None:
    """The statement timeout, named differently by the two servers: MariaDB's
    max_statement_time (seconds, every statement), MySQL's max_execution_time (milliseconds,
    SELECTs only). Chosen per connection from the server's version string."""
    if timeout_ms <= 0:
        return

    @event.listens_for(engine, "connect")
    def _set_timeout(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if "MariaDB" in dbapi_connection.get_server_info():
            cursor.execute(f"SET SESSION max_statement_time = {timeout_ms / 1000:.3f}")
        else:
            cursor.execute(f"SET SESSION max_execution_time = {int(timeout_ms)}")
        cursor.close()


def _refusals_as_integrity_errors(engine: Engine) -> None:
    """The drivers raise some refusals of a statement's values as OperationalError (PyMySQL:
    CHECK, a field without a default, a date out of range); they become the IntegrityError or
    DataError they are, so the runtime answers them with the same problems as elsewhere."""

    @event.listens_for(engine, "handle_error")
    def _reclassify(context: Any) -> BaseException | None:
        original = context.original_exception
        code = _code(original)
        if not isinstance(context.sqlalchemy_exception, sa_exc.OperationalError):
            return None
        kind: type[sa_exc.DBAPIError]
        if code in REFUSED_SQL:
            kind = sa_exc.ProgrammingError
        elif code in REFUSED_AS_OPERATIONAL:
            kind = sa_exc.DataError if code in DATA_CODES else sa_exc.IntegrityError
        else:
            return None
        return kind(context.statement, context.parameters, original)

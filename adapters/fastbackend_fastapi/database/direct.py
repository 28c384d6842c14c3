"""Reads executed through the driver: the statement compiled once, then run on the DBAPI cursor.

SQLAlchemy's `Connection.execute` spends most of a read by id in Python around the driver: the
statement's cache key (a walk of the whole SELECT), the compiled-cache lookup, an execution
context, events, a result object and its rows (docs/performance.md measured it). A
`DirectStatement` does once, per database (the SQLAlchemy dialect object, so a replica on
another server version compiles its own), what those steps work out on every call: the SQL
text, the order of its parameters and their bind processors, and the result processors of its
columns (taken from SQLAlchemy's own type system on the first execution, so the values are the
ones SQLAlchemy would give). Each request then binds, runs the cursor and applies the
processors: rows are plain tuples in the statement's column order.

It runs only where it gives what SQLAlchemy gives, and falls back to `Connection.execute`
otherwise (`eligible`):

- on a connection of the read engine (`Database` marks it with the `DIRECT` execution option):
  reads outside any transaction, so skipping SQLAlchemy's autobegin changes nothing (an
  atomic batch's reads run on its write connection and take the ordinary path);
- with no execution option that changes the SQL (a schema translate map) and no statement
  listeners but those registered with `safe` (the SQLite statement timeout's clock): another
  library's (OpenTelemetry's instrumentation, a user's) sees every statement as before;
- for a statement without expanding (`IN`) or literal-execute parameters, whose SQL depends on
  the values.

A read by id may go further (runtime.Database.read_first): without a Connection at all, on a
pooled DBAPI connection (`raw_rows`) or on the driver's asyncio connection (`AsyncReader`),
where `engine_eligible` says nothing would be missed. The listener walks are remembered per
engine until SQLAlchemy's event registry changes. `check` probes, once at start-up, that
SQLAlchemy's private parts read here are as expected; if not, the path is off (logged once).

A driver error goes through `Connection._handle_dbapi_exception`, as in SQLAlchemy's own path:
the same `handle_error` listeners, the same wrapped exception, a lost connection invalidated
(runtime.Database retries the read on a fresh one). PgBouncer's transaction mode is unchanged:
the statement runs on the driver connection SQLAlchemy configured (psycopg prepares no
statement there, FASTBACKEND_POOLER).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.event import registry as _registry
from sqlalchemy.event.attr import _JoinedListener

DIRECT = "fastbackend_direct_reads"
# Execution options of the read engines that leave the SQL and its execution as they are
# (a dialect adds its own: `neutral`).
_NEUTRAL_OPTIONS = {DIRECT, "isolation_level"}
_SAFE: set[Callable[..., Any]] = set()
_OBSERVERS: set[Callable[..., Any]] = set()
logger = logging.getLogger("fastbackend_fastapi.direct")
# False when the start-up probe (`check`) found SQLAlchemy's internals not as this module
# reads them: every read then takes SQLAlchemy's own path.
_ENABLED = True
_CHECKED: list[str | None] = []  # the probe's finding, once per process


def neutral(option: str) -> None:
    """An execution option of a read engine that changes neither the SQL nor how it runs
    outside a transaction (SQLite's BEGIN mode: a read has none)."""
    _NEUTRAL_OPTIONS.add(option)


def observer(listener: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a `handle_error` listener as one that only observes (it neither replaces the
    exception nor reads the Connection: the metrics' error counter): a read on the driver's
    asyncio connection may then run, and calls it itself on a driver error (`observed`),
    with what SQLAlchemy's own call gives it of the error."""
    _OBSERVERS.add(listener)
    return listener


@dataclass(frozen=True)
class ErrorSeen:
    """What an `observer` gets of a driver error raised without a SQLAlchemy Connection:
    the attributes of SQLAlchemy's ExceptionContext that describe the error."""

    sqlalchemy_exception: sa.exc.StatementError
    original_exception: BaseException | None
    is_disconnect: bool
    statement: str | None
    parameters: Any
    dialect: Dialect
    engine: Engine
    connection: None = None
    cursor: None = None
    execution_context: None = None


def observed(engine: Engine, error: sa.exc.StatementError, is_disconnect: bool) -> None:
    """``error`` (raised by a read on the driver's asyncio connection) shown to the engine's
    `handle_error` listeners, every one an `observer` (`engine_eligible` checked it)."""
    for listener in engine.dialect.dispatch.handle_error:
        listener(ErrorSeen(error, error.orig, is_disconnect, error.statement, error.params,
                           engine.dialect, engine))


def _function(listener: Callable[..., Any]) -> Any:
    """A bound method's function (an `observer` is marked on its class)."""
    return getattr(listener, "__func__", listener)


def safe(listener: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a `before_cursor_execute` listener (registered with ``retval=True``) as one the
    direct path calls too: it reads only the connection (no execution context)."""
    _SAFE.add(listener)
    return listener


class AsyncReader(Protocol):
    """Runs a compiled read on the event loop through an asyncio connection of the driver
    (Dialect.async_reads), raising SQLAlchemy's DBAPIError on a driver error."""

    async def rows(self, compiled: Compiled, values: Mapping[str, Any]) -> list[tuple[Any, ...]]: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Compiled:
    """A statement's SQL for one dialect, and what binding and reading it needs."""

    sql: str
    names: tuple[str, ...]  # bind parameters, in the order the driver takes them
    keys: tuple[str, ...]  # the same names as the driver's parameters (escaped), if named
    fixed: Mapping[str, Any]  # values the statement carries itself
    binds: Mapping[str, Callable[[Any], Any]]
    positional: bool
    types: tuple[Any, ...]  # the selected columns' SQLAlchemy types, in order
    # (position, processor) of the columns that have one: set on the first run
    results: list[tuple[tuple[int, Callable[[Any], Any]], ...]] = field(default_factory=list)


@dataclass
class DirectStatement:
    """One statement, compiled once per dialect; `rows` runs it (or falls back)."""

    statement: sa.Select[Any]
    _compiled: dict[Dialect, Compiled | None] = field(default_factory=dict)

    def rows(self, connection: Connection, parameters: Mapping[str, Any]) -> Sequence[Any]:
        """Every row, as tuples when run directly, else SQLAlchemy's Rows (the same values)."""
        compiled = self.compiled(connection.dialect) if eligible(connection) else None
        if compiled is None:
            return connection.execute(self.statement, parameters).all()
        return _run(connection, compiled, parameters)

    def first(self, connection: Connection, parameters: Mapping[str, Any]) -> Any:
        rows = self.rows(connection, parameters)
        return rows[0] if rows else None

    def compiled(self, dialect: Dialect) -> Compiled | None:
        """Its SQL for ``dialect`` (compiled on first use), None when it cannot run directly."""
        try:
            return self._compiled[dialect]
        except KeyError:
            compiled = self._compiled[dialect] = compile_for(self.statement, dialect)
            return compiled


def compile_for(statement: sa.Select[Any], dialect: Dialect) -> Compiled | None:
    """The statement's SQL for ``dialect``; None when its SQL depends on the values."""
    compiled: Any = statement.compile(dialect=dialect)
    if (
        compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.schema_translate_map
        or not compiled._ordered_columns
        or compiled._textual_ordered_columns
    ):
        return None
    binds = compiled.binds
    if any(bind.callable is not None for bind in binds.values()):
        return None
    names = tuple(compiled.positiontup) if compiled.positional else tuple(compiled.bind_names.values())
    escaped = compiled.escaped_bind_names or {}
    fixed = {name: binds[name].effective_value for name in names if not binds[name].required}
    return Compiled(
        compiled.string,
        names,
        tuple(escaped.get(n, n) for n in names),
        fixed,
        dict(compiled._bind_processors),
        bool(compiled.positional),
        tuple(column.type for column in compiled._result_columns),
    )


def eligible(connection: Connection) -> bool:
    """Whether a statement on ``connection`` may skip SQLAlchemy's execute (module docstring)."""
    options = connection._execution_options
    if not _ENABLED or not options.get(DIRECT) or not _NEUTRAL_OPTIONS.issuperset(options):
        return False
    return _cached(connection.engine, "connection", lambda: _listeners_allow(
        connection.dispatch, _UNSAFE_EVENTS, safe=True))


# Listener walks are remembered per engine until a listener is added or removed anywhere
# (SQLAlchemy's event registry counted: `_count_listeners`), once the probe has seen the
# count move (`_REMEMBER`); otherwise every read walks them.
_GENERATION = [0]
_REMEMBER = [False]
_WALKS: weakref.WeakKeyDictionary[Engine, dict[str, tuple[int, bool]]] = \
    weakref.WeakKeyDictionary()


def _cached(engine: Engine, kind: str, walk: Callable[[], bool]) -> bool:
    """``walk()``'s answer, from the last walk of ``engine`` while no listener changed.
    (A Connection's own listeners are counted too: one registered on a connection is seen
    by the walk made after it, and turns the path off for that engine until the next
    change: never on when it should be off.)"""
    if not _REMEMBER[0]:
        return walk()
    generation = _GENERATION[0]
    walks = _WALKS.get(engine)
    if walks is None:
        walks = _WALKS[engine] = {}
    found = walks.get(kind)
    if found is not None and found[0] == generation:
        return found[1]
    allowed = walk()
    walks[kind] = (generation, allowed)
    return allowed


_REGISTRY_CHANGES = ("_stored_in_collection", "_stored_in_collection_multi",
                     "_removed_from_collection", "_clear")


def _count_listeners() -> None:
    """Every function of SQLAlchemy's event registry that adds or removes listeners counts
    the change first (its callers look them up by module attribute)."""
    for name in _REGISTRY_CHANGES:
        function = getattr(_registry, name)
        if getattr(function, "_fastbackend_counted", False):
            continue

        def counted(*arguments: Any, _function: Any = function, **keywords: Any) -> Any:
            _GENERATION[0] += 1
            return _function(*arguments, **keywords)

        counted._fastbackend_counted = True  # type: ignore[attr-defined]
        setattr(_registry, name, counted)


def engine_eligible(engine: Engine, *, safe: bool) -> bool:
    """Whether a read of ``engine`` may run with no SQLAlchemy Connection at all: on a pooled
    DBAPI connection (`raw_rows`, when ``safe`` listeners can be called: they read only the
    connection's ``info``) or on another connection of the same driver (database/
    async_reads: none may be registered then, nor `handle_error` ones but `observer`s).
    Nothing then sets an isolation level, and no `engine_connect` listener would be called:
    any of them keeps the Connection."""
    options = engine._execution_options
    if not _ENABLED or not options.get(DIRECT):
        return False
    neutral = _NEUTRAL_OPTIONS if not safe else _NEUTRAL_OPTIONS - {"isolation_level"}
    if not neutral.issuperset(options):
        return False
    return _cached(engine, "safe" if safe else "none", lambda: _engine_allows(engine, safe))


def _engine_allows(engine: Engine, safe: bool) -> bool:
    if not safe and not _allowed(engine.dialect.dispatch.handle_error,
                                 _OBSERVERS.__contains__, _function):
        return False  # (raw_rows calls them, through a Connection made for the error)
    events = (*_UNSAFE_EVENTS, "engine_connect")
    return _listeners_allow(engine.dispatch, events if safe else (*events, "before_cursor_execute"),
                            safe=safe)


def _listeners_allow(dispatch: Any, unsafe: tuple[str, ...], *, safe: bool) -> bool:
    """No listener of ``unsafe`` events but SQLAlchemy's own, and (``safe``) no statement
    listener but the `safe` ones, registered on the dispatcher's object, its class, or the
    objects it derives from (a Connection from its engine, an engine from its base)."""
    for name in unsafe:
        if not _allowed(getattr(dispatch, name), _OWN.__contains__, _module):
            return False
    return not safe or _allowed(dispatch.before_cursor_execute, _SAFE.__contains__)


def _allowed(collection: Any, allowed: Callable[[Any], bool],
             key: Callable[[Any], Any] | None = None) -> bool:
    # A derived object's listeners (SQLAlchemy's _JoinedListener) hold its own collection
    # and name its parent's: each is read down to the base object's. (Their lists are read,
    # and types compared, not isinstance: this runs on every read, ~1.5 µs in all.)
    while type(collection) is _JoinedListener:
        if not _allowed(collection.local, allowed, key):
            return False
        collection = getattr(collection.parent_dispatch, collection.name)
    parent, own = collection.parent_listeners, getattr(collection, "listeners", None)
    if not parent and not own:
        return True
    found = (*parent, *(own or ()))
    return all(map(allowed, found if key is None else map(key, found)))


_UNSAFE_EVENTS = ("before_execute", "after_execute", "after_cursor_execute")
# SQLAlchemy's own listeners: an engine's isolation level is an `engine_connect` listener
# that sets it on each Connection (engine_eligible checks the options that ask for one).
_OWN = {"sqlalchemy.engine.default"}


def _module(listener: Callable[..., Any]) -> str:
    return getattr(listener, "__module__", "") or ""


def parameters(compiled: Compiled, values: Mapping[str, Any], dialect: Dialect) -> Any:
    """The driver's parameters for ``values``: bound in order, through the bind processors."""
    binds, fixed = compiled.binds, compiled.fixed
    bound = []
    for name in compiled.names:
        value = values[name] if name in values else fixed[name]
        processor = binds.get(name)
        bound.append(value if processor is None else processor(value))
    if compiled.positional:
        return dialect.execute_sequence_format(bound)
    return dict(zip(compiled.keys, bound, strict=True))


def _run(connection: Connection, compiled: Compiled, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    dialect = connection.dialect
    bound = parameters(compiled, values, dialect)
    cursor = None
    try:
        cursor = connection.connection.cursor()
        for listener in connection.dispatch.before_cursor_execute:
            listener(connection, cursor, compiled.sql, bound, None, False)
        fetched = _fetch(cursor, compiled, bound, dialect)
    except Exception as error:
        connection._handle_dbapi_exception(error, compiled.sql, bound, cursor, None)
    return processed(compiled, fetched)


class KeptConnection:
    """One DBAPI connection of an engine's, kept for the direct reads of inline mode (they run
    one at a time, on the event loop): no pool checkout and checkin around each read (6 µs of a
    read by id on SQLite, measured alone). It is detached from the pool, so a small pool keeps
    every connection for the rest; after a driver error the Connection that handled it has
    closed it, and the next read takes another. `close` at shutdown."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pooled: Any = None

    def take(self) -> Any:
        if self._pooled is None:
            pooled = self.engine.raw_connection()
            pooled.detach()
            self._pooled = pooled
        return self._pooled

    def drop(self) -> None:
        self._pooled = None

    def close(self) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            pooled.close()


def raw_rows(engine: Engine, compiled: Compiled, values: Mapping[str, Any],
             kept: KeptConnection | None = None) -> list[tuple[Any, ...]]:
    """`DirectStatement.rows` with no SQLAlchemy Connection: on a DBAPI connection of the
    engine's pool (`engine_eligible` with ``safe``), or ``kept``'s. A driver error goes through
    a Connection made then around the same DBAPI connection, so it is handled as on the other
    paths."""
    dialect = engine.dialect
    bound = parameters(compiled, values, dialect)
    pooled = engine.raw_connection() if kept is None else kept.take()
    cursor, handed = None, False
    try:
        cursor = pooled.cursor()
        for listener in engine.dispatch.before_cursor_execute:  # `safe` ones: they read `info`
            listener(pooled, cursor, compiled.sql, bound, None, False)
        fetched = _fetch(cursor, compiled, bound, dialect)
    except Exception as error:
        handed = True  # the Connection returns (or invalidates) it
        if kept is not None:
            kept.drop()
        with Connection(engine, connection=pooled) as connection:
            connection._handle_dbapi_exception(error, compiled.sql, bound, cursor, None)
    finally:
        if not handed and kept is None:
            pooled.close()
    return processed(compiled, fetched)


def _fetch(cursor: Any, compiled: Compiled, bound: Any, dialect: Dialect) -> list[Any]:
    dialect.do_execute(cursor, compiled.sql, bound, None)
    fetched: list[Any] = cursor.fetchall()
    if not compiled.results:
        compiled.results.append(processors(compiled, cursor.description, dialect))
    cursor.close()
    return fetched


def processed(compiled: Compiled, fetched: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The driver's rows as tuples, through the columns' result processors."""
    processors = compiled.results[0]
    if not processors:
        return [tuple(row) for row in fetched]
    rows = []
    for row in fetched:  # only the columns that have a processor are touched
        converted = list(row)
        for position, process in processors:
            converted[position] = process(converted[position])
        rows.append(tuple(converted))
    return rows


def processors(compiled: Compiled, description: Any,
                dialect: Dialect) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """The result processors SQLAlchemy's CursorResult uses for these columns (its positional
    case: the compiled statement's columns are the cursor's, in order), by column position;
    columns without one are left out."""
    if len(compiled.types) != len(description):
        raise RuntimeError(f"{len(description)} columns came back for {len(compiled.types)} selected")
    found = (type_._cached_result_processor(dialect, entry[1])
             for type_, entry in zip(compiled.types, description, strict=True))
    return tuple((position, process) for position, process in enumerate(found)
                 if process is not None)


def check(*, again: bool = False) -> str | None:
    """The start-up probe: why the direct path cannot be trusted with the installed
    SQLAlchemy (its private internals missing or changed), or None. Run once per process
    (``again`` runs it anew); a failure switches the direct path off, logged once.

    It runs a statement of the types whose values SQLAlchemy processes on SQLite (in memory)
    through the driver, with and without a Connection, and through SQLAlchemy, and compares
    the rows: anything missing raises on the way, anything changed gives other values."""
    global _ENABLED
    if _CHECKED and not again:
        return _CHECKED[0]
    _ENABLED = True
    _REMEMBER[0] = False  # no remembered walks until the probe has seen the counting work
    try:
        _count_listeners()
        reason = _probe()
    except Exception as error:  # an internal gone or renamed: AttributeError, TypeError...
        reason = f"{type(error).__name__}: {error}"
    _CHECKED[:] = [reason]
    _ENABLED = reason is None
    if reason is not None:
        logger.warning("reads run through SQLAlchemy's execute: the installed SQLAlchemy "
                       "(%s) is not what the direct read path expects (%s)",
                       sa.__version__, reason)
    return reason


def enabled() -> bool:
    return _ENABLED


# What the path reads that SQLAlchemy does not document: missing ones are named at once.
_INTERNALS = ((Connection, "_handle_dbapi_exception"),
              (_JoinedListener, "parent_dispatch"), (_JoinedListener, "local"),
              (sa.types.TypeEngine, "_cached_result_processor"))


def _probe() -> str | None:
    missing = [f"{owner.__name__}.{name}" for owner, name in _INTERNALS
               if not hasattr(owner, name)]
    if missing:
        return f"no {', '.join(missing)}"
    from fastbackend_fastapi.database.dialects import DEFAULT  # (they import this module)

    engine = sa.create_engine(DEFAULT.memory_url, poolclass=sa.pool.StaticPool)
    try:
        metadata = sa.MetaData()
        table = sa.Table("probe", metadata, sa.Column("id", sa.Integer, primary_key=True),
                         sa.Column("at", sa.DateTime), sa.Column("amount", sa.Numeric(10, 2)),
                         sa.Column("flag", sa.Boolean), sa.Column("name", sa.String))
        metadata.create_all(engine)
        row = {"id": 1, "at": datetime(2024, 5, 1, 10, 0, tzinfo=UTC).replace(tzinfo=None),
               "amount": Decimal("1.50"), "flag": True, "name": "a"}
        with engine.begin() as connection:
            connection.execute(sa.insert(table), [row])
        statement = sa.select(*table.c).where(table.c.id == sa.bindparam("key"),
                                              table.c.name != sa.literal("b"))
        compiled = compile_for(statement, engine.dialect)
        if compiled is None:
            return "a plain SELECT was not compiled ahead"
        reader = engine.execution_options(**{DIRECT: True})
        with reader.connect() as connection:
            expected = [tuple(r) for r in connection.execute(statement, {"key": 1}).all()]
            if not eligible(connection):
                return "a connection without listeners was not eligible"
            found = _run(connection, compiled, {"key": 1})
        if not engine_eligible(reader, safe=True):
            return "an engine without listeners was not eligible"
        counted = _GENERATION[0]
        sa.event.listen(reader, "before_execute", _seen)
        try:
            if engine_eligible(reader, safe=True):
                return "a listener on an engine was not seen"
            added = _GENERATION[0]
        finally:
            sa.event.remove(reader, "before_execute", _seen)
        _REMEMBER[0] = counted < added < _GENERATION[0]
        if not _REMEMBER[0]:  # every read walks them: correct, slower
            logger.info("SQLAlchemy's listener changes are not counted: reads check them each time")
        raw = raw_rows(reader, compiled, {"key": 1})
        if not (found == raw == expected == [tuple(row.values())]):
            return f"rows {found} / {raw} where SQLAlchemy gives {expected}"
        return None
    finally:
        engine.dispose()


def _seen(*arguments: Any) -> None:
    """The probe's listener."""

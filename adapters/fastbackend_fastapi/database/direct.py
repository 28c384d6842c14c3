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

A driver error goes through `Connection._handle_dbapi_exception`, as in SQLAlchemy's own path:
the same `handle_error` listeners, the same wrapped exception, a lost connection invalidated
(runtime.Database retries the read on a fresh one). PgBouncer's transaction mode is unchanged:
the statement runs on the driver connection SQLAlchemy configured (psycopg prepares no
statement there, FASTBACKEND_POOLER).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.event.base import _JoinedDispatcher

DIRECT = "fastbackend_direct_reads"
# Execution options of the read engines that leave the SQL and its execution as they are
# (a dialect adds its own: `neutral`).
_NEUTRAL_OPTIONS = {DIRECT, "isolation_level"}
_SAFE: set[Callable[..., Any]] = set()


def neutral(option: str) -> None:
    """An execution option of a read engine that changes neither the SQL nor how it runs
    outside a transaction (SQLite's BEGIN mode: a read has none)."""
    _NEUTRAL_OPTIONS.add(option)


def safe(listener: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a `before_cursor_execute` listener (registered with ``retval=True``) as one the
    direct path calls too: it reads only the connection (no execution context)."""
    _SAFE.add(listener)
    return listener


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
        compiled = self._for(connection)
        if compiled is None or not eligible(connection):
            return connection.execute(self.statement, parameters).all()
        return _run(connection, compiled, parameters)

    def first(self, connection: Connection, parameters: Mapping[str, Any]) -> Any:
        rows = self.rows(connection, parameters)
        return rows[0] if rows else None

    def _for(self, connection: Connection) -> Compiled | None:
        dialect = connection.dialect
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
    if not options.get(DIRECT) or not _NEUTRAL_OPTIONS.issuperset(options):
        return False
    # The listeners of the connection, its engine and the engine it derives from: SQLAlchemy
    # joins their dispatchers (a new object per attribute read); their own collections are
    # read here directly, each holding the listeners registered on it and on its class.
    # (Their lists are read: a collection's truth value costs a microsecond.)
    dispatch: Any = connection.dispatch
    while True:
        joined = isinstance(dispatch, _JoinedDispatcher)
        own = dispatch.local if joined else dispatch
        for name in _UNSAFE_EVENTS:
            collection = getattr(own, name)
            if collection.parent_listeners or getattr(collection, "listeners", None):
                return False
        collection = own.before_cursor_execute
        if collection.parent_listeners and not _SAFE.issuperset(collection.parent_listeners):
            return False
        listeners = getattr(collection, "listeners", None)
        if listeners and not _SAFE.issuperset(listeners):
            return False
        if not joined:
            return True
        dispatch = dispatch.parent


_UNSAFE_EVENTS = ("before_execute", "after_execute", "after_cursor_execute")


def _parameters(compiled: Compiled, values: Mapping[str, Any], dialect: Dialect) -> Any:
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
    parameters = _parameters(compiled, values, dialect)
    cursor = None
    try:
        cursor = connection.connection.cursor()
        for listener in connection.dispatch.before_cursor_execute:
            listener(connection, cursor, compiled.sql, parameters, None, False)
        dialect.do_execute(cursor, compiled.sql, parameters, None)
        fetched = cursor.fetchall()
        if not compiled.results:
            compiled.results.append(_processors(compiled, cursor.description, dialect))
        cursor.close()
    except Exception as error:
        connection._handle_dbapi_exception(error, compiled.sql, parameters, cursor, None)
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


def _processors(compiled: Compiled, description: Any,
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

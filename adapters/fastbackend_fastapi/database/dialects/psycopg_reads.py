"""Reads through the driver on the event loop: psycopg 3's AsyncConnection, for PostgreSQL in
thread mode (docs/performance.md, "The read path").

In thread mode a read by id is handed to a worker thread and back (a GIL hand-off and two
wake-ups of the event loop). A read that qualifies for the direct path (database/direct.py:
one statement compiled ahead, outside any transaction) runs here instead, on an asyncio
connection of the same driver: an async driver never blocks the event loop while the server
works, which a sync driver called on it would. Writes, transactions and every other read keep
the thread pool.

What stays as the sync path has it:

- connections are made from the engine's own connect arguments (SQLAlchemy's
  `create_connect_args` and the Dialect's `connect_args`): the statement timeout and JIT as
  startup options, and behind a transaction pooler (FASTBACKEND_POOLER=transaction) psycopg's
  `prepare_threshold=None` (no server-side prepared statement) and no startup options;
- SQL, parameters and result processors are those the sync dialect compiled (`Compiled`), so
  the rows are the ones the sync path gives;
- a driver error becomes SQLAlchemy's `DBAPIError` (`connection_invalidated` when the
  connection is lost), which runtime.Database maps to the same problems and retries once
  on a fresh connection; a lost connection also drops every idle one (as SQLAlchemy
  invalidates its pool);
- the pool is bounded (FASTBACKEND_ASYNC_READ_POOL_SIZE connections, per worker process,
  beside the sync pool's); a read waits at most FASTBACKEND_POOL_TIMEOUT for one (503
  database-busy).

Each read drives the connection at libpq's level (psycopg's `pq` and `Transformer`, the
pieces its cursor is made of): the SQL turned to `$n` placeholders once per statement, the
parameters dumped and the rows loaded by psycopg's own adapters, and each statement prepared
once per connection (unless behind a transaction pooler), as psycopg's cursor prepares a
statement it runs often. What that skips is the cursor's generator machinery, which registers
and drops the socket on the event loop at every wait. The socket stays registered while the
connection is pooled; a read costs a third of the CPU of a cursor's `execute` (measured: 25-35
against 92 µs per statement).

Connections belong to the event loop that opened them: a read on another loop (tests run
several) first closes those of the old one. `close` closes them all (the app's shutdown).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
import sqlalchemy.exc as sa_exc
from psycopg import errors, pq
from psycopg.adapt import PyFormat, Transformer
from sqlalchemy.engine import Dialect, Engine

from fastbackend_fastapi.database import direct
from fastbackend_fastapi.database import errors as db_errors

# SQLAlchemy's psycopg dialect writes named placeholders, and a literal % as %%.
_PLACEHOLDER = re.compile(r"%(?:%|\((?P<name>[^)]+)\)s)")


def numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """``sql`` with libpq's `$n` placeholders, and the parameter names in `$n` order."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group("name")
        if name is None:
            return "%"
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    converted = _PLACEHOLDER.sub(number, sql)
    return converted, tuple(order)


class Session:
    """One psycopg connection driven at libpq's level, its socket kept on the event loop."""

    def __init__(self, connection: Any, loop: asyncio.AbstractEventLoop, prepare: bool) -> None:
        self.connection = connection
        self.pgconn = connection.pgconn
        self.encoding: str = connection.info.encoding
        self.transformer = Transformer(connection)
        self.prepare = prepare
        self.prepared: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
        self.broken: BaseException | None = None
        self._loop = loop
        self._waiter: asyncio.Future[None] | None = None
        self._fd = self.pgconn.socket
        loop.add_reader(self._fd, self._readable)

    def _readable(self) -> None:
        """The socket has data: take it in (else the loop would call again at once), and wake
        the read waiting for a whole result. A connection the server closed is broken: off the
        loop, and its next read fails (counted and retried as any lost connection)."""
        try:
            self.pgconn.consume_input()
        except Exception as error:  # (the connection is lost: psycopg's OperationalError)
            self.broken = error
            self.detach()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            if self.broken is not None:
                waiter.set_exception(self.broken)
            elif not self.pgconn.is_busy():
                waiter.set_result(None)

    async def rows(self, sql: bytes, values: Sequence[Any]
                   ) -> tuple[list[tuple[Any, ...]], list[tuple[None, int]]]:
        """Every row of ``sql`` for ``values`` (psycopg's dumpers and loaders, text results),
        and the columns as a cursor's description gives their type codes."""
        if self.broken is not None:  # lost while idle: fails as a read on it would
            raise self.broken
        pgconn, transformer = self.pgconn, self.transformer
        parameters = transformer.dump_sequence(values, [PyFormat.AUTO] * len(values))
        types = tuple(transformer.types or ())
        if not self.prepare:
            pgconn.send_query_params(sql, parameters, types, transformer.formats)
        else:
            name = self.prepared.get((sql, types))
            if name is None:
                name = f"fastbackend_{len(self.prepared)}".encode()
                pgconn.send_prepare(name, sql, types)
                self._checked(await self._result(), pq.ExecStatus.COMMAND_OK)
                self.prepared[sql, types] = name
            pgconn.send_query_prepared(name, parameters, transformer.formats)
        result = self._checked(await self._result(), pq.ExecStatus.TUPLES_OK)
        transformer.set_pgresult(result)
        loaded: list[tuple[Any, ...]] = transformer.load_rows(0, result.ntuples, tuple)
        return loaded, [(None, result.ftype(i)) for i in range(result.nfields)]

    def _checked(self, result: Any, expected: int) -> Any:
        if result.status != expected:
            raise errors.error_from_result(result, self.encoding)
        return result

    async def _result(self) -> Any:
        """The statement's result, once libpq has all of it (a statement sends one)."""
        pgconn = self.pgconn
        while pgconn.flush():  # the socket's buffer was full: wait until it drains
            written = self._loop.create_future()
            self._loop.add_writer(self._fd, written.set_result, None)
            try:
                await written
            finally:
                self._loop.remove_writer(self._fd)
        if pgconn.is_busy():
            if self.broken is not None:
                raise self.broken
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        result, last = pgconn.get_result(), pgconn.get_result()
        while last is not None:  # (none for one statement; read to the end all the same)
            last = pgconn.get_result()
        return result

    async def close(self) -> None:
        self.detach()
        await self.connection.close()

    def detach(self) -> None:
        """Off the event loop (before closing, or when broken). A closed loop has let go; a
        loop running in another thread is asked to (it owns its registrations)."""
        loop = self._loop
        if loop.is_closed():
            return
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if current is loop or not loop.is_running():
            loop.remove_reader(self._fd)
        else:
            loop.call_soon_threadsafe(loop.remove_reader, self._fd)

class AsyncReads:
    """A bounded pool of psycopg AsyncConnections (autocommit) and the reads run on them."""

    def __init__(self, engine: Engine, connect_args: Mapping[str, Any], size: int,
                 timeout: float) -> None:
        self.engine = engine
        self.dialect: Dialect = engine.dialect
        arguments, keywords = self.dialect.create_connect_args(engine.url)
        self._arguments = tuple(arguments)
        self._keywords = {**keywords, **connect_args, "autocommit": True}
        self.size = size
        self.timeout = timeout
        self._connect = psycopg.AsyncConnection.connect
        self._error: Any = psycopg.Error  # (SQLAlchemy types it as its DBAPI protocol)
        self._idle: list[Session] = []
        # psycopg prepares a statement it runs often, unless told not to (a transaction pooler)
        self._prepare = self._keywords.get("prepare_threshold", 5) is not None
        # SQLAlchemy's SQL, by the connections' encoding -> (libpq's SQL, parameters in order)
        self._statements: dict[tuple[str, str], tuple[bytes, tuple[str, ...]]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(size)

    async def rows(self, compiled: direct.Compiled, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of the statement, processed as the sync direct path does."""
        parameters = direct.parameters(compiled, values, self.dialect)
        session = await self._checkout()
        connection = session.connection
        try:
            sql, order = self._numbered(compiled, session.encoding)
            fetched, description = await session.rows(sql, [parameters[name] for name in order])
            if not compiled.results:
                compiled.results.append(direct.processors(compiled, description, self.dialect))
        except self._error as error:
            lost = bool(session.broken is not None or connection.closed or connection.broken
                        or self.dialect.is_disconnect(error, connection, None))
            await self._checkin(session, lost)
            raise self._wrapped(error, compiled.sql, parameters, lost, lost) from error
        except BaseException:  # cancelled mid-statement: the connection's state is unknown
            await self._checkin(session, lost=True)
            raise
        await self._checkin(session, lost=False)
        return direct.processed(compiled, fetched)

    def _numbered(self, compiled: direct.Compiled, encoding: str
                  ) -> tuple[bytes, tuple[str, ...]]:
        found = self._statements.get((compiled.sql, encoding))
        if found is None:
            if compiled.positional:
                raise RuntimeError("psycopg's dialect names its parameters; this one has none")
            sql, order = numbered(compiled.sql)
            found = self._statements[compiled.sql, encoding] = (sql.encode(encoding), order)
        return found

    async def _checkout(self) -> Session:
        """An idle connection's Session, or a new connection's."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            await self.close()
            self._loop, self._slots = loop, asyncio.Semaphore(self.size)
        if self._slots.locked():
            try:
                async with asyncio.timeout(self.timeout):  # (wait_for would make a task)
                    await self._slots.acquire()
            except TimeoutError:
                raise db_errors.busy(f"all {self.size} async read connections are in use "
                                     f"for more than {self.timeout:g} s") from None
        else:
            await self._slots.acquire()  # free: returns at once
        if self._idle:
            return self._idle.pop()
        try:
            connection = await self._connect(*self._arguments, **self._keywords)
        except BaseException as error:
            self._slots.release()
            if isinstance(error, self._error):
                # (retried as a lost connection; SQLAlchemy's observers are told what its
                # own failed connect tells them)
                raise self._wrapped(error, None, None, True,
                                    self.dialect.is_disconnect(error, None, None)) from error
            raise
        return Session(connection, loop, self._prepare)

    def _wrapped(self, error: Exception, statement: str | None, parameters: Any,
                 lost: bool, disconnect: bool) -> sa_exc.StatementError:
        """SQLAlchemy's exception for a driver error, shown to the engine's `handle_error`
        observers (the metrics' counter) as SQLAlchemy shows it to them on the sync path."""
        wrapped = sa_exc.DBAPIError.instance(statement, parameters, error, self._error,
                                             connection_invalidated=lost, dialect=self.dialect)
        direct.observed(self.engine, wrapped, disconnect)
        return wrapped

    async def _checkin(self, session: Session, lost: bool) -> None:
        self._slots.release()
        if not lost:
            self._idle.append(session)
            return
        # The server may have restarted: every idle connection is as suspect as this one.
        stale, self._idle = [session, *self._idle], []
        for each in stale:
            await each.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for session in idle:
            await session.close()

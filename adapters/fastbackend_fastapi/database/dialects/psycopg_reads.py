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

Connections belong to the event loop that opened them: a read on another loop (tests run
several) first closes those of the old one. `close` closes them all (the app's shutdown).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import Dialect, Engine

from fastbackend_fastapi.database import direct
from fastbackend_fastapi.database import errors as db_errors


class AsyncReads:
    """A bounded pool of psycopg AsyncConnections (autocommit) and the reads run on them."""

    def __init__(self, engine: Engine, connect_args: Mapping[str, Any], size: int,
                 timeout: float) -> None:
        import psycopg

        self.engine = engine
        self.dialect: Dialect = engine.dialect
        arguments, keywords = self.dialect.create_connect_args(engine.url)
        self._arguments = tuple(arguments)
        self._keywords = {**keywords, **connect_args, "autocommit": True}
        self.size = size
        self.timeout = timeout
        self._connect = psycopg.AsyncConnection.connect
        self._error: Any = psycopg.Error  # (SQLAlchemy types it as its DBAPI protocol)
        self._idle: list[tuple[Any, Any]] = []  # (connection, its cursor or None)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(size)

    async def rows(self, compiled: direct.Compiled, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of the statement, processed as the sync direct path does."""
        parameters = direct.parameters(compiled, values, self.dialect)
        connection, cursor = await self._checkout()
        try:
            await cursor.execute(compiled.sql, parameters)
            fetched = await cursor.fetchall()
            if not compiled.results:
                compiled.results.append(direct.processors(compiled, cursor.description,
                                                          self.dialect))
        except self._error as error:
            lost = bool(connection.closed or connection.broken
                        or self.dialect.is_disconnect(error, connection, None))
            await self._checkin(connection, None, lost)  # (a new cursor next time)
            raise self._wrapped(error, compiled.sql, parameters, lost, lost) from error
        except BaseException:  # cancelled mid-statement: the connection's state is unknown
            await self._checkin(connection, None, lost=True)
            raise
        await self._checkin(connection, cursor, lost=False)
        return direct.processed(compiled, fetched)

    async def _checkout(self) -> tuple[Any, Any]:
        """An idle connection and its cursor (one per connection, kept between reads: a
        cursor's execute starts afresh), or a new connection."""
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
            connection, cursor = self._idle.pop()
            return connection, cursor if cursor is not None else connection.cursor()
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
        return connection, connection.cursor()

    def _wrapped(self, error: Exception, statement: str | None, parameters: Any,
                 lost: bool, disconnect: bool) -> sa_exc.StatementError:
        """SQLAlchemy's exception for a driver error, shown to the engine's `handle_error`
        observers (the metrics' counter) as SQLAlchemy shows it to them on the sync path."""
        wrapped = sa_exc.DBAPIError.instance(statement, parameters, error, self._error,
                                             connection_invalidated=lost, dialect=self.dialect)
        direct.observed(self.engine, wrapped, disconnect)
        return wrapped

    async def _checkin(self, connection: Any, cursor: Any, lost: bool) -> None:
        self._slots.release()
        if not lost:
            self._idle.append((connection, cursor))
            return
        # The server may have restarted: every idle connection is as suspect as this one.
        stale, self._idle = [connection, *(each for each, _ in self._idle)], []
        for each in stale:
            await each.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection, _ in idle:
            await connection.close()

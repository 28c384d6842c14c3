"""Everything built from the IR at startup, and the one way routes run database work."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

from fastbackend_fastapi import database
from fastbackend_fastapi.database import dialects, direct
from fastbackend_fastapi.database import errors as db_errors
from fastbackend_fastapi.database.execution import ResolvedExecution
from fastbackend_fastapi.database.replicas import Router
from fastbackend_fastapi.events.outbox import Outbox
from fastbackend_fastapi.events.realtime import Hub
from fastbackend_fastapi.keys import KeyCodec, key_codec
from fastbackend_fastapi.listing import ListParser, ListStatements, build_parser
from fastbackend_fastapi.problems import Problem
from fastbackend_fastapi.representation import Representation, build_representation
from fastbackend_fastapi.schemas import EntitySchemas, build
from fastbackend_fastapi.scope import ReferenceCheck
from fastbackend_fastapi.settings import Settings
from fastbackend_fastapi.store import EntityStore, build_store
from fastbackend_fastapi.tables import Catalog
from fastbackend_ir import IR, Entity

if TYPE_CHECKING:  # importing SQLAlchemy's asyncio needs greenlet, an optional package
    from sqlalchemy.ext.asyncio import AsyncEngine

    from fastbackend_fastapi.routes.nested import NestedWrites

T = TypeVar("T")
# The atomic batch's transaction (Database.transaction): while set, every read and write of
# the request runs on its one connection. A context variable, so each request sees its own.
Held = Callable[[Callable[[Connection], Any]], Awaitable[Any]]
_HELD: contextvars.ContextVar[Held | None] = contextvars.ContextVar("fastbackend_held",
                                                                     default=None)


@dataclass(frozen=True)
class EntityRuntime:
    entity: Entity
    store: EntityStore
    schemas: EntitySchemas
    representation: Representation
    keys: KeyCodec
    parser: ListParser
    lists: ListStatements

    def not_found(self, key_text: str) -> Problem:
        names = ",".join(self.entity.api.key)
        return Problem(404, "not-found", f"no {self.entity.name} with {names} {key_text!r}")

    def parse_key(self, key_text: str) -> tuple[Any, ...]:
        key = self.keys.parse(key_text)
        if key is None:
            raise self.not_found(key_text)
        return key


@dataclass
class Database:
    """Runs a function on a connection, in a read or a write transaction.

    ``execution`` says where: on the event loop (inline), in a thread pool (thread), or on an
    asyncio driver connection through SQLAlchemy's greenlet bridge (async); docs/runtime.md
    has the measurements behind each dialect's default.

    Failures of the database become problems (db_errors.failure_problem). Work that met a
    dead connection (the database restarted since it was pooled) runs once more on a fresh
    one: a transaction that did not reach COMMIT was rolled back by the database, so running
    it again cannot apply it twice. A connection lost during COMMIT is never retried: its
    outcome is unknown, and the client is told so (503 commit-outcome-unknown).
    """

    engine: Engine
    catalog: Catalog
    execution: ResolvedExecution
    threads: int = 16
    async_engine: AsyncEngine | None = None
    # Seconds a call may wait for a free worker thread (thread mode; one per connection);
    # by default the engine pool's own checkout timeout (Settings.pool_timeout).
    pool_timeout: float | None = None
    # Read replicas (database/replicas.py): set by operations/wiring.py when configured.
    replicas: Router | None = None
    # Change events (docs/events.md): recorded by every write, in its transaction.
    outbox: Outbox | None = None
    on_commit: Callable[[], None] | None = None  # the server's events worker: claim now
    feed: Hub | None = None  # the realtime feeds' hub (events/realtime.py), when declared
    # Thread mode's direct reads on the event loop (Dialect.async_reads), where the driver can.
    async_reads: direct.AsyncReader | None = None
    read_engine: Engine = field(init=False)
    write_engine: Engine = field(init=False)
    async_read_engine: AsyncEngine | None = field(init=False)
    executor: ThreadPoolExecutor = field(init=False)
    _gate: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = field(init=False)
    _kept: direct.KeptConnection | None = field(init=False)  # inline mode's direct reads

    def __post_init__(self) -> None:
        self.read_engine = database.reader(self.engine)
        self.write_engine = database.writer(self.engine)
        self.async_read_engine = (None if self.async_engine is None else
                                  self.async_engine.execution_options(
            isolation_level="AUTOCOMMIT", **{direct.DIRECT: True}))
        self.executor = ThreadPoolExecutor(self.threads, thread_name_prefix="fastbackend-db")
        direct.check()  # SQLAlchemy's internals as the direct path reads them, or it is off
        self._gate = None
        # (not for an in-memory database: its data lives in its pool's one connection)
        keeps = (self.execution == "inline" and isinstance(self.engine.pool, QueuePool)
                 and dialects.of(self.engine.dialect).keeps_read_connection)
        self._kept = direct.KeptConnection(self.read_engine) if keeps else None
        if self.pool_timeout is None:
            timeout = getattr(self.engine.pool, "timeout", None)  # QueuePool.timeout()
            self.pool_timeout = float(timeout()) if callable(timeout) else DEFAULT_WAIT

    async def close(self) -> None:
        if self.replicas is not None:
            self.replicas.close()
        self.executor.shutdown(wait=True)
        if self.async_reads is not None:
            await self.async_reads.close()
        if self.async_engine is not None:
            await self.async_engine.dispose()
        if self._kept is not None:
            self._kept.close()
        self.engine.dispose()

    async def read(self, work: Callable[[Connection], T], *, primary: bool = False) -> T:
        """``primary``: never on a read replica (the probes ask the primary)."""
        held = _HELD.get()
        if held is not None:  # inside an atomic batch: its transaction reads its own writes
            result: T = await held(work)
            return result
        if self.async_engine is not None:
            return await self._async(work, write=False)
        once = partial(self._read_once, work)
        if self.replicas is not None and not primary:
            once = partial(self.replicas.read, work, once)
        return await self._run(partial(self._attempts, once))

    async def read_first(self, statement: direct.DirectStatement, parameters: Mapping[str, Any],
                         work: Callable[[Connection], Any]) -> Any:
        """The first row of ``statement`` (a read's answer, by position), or None.

        Outside a batch and without replicas it skips SQLAlchemy's Connection where that
        gives the same rows: in thread mode on the event loop through the driver's asyncio
        connection (`async_reads`), else on a pooled DBAPI connection (direct.raw_rows) where
        the read engine sets nothing on its connections (SQLite). Otherwise, and whenever
        the statement cannot run directly, ``work`` runs as `read` runs it."""
        if _HELD.get() is None and self.replicas is None and self.async_engine is None:
            if self.async_reads is not None:
                if direct.engine_eligible(self.read_engine, safe=False):
                    compiled = statement.compiled(self.read_engine.dialect)
                    if compiled is not None:
                        return _first(await self._async_retrying(
                            partial(self.async_reads.rows, compiled, parameters)))
            elif direct.engine_eligible(self.read_engine, safe=True):
                compiled = statement.compiled(self.read_engine.dialect)
                if compiled is not None:
                    return _first(await self._run(partial(self._attempts, partial(
                        direct.raw_rows, self.read_engine, compiled, parameters, self._kept))))
        return await self.read(work)

    async def write(self, work: Callable[[Connection], T]) -> T:
        held = _HELD.get()
        if held is not None:  # inside an atomic batch: committed (and announced) by it
            result: T = await held(work)
            return result
        if self.outbox is not None:  # the realtime feed's rows last, under its lock
            work = self.outbox.deferring(work)
        if self.async_engine is not None:
            result = await self._async(work, write=True)
        else:
            result = await self._run(partial(self._attempts, partial(self._write_once, work)))
        if self.on_commit is not None:
            self.on_commit()
        if self.replicas is not None:
            await self.replicas.wrote()  # this client's next reads go to the primary
        return result

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One write transaction for every `read` and `write` awaited inside (the atomic batch,
        routes/batch.py): committed when the block ends, rolled back when it raises. Never
        retried: the block's work is not known to be safe to run twice."""
        held = self._held_async() if self.async_engine is not None else self._held_sync()
        async with held:
            yield
        if self.on_commit is not None:
            self.on_commit()
        if self.replicas is not None:
            await self.replicas.wrote()

    @asynccontextmanager
    async def _held_async(self) -> AsyncIterator[None]:
        assert self.async_engine is not None
        async with self.async_engine.connect() as connection, connection.begin() as transaction:
            token = _HELD.set(partial(_unwrapped_async, connection.run_sync))
            try:
                await connection.run_sync(self._defer_feed)
                yield
                await connection.run_sync(self._flush_feed)
            finally:
                _HELD.reset(token)
                await connection.run_sync(self._drop_feed)
            await _commit_async(transaction)

    @asynccontextmanager
    async def _held_sync(self) -> AsyncIterator[None]:
        connection: Connection = await self._run(partial(_guarded, self.write_engine.connect))
        try:
            transaction = await self._run(connection.begin)
            token = _HELD.set(lambda work: self._run(partial(_guarded, work, connection)))
            try:
                self._defer_feed(connection)
                yield
                await self._run(partial(_guarded, self._flush_feed, connection))
            except BaseException:
                with suppress(sa_exc.SQLAlchemyError):  # a broken connection rolled it back
                    await self._run(transaction.rollback)
                raise
            finally:
                _HELD.reset(token)
                self._drop_feed(connection)
            await self._run(partial(_commit, transaction))
        finally:
            await self._run(connection.close)

    # A batch's realtime feed rows go in once, at its end, under the feed lock (as a single
    # write's do, Outbox.deferring): per operation, the lock would be held across the later
    # operations' row locks.
    def _defer_feed(self, connection: Connection) -> None:
        if self.outbox is not None:
            self.outbox.defer(connection)

    def _flush_feed(self, connection: Connection) -> None:
        if self.outbox is not None:
            self.outbox.flush_deferred(connection)

    def _drop_feed(self, connection: Connection) -> None:
        if self.outbox is not None:
            self.outbox.drop_deferred(connection)

    async def _run(self, call: Callable[[], T]) -> T:
        if self.execution == "inline":
            return call()
        gate = self._thread_gate()
        await self._enter(gate)
        try:
            # A plain executor: cheaper per call than anyio's limiter-checked worker threads.
            # The request's context goes along: the row scope (scope.py) lives in a context
            # variable.
            context = contextvars.copy_context()
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.executor, context.run, call)
        finally:
            gate.release()

    def _thread_gate(self) -> asyncio.Semaphore:
        """One permit per worker thread, so a call waits here (bounded), never in the
        executor's unbounded queue. Made per event loop (a test may run several)."""
        loop = asyncio.get_running_loop()
        if self._gate is None or self._gate[0] is not loop:
            self._gate = (loop, asyncio.Semaphore(self.threads))
        return self._gate[1]

    async def _enter(self, gate: asyncio.Semaphore) -> None:
        if not gate.locked():
            await gate.acquire()  # free: returns at once, no task
            return
        try:
            await asyncio.wait_for(gate.acquire(), self.pool_timeout)
        except TimeoutError:
            raise db_errors.busy(f"all {self.threads} database connections are in use "
                                 f"for more than {self.pool_timeout:g} s") from None

    def _attempts(self, once: Callable[[], T]) -> T:
        for attempt in range(RETRIES + 1):
            try:
                return once()
            except (sa_exc.DBAPIError, sa_exc.TimeoutError) as error:
                _raise_unless_retryable(error, attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _read_once(self, work: Callable[[Connection], T]) -> T:
        with self.read_engine.connect() as connection:
            return work(connection)

    def _write_once(self, work: Callable[[Connection], T]) -> T:
        with self.write_engine.connect() as connection, connection.begin() as transaction:
            result = work(connection)
            try:
                transaction.commit()
            except sa_exc.DBAPIError as error:
                if error.connection_invalidated:
                    raise db_errors.outcome_unknown() from error
                raise
            return result

    async def _async(self, work: Callable[[Connection], T], write: bool) -> T:
        return await self._async_retrying(partial(self._async_once, work, write))

    async def _async_retrying(self, once: Callable[[], Awaitable[T]]) -> T:
        for attempt in range(RETRIES + 1):
            try:
                return await once()
            except (sa_exc.DBAPIError, sa_exc.TimeoutError) as error:
                _raise_unless_retryable(error, attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _async_once(self, work: Callable[[Connection], T], write: bool) -> T:
        assert self.async_engine is not None and self.async_read_engine is not None
        if not write:
            async with self.async_read_engine.connect() as connection:
                return await connection.run_sync(work)
        async with self.async_engine.connect() as connection, connection.begin() as transaction:
            result = await connection.run_sync(work)
            try:
                await transaction.commit()
            except sa_exc.DBAPIError as error:
                if error.connection_invalidated:
                    raise db_errors.outcome_unknown() from error
                raise
            return result

    def record(self, connection: Connection, runtime: EntityRuntime, operation: str,
               rows: Sequence[Any], changed: Sequence[str] | None = None,
               link: Mapping[str, Any] | None = None) -> None:
        """The write's change events, in its transaction (events/outbox.py). Nothing
        without events."""
        if self.outbox is not None:
            self.outbox.record(connection, runtime, operation, rows, changed, link)

    def record_keys(self, connection: Connection, runtime: EntityRuntime, operation: str,
                    keys: Sequence[Sequence[Any]]) -> None:
        """Events of rows known by their key only (a delete)."""
        if self.outbox is not None:
            self.outbox.record_keys(connection, runtime, operation, keys)

    @contextmanager
    def guard(self, entity: str, operation: db_errors.Operation, values: Mapping[str, Any],
              prefix: Sequence[str | int] = ()) -> Iterator[None]:
        """Turn a database error raised by one statement into the problem it means."""
        try:
            yield
        except (sa_exc.IntegrityError, sa_exc.DataError) as error:
            context = db_errors.Context(entity, operation, values, prefix)
            raise db_errors.to_problem(error, self.catalog, context) from None
        except db_errors.MissingReference as missing:  # checked before the statement
            context = db_errors.Context(entity, operation, values, prefix)
            raise missing.at(context, missing.fields) from None


def _first(rows: Sequence[Any]) -> Any:
    return rows[0] if rows else None


def _guarded(work: Callable[..., T], *arguments: Any) -> T:
    """``work`` with the database's failures as the problems they mean (never retried)."""
    try:
        return work(*arguments)
    except (sa_exc.DBAPIError, sa_exc.TimeoutError) as error:
        _raise_unless_retryable(error, RETRIES)
        raise AssertionError("unreachable: the last attempt raises") from None


async def _unwrapped_async(run: Callable[[Callable[[Connection], T]], Awaitable[T]],
                           work: Callable[[Connection], T]) -> T:
    try:
        return await run(work)
    except (sa_exc.DBAPIError, sa_exc.TimeoutError) as error:
        _raise_unless_retryable(error, RETRIES)
        raise AssertionError("unreachable: the last attempt raises") from None


def _commit(transaction: Any) -> None:
    try:
        transaction.commit()
    except sa_exc.DBAPIError as error:
        if error.connection_invalidated:
            raise db_errors.outcome_unknown() from error
        _raise_unless_retryable(error, RETRIES)


async def _commit_async(transaction: Any) -> None:
    try:
        await transaction.commit()
    except sa_exc.DBAPIError as error:
        if error.connection_invalidated:
            raise db_errors.outcome_unknown() from error
        _raise_unless_retryable(error, RETRIES)


# Work that met a dead connection runs once more, on a fresh connection.
RETRIES = 1
DEFAULT_WAIT = 10.0


def _raise_unless_retryable(error: sa_exc.SQLAlchemyError, attempt: int) -> None:
    """Return to retry; else raise the problem the error means (or the error: a bug)."""
    lost = isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated
    if lost and attempt < RETRIES:
        return  # SQLAlchemy has invalidated the pool: every older connection is replaced
    problem = db_errors.failure_problem(error)
    if problem is None and isinstance(error, sa_exc.DBAPIError):
        problem = db_errors.database_error(error)
    if problem is None:
        raise error
    raise problem from None


@dataclass(frozen=True)
class Runtime:
    ir: IR
    settings: Settings
    catalog: Catalog
    database: Database
    entities: dict[str, EntityRuntime]

    def entity(self, name: str) -> EntityRuntime:
        return self.entities[name]

    @cached_property
    def related_scopes(self) -> dict[str, tuple[str, ...]]:
        """Every scoped entity's scope fields: list queries reaching them through relations
        (filters, sorts, includes) filter by them too (query/sql.py). Once per runtime: every
        entity's and relation's list needs it, and computing it for each was quadratic."""
        return {name: rt.store.scope_fields for name, rt in self.entities.items()
                if rt.store.scope_fields}

    @cached_property
    def nested(self) -> NestedWrites:
        """Every entity's nestable relations (routes/nested.py), built on first use."""
        from fastbackend_fastapi.routes.nested import NestedWrites  # it imports this module

        return NestedWrites(self.ir, self)


def build_entity_runtime(ir: IR, catalog: Catalog, entity: Entity, settings: Settings,
                         scope_fields: tuple[str, ...] = (),
                         fill_fields: tuple[str, ...] = (),
                         references: tuple[ReferenceCheck, ...] = ()) -> EntityRuntime:
    """``scope_fields`` filter every statement, ``fill_fields`` (scope ones included) are set
    by the server on create; neither is accepted from the client (scope.py)."""
    schemas = build(ir, entity, frozenset(fill_fields))
    store = build_store(catalog.entity_table(entity.name), scope_fields, fill_fields, references)
    return EntityRuntime(
        entity=entity,
        store=store,
        schemas=schemas,
        representation=build_representation(entity, schemas),
        keys=key_codec(ir, entity),
        parser=build_parser(ir, entity, settings),
        lists=ListStatements(store),
    )

"""Everything built from the IR at startup, and the one way routes run database work."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from fastbackend_fastapi import database, db_errors
from fastbackend_fastapi.keys import KeyCodec, key_codec
from fastbackend_fastapi.listing import ListParser, ListStatements, build_parser
from fastbackend_fastapi.problems import Problem
from fastbackend_fastapi.representation import Representation, build_representation
from fastbackend_fastapi.schemas import EntitySchemas, build
from fastbackend_fastapi.scope import ReferenceCheck
from fastbackend_fastapi.settings import ResolvedExecution, Settings
from fastbackend_fastapi.store import EntityStore, build_store
from fastbackend_fastapi.tables import Catalog
from fastbackend_ir import IR, Entity

if TYPE_CHECKING:  # importing SQLAlchemy's asyncio needs greenlet, an optional package
    from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")


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
    """

    engine: Engine
    catalog: Catalog
    execution: ResolvedExecution
    threads: int = 16
    async_engine: AsyncEngine | None = None
    read_engine: Engine = field(init=False)
    write_engine: Engine = field(init=False)
    async_read_engine: AsyncEngine | None = field(init=False)
    executor: ThreadPoolExecutor = field(init=False)

    def __post_init__(self) -> None:
        self.read_engine = database.reader(self.engine)
        self.write_engine = database.writer(self.engine)
        self.async_read_engine = (None if self.async_engine is None else
                                  self.async_engine.execution_options(isolation_level="AUTOCOMMIT"))
        self.executor = ThreadPoolExecutor(self.threads, thread_name_prefix="fastbackend-db")

    async def close(self) -> None:
        self.executor.shutdown(wait=True)
        if self.async_engine is not None:
            await self.async_engine.dispose()
        self.engine.dispose()

    async def read(self, work: Callable[[Connection], T]) -> T:
        if self.async_engine is not None:
            return await self._async(work, write=False)
        return await self._run(partial(self._in_read, work))

    async def write(self, work: Callable[[Connection], T]) -> T:
        if self.async_engine is not None:
            return await self._async(work, write=True)
        return await self._run(partial(self._in_write, work))

    async def _run(self, call: Callable[[], T]) -> T:
        if self.execution == "inline":
            return call()
        # A plain executor: cheaper per call than anyio's limiter-checked worker threads. The
        # request's context goes along: the row scope (scope.py) lives in a context variable.
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(self.executor, context.run, call)

    async def _async(self, work: Callable[[Connection], T], write: bool) -> T:
        assert self.async_engine is not None
        try:
            if write:
                async with self.async_engine.begin() as connection:
                    return await connection.run_sync(work)
            assert self.async_read_engine is not None
            async with self.async_read_engine.connect() as connection:
                return await connection.run_sync(work)
        except UNAVAILABLE as error:
            raise unavailable(error) from None

    def _in_read(self, work: Callable[[Connection], T]) -> T:
        try:
            with self.read_engine.connect() as connection:
                return work(connection)
        except UNAVAILABLE as error:
            raise unavailable(error) from None

    def _in_write(self, work: Callable[[Connection], T]) -> T:
        try:
            with self.write_engine.begin() as connection:
                return work(connection)
        except UNAVAILABLE as error:
            raise unavailable(error) from None

    @contextmanager
    def guard(self, entity: str, operation: db_errors.Operation, values: Mapping[str, Any],
              prefix: Sequence[str | int] = ()) -> Iterator[None]:
        """Turn a database error raised by one statement into the problem it means."""
        try:
            yield
        except (sa_exc.IntegrityError, sa_exc.DataError) as error:
            context = db_errors.Context(entity, operation, values, prefix)
            raise db_errors.to_problem(error, self.catalog, context) from None


# Errors that say "the database cannot serve this now", not "this request is wrong": a lost
# connection, a full pool, SQLite's busy lock.
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def unavailable(error: sa_exc.SQLAlchemyError) -> Problem:
    if "locked" in str(getattr(error, "orig", error)):
        return Problem(503, "database-busy", "the database is busy; retry the request",
                       headers={"Retry-After": "1"})
    return Problem(503, "database-unavailable", "the database is unavailable",
                   headers={"Retry-After": "5"})


@dataclass(frozen=True)
class Runtime:
    ir: IR
    settings: Settings
    catalog: Catalog
    database: Database
    entities: dict[str, EntityRuntime]

    def entity(self, name: str) -> EntityRuntime:
        return self.entities[name]


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

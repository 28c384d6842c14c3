"""Reads by id on the event loop through asyncpg, with its statement cache (docs/performance.md,
"asyncpg for reads by id"): about half the CPU of psycopg's AsyncConnection per one-row select.

It replaces psycopg_reads.AsyncReads where it gives the same rows and the same problems
(`usable`): PostgreSQL not behind a transaction pooler (asyncpg's speed is its cache of
prepared statements, which such a pooler forbids), a DATABASE_URL asyncpg takes exactly as
libpq does (host, port, user, password, database, sslmode, application_name), and
FASTBACKEND_ASYNC_READ_DRIVER=asyncpg. Otherwise psycopg's loop reads run (said once in the log).

What psycopg_reads keeps, this keeps: the same bounded pool (its `_checkout`/`_checkin`, with
FASTBACKEND_ASYNC_READ_POOL_SIZE connections), the same SQL (psycopg's compiled statement, its
``%(name)s`` parameters numbered for asyncpg), the same session (statement timeout and JIT as
startup settings, autocommit), and:

- the same values before SQLAlchemy's result processors: json and jsonb decoded by the
  engine's JSON deserializer (a codec set on connect), uuid as `uuid.UUID` (asyncpg's own
  class otherwise), timestamptz in the session's time zone (asyncpg gives UTC), an array's
  elements likewise (`_converters`, decided per statement from its columns' types);
- the same exceptions: a driver error becomes the SQLAlchemy exception psycopg's would
  (the class psycopg maps its SQLSTATE to, so 503 database-timeout / busy / unavailable and
  the metrics' kinds are the same), `connection_invalidated` when the connection is lost
  (retried once on a fresh one by runtime.Database), shown to the `direct.observer`s.
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import Engine

from fastbackend_fastapi.database import direct
from fastbackend_fastapi.database.dialects.psycopg_reads import AsyncReads

logger = logging.getLogger("fastbackend_fastapi.asyncpg_reads")
# URL query parameters asyncpg reads as libpq does; any other keeps psycopg.
_QUERY = {"sslmode", "application_name"}
_SSLMODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}
# libpq environment variables asyncpg does not read the same way (or at all).
_ENVIRONMENT = ("PGOPTIONS", "PGSERVICE", "PGSERVICEFILE", "PGSSLCERT", "PGSSLKEY",
                "PGSSLROOTCERT", "PGSSLCRL", "PGHOSTADDR", "PGCONNECT_TIMEOUT", "PGTARGETSESSIONATTRS",
                "PGREQUIRESSL", "PGGSSENCMODE", "PGCHANNELBINDING")
_PARAMETER = re.compile(r"%\(([^)]+)\)s|%%")
_LOGGED: set[str] = set()


def usable(url: sa.URL, pooler: str) -> str | None:
    """Why asyncpg cannot take this database's reads exactly as psycopg would, or None."""
    if pooler == "transaction":
        return "behind a transaction pooler asyncpg's statement cache cannot be kept"
    extra = sorted(set(url.query) - _QUERY)
    if extra:
        return f"DATABASE_URL has parameters asyncpg would read otherwise: {', '.join(extra)}"
    if any(not isinstance(value, str) for value in url.query.values()):
        return "DATABASE_URL repeats a parameter"
    if url.query.get("sslmode", "prefer") not in _SSLMODES:
        return f"sslmode {url.query['sslmode']!r}"
    if not url.host or "," in url.host:
        return "DATABASE_URL names no single host (a socket or several hosts)"
    environment = [name for name in _ENVIRONMENT if os.environ.get(name)]
    if environment:
        return f"libpq settings in the environment: {', '.join(environment)}"
    return None


def told(reason: str) -> None:
    """``reason`` logged once per process."""
    if reason not in _LOGGED:
        _LOGGED.add(reason)
        logger.info("reads by id run through psycopg, not asyncpg: %s", reason)


class AsyncpgReads(AsyncReads):
    """A bounded pool of asyncpg connections (statement cache on) and the reads run on them."""

    def __init__(self, engine: Engine, size: int, timeout: float, connect_timeout: float,
                 server_settings: Mapping[str, str]) -> None:
        import asyncpg  # type: ignore[import-untyped]

        super().__init__(engine, {}, size, timeout)
        url = engine.url
        self._asyncpg = asyncpg
        self._options: dict[str, Any] = {
            "host": url.host, "port": url.port or 5432, "user": url.username,
            "password": url.password, "database": url.database, "timeout": connect_timeout,
            "server_settings": {**server_settings, **({"application_name": str(
                url.query["application_name"])} if "application_name" in url.query else {})},
        }
        if "sslmode" in url.query:
            self._options["ssl"] = str(url.query["sslmode"])
        # (InternalClientError: its protocol out of step, seen after a server-side close)
        self._error = (asyncpg.PostgresError, asyncpg.InterfaceError,
                       asyncpg.InternalClientError, OSError)
        self._loads: Callable[[str], Any] = getattr(engine.dialect, "_json_deserializer",
                                                    None) or json.loads
        # per statement: its SQL for asyncpg, the parameters' order, the column converters
        self._statements: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._converters: dict[str, tuple[tuple[int, Callable[[Any], Any]], ...]] = {}

    async def rows(self, compiled: direct.Compiled, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        bound = direct.parameters(compiled, values, self.dialect)
        sql, order = self._numbered(compiled)
        arguments = [bound[key] for key in order]
        connection, _ = await self._checkout()
        try:
            # (through asyncpg's statement cache; a cached statement the schema invalidated
            # is prepared again by asyncpg itself)
            fetched = await connection.fetch(sql, *arguments)
            converters = self._converters.get(sql)
            if converters is None or not compiled.results:
                attributes = (await connection.prepare(sql)).get_attributes()  # (cached)
                converters = self._converters[sql] = self._converters_of(attributes, connection)
                description = [(each.name, each.type.oid) for each in attributes]
                compiled.results[:] = [direct.processors(compiled, description, self.dialect)]
        except self._error as error:
            lost = connection.is_closed() or _lost(error)
            await self._checkin(connection, None, lost)
            raise self._wrapped(error, sql, arguments, lost, lost) from error
        except BaseException:  # cancelled mid-statement: the connection's state is unknown
            await self._checkin(connection, None, lost=True)
            raise
        await self._checkin(connection, None, lost=False)
        rows = [tuple(row) for row in fetched]
        if converters:
            rows = [_converted(row, converters) for row in rows]
        return direct.processed(compiled, rows)

    def _numbered(self, compiled: direct.Compiled) -> tuple[str, tuple[str, ...]]:
        """psycopg's ``%(name)s`` SQL with asyncpg's ``$n`` parameters, and their names."""
        found = self._statements.get(compiled.sql)
        if found is None:
            order: list[str] = []

            def number(match: re.Match[str]) -> str:
                name = match.group(1)
                if name is None:
                    return "%"
                if name not in order:
                    order.append(name)
                return f"${order.index(name) + 1}"

            if compiled.positional:
                raise RuntimeError("psycopg's statements are compiled with named parameters")
            found = self._statements[compiled.sql] = (
                _PARAMETER.sub(number, compiled.sql), tuple(order))
        return found

    def _converters_of(self, attributes: Any, connection: Any
                       ) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        """For each column whose asyncpg value differs from psycopg's, what makes it psycopg's."""
        zone = _zone(connection.get_settings().TimeZone)
        converters = []
        for position, attribute in enumerate(attributes):
            kind = attribute.type
            element = kind.name.removesuffix("[]") if kind.kind == "array" else None
            convert = _converter(element or kind.name, zone) if kind.schema == "pg_catalog" \
                else None  # (a type of the same name in another schema)
            if convert is not None:
                converters.append((position, convert if element is None else _each(convert)))
        return tuple(converters)

    async def _open(self) -> tuple[Any, Any]:
        connection = await self._asyncpg.connect(**self._options)
        try:
            for name in ("json", "jsonb"):
                await connection.set_type_codec(name, schema="pg_catalog", encoder=json.dumps,
                                                decoder=self._loads, format="text")
        except BaseException:
            await connection.close()
            raise
        return connection, None

    def _cursor(self, connection: Any) -> Any:
        return None  # (asyncpg prepares through the connection: its statement cache)

    def _disconnect_on_connect(self, error: Any) -> bool:
        return _lost(error)

    async def _discard(self, connection: Any) -> None:
        connection.terminate()  # (a lost connection: no goodbye to wait for)

    def _wrapped(self, error: Exception, statement: str | None, parameters: Any,
                 lost: bool, disconnect: bool) -> sa_exc.StatementError:
        wrapped = _class_of(error)(statement, parameters, error, connection_invalidated=lost)
        direct.observed(self.engine, wrapped, disconnect)
        return wrapped


def _lost(error: BaseException) -> bool:
    import asyncpg

    if isinstance(error, OSError | asyncpg.ConnectionDoesNotExistError
                  | asyncpg.InterfaceError | asyncpg.InternalClientError):
        return True
    state = getattr(error, "sqlstate", None) or ""
    return state.startswith("08") or state in ("57P01", "57P02", "57P03")


def _class_of(error: BaseException) -> type[sa_exc.DBAPIError]:
    """The SQLAlchemy exception class psycopg's error of the same SQLSTATE is wrapped in."""
    import psycopg

    state = getattr(error, "sqlstate", None)
    if not isinstance(state, str):  # no server answer: psycopg raises OperationalError
        return sa_exc.OperationalError
    try:
        raised: type[BaseException] = psycopg.errors.lookup(state)
    except KeyError:
        raised = psycopg.DatabaseError
    for base in raised.__mro__:
        if base.__module__.startswith("psycopg") and hasattr(sa_exc, base.__name__):
            found = getattr(sa_exc, base.__name__)
            if isinstance(found, type) and issubclass(found, sa_exc.DBAPIError):
                return found
    return sa_exc.DatabaseError


def _zone(name: str) -> Any:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # psycopg falls back to UTC likewise
        return ZoneInfo("UTC")


def _converter(type_name: str, zone: Any) -> Callable[[Any], Any] | None:
    if type_name == "uuid":
        return _uuid
    if type_name == "timestamptz":
        return lambda value: value if value is None or not isinstance(value, datetime) \
            else value.astimezone(zone)
    return None


def _uuid(value: Any) -> Any:
    return value if value is None else uuid.UUID(bytes=value.bytes)


def _each(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def each(value: Any) -> Any:
        if value is None:
            return None
        return [each(item) if isinstance(item, list) else convert(item) for item in value]
    return each


def _converted(row: tuple[Any, ...], converters: tuple[tuple[int, Callable[[Any], Any]], ...]
               ) -> tuple[Any, ...]:
    values = list(row)
    for position, convert in converters:
        values[position] = convert(values[position])
    return tuple(values)


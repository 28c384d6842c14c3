"""PATCH and DELETE on an entity's collection path: update or delete every row the list query
language's filters match, in one statement and one transaction (docs/rest-api.md, "Bulk
update and delete by filter").

What the single-row routes guarantee holds here too: the row scope (scope.py) is a condition
of the statement, the body is the Update schema, the key cannot change, the database's refusals
are the same problems. Beyond them: a request that names no filter is refused unless it says
`all=true`, and one that touches more than `limits.max_bulk_rows` rows is rolled back (its
RETURNING rows are counted inside the transaction, so concurrent writers cannot slip past).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection, Row

from fastbackend_contract import tables
from fastbackend_fastapi import prefer
from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.database.dialects import Dialect
from fastbackend_fastapi.problems import FieldError, Problem, pointer, validation_problem
from fastbackend_fastapi.query.errors import bad_parameter
from fastbackend_fastapi.query.nodes import Node, shape, values
from fastbackend_fastapi.query.operators import by_name
from fastbackend_fastapi.query.parse import RESERVED
from fastbackend_fastapi.query.sql import Compiler, related_scope_parameters
from fastbackend_fastapi.routes.common import json_body, json_response, query_limits, validate
from fastbackend_fastapi.runtime import Database, EntityRuntime
from fastbackend_fastapi.security import DEFAULT_MAX_BULK_ROWS

Endpoint = Callable[[Request], Awaitable[Response]]
ALL = tables.BULK_ALL_PARAMETER
MAX_SHAPES = 256  # distinct (filter shape, fields set) statements kept per entity


def bulk_filter(runtime: EntityRuntime, request: Request) -> Node:
    """The request's filters; 400 for a parameter a bulk write does not take, and
    `filter-required` when it names none without `all=true`."""
    params: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in params:
            raise bad_parameter(name, "given more than once")
        params[name] = value
    allow_all = params.pop(ALL, "false")
    if allow_all not in ("true", "false"):
        raise bad_parameter(ALL, "must be true or false (true lets a bulk write name no "
                                 "filter)")
    for name in params:
        if name in RESERVED and name not in tables.BULK_PARAMETERS:
            raise bad_parameter(name, "a bulk update or delete takes filters and where only")
    query = runtime.parser.parse_mapping(params, query_limits(request))
    if allow_all == "false" and _names_no_filter(params):
        raise Problem(400, "filter-required",
                      "a bulk update or delete needs a filter: add one, or all=true to change "
                      "every row")
    return query.where


def _names_no_filter(params: Mapping[str, str]) -> bool:
    """No filter parameter, and no `where` or an empty one (`where={}`): the Express server's
    rule too (a `where` that still matches every row, `{"AND": []}`, is a filter)."""
    if any(name not in RESERVED for name in params):
        return False
    return "where" not in params or json.loads(params["where"]) == {}


@dataclass
class BulkStatements:
    """UPDATE / DELETE ... WHERE <filters> AND <row scope> RETURNING <every field>, built once
    per filter shape (and set of fields written), values bound per request."""

    runtime: EntityRuntime
    related_scopes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _built: dict[tuple[Any, ...], tuple[Any, tuple[str, ...]]] = field(default_factory=dict)

    def run(self, connection: Connection, where: Node,
            written: Mapping[str, Any] | None) -> list[Row[Any]]:
        """``written`` None deletes; an empty mapping only reads the matching rows."""
        dialect = dialects.of(connection.dialect)
        names = None if written is None else tuple(sorted(written))
        store = self.runtime.store
        returning = (connection.dialect.delete_returning
                     if written is None and store.soft_delete is None
                     else connection.dialect.update_returning)  # soft delete: an UPDATE
        by_keys = names != () and not returning  # read the matching rows, then write them
        statement, scoped = self._statement(where, () if by_keys else names, dialect)
        parameters = {f"p{i}": by_name(node.op).prepare(node.value, dialect)
                      for i, node in enumerate(values(where))}
        if written is None:  # soft delete: the stamp's value
            parameters.update(store.removal_parameters())
        if store.scope_fields:
            parameters.update(store.scope_parameters())
        if scoped:
            parameters.update(related_scope_parameters(scoped, self.related_scopes))
        if by_keys:
            return self._by_keys(connection, statement, parameters, written)
        parameters.update({f"set_{name}": value for name, value in (written or {}).items()})
        return list(connection.execute(statement, parameters))

    def _by_keys(self, connection: Connection, matched: Any, parameters: dict[str, Any],
                 written: Mapping[str, Any] | None) -> list[Row[Any]]:
        """Without UPDATE/DELETE ... RETURNING (MySQL; MariaDB's UPDATE): the matching rows
        read and locked first, then written by their keys, so the answer names exactly the
        rows written, not rows another transaction committed meanwhile."""
        store = self.runtime.store
        rows = list(connection.execute(matched.with_for_update(), parameters))
        if not rows:
            return rows
        columns = [store.entity_table.columns[name] for name in store.key_fields]
        by_key = sa.tuple_(*columns).in_([store.key_of(row) for row in rows])
        if written is None:
            connection.execute(store.removal(by_key), store.removal_parameters())
            return rows
        connection.execute(sa.update(store.table).where(by_key).values(
            {store.entity_table.columns[name]: value for name, value in written.items()}))
        return list(connection.execute(sa.select(*store.columns).where(by_key)))

    def _statement(self, where: Node, names: tuple[str, ...] | None,
                   dialect: Dialect) -> tuple[Any, tuple[str, ...]]:
        key = (shape(where), names, dialect)
        found = self._built.get(key)
        if found is None:
            if len(self._built) >= MAX_SHAPES:
                self._built.clear()
            found = self._built[key] = self._build(where, names, dialect)
        return found

    def _build(self, where: Node, names: tuple[str, ...] | None,
               dialect: Dialect) -> tuple[Any, tuple[str, ...]]:
        store = self.runtime.store
        table = store.table
        compiler = Compiler(table.metadata, dialect, self.related_scopes)
        conditions = [compiler.condition(where, table), *store.scope_conditions]
        statement: Any
        if names is None:
            statement = store.removal(*conditions).returning(*store.columns)
        elif not names:
            statement = sa.select(*store.columns).where(*conditions)
        else:
            columns = store.entity_table.columns
            statement = (sa.update(table).where(*conditions)
                         .values({columns[name]: sa.bindparam(f"set_{name}") for name in names})
                         .returning(*store.columns))
        return statement, tuple(sorted(compiler.scoped))


def _limit(request: Request) -> int:
    found = getattr(request.app.state, "max_bulk_rows", DEFAULT_MAX_BULK_ROWS)
    assert isinstance(found, int)
    return found


def _checked(rows: list[Row[Any]], limit: int) -> list[Row[Any]]:
    """Raised inside the transaction: the write is rolled back."""
    if len(rows) > limit:
        raise Problem(400, "too-many-rows",
                      f"the filter matches {len(rows)} rows, more than the {limit} one bulk "
                      "update or delete may touch (limits.max_bulk_rows): nothing was written")
    return rows


def _answer(request: Request, runtime: EntityRuntime, rows: Iterable[Row[Any]],
            action: str) -> Response:
    """`{"count": n}`; with `Prefer: return=representation` the rows too (`data`, in key
    order); with `return=minimal` a 204."""
    if prefer.wants_minimal(request):
        return prefer.minimal_response(request, action)
    ordered = sorted(rows, key=runtime.store.key_of)
    applied = prefer.applied(request, action)
    body = b'{"count":%d' % len(ordered)
    if applied:
        body += b',"data":' + runtime.representation.items(ordered)
    return json_response(body + b"}", 200, applied)


def _no_key_change(runtime: EntityRuntime, values: Mapping[str, Any]) -> None:
    """A bulk update cannot set a key field: the rows it changes would share one key."""
    named = [name for name in runtime.entity.api.key if name in values]
    if named:
        raise validation_problem(
            [FieldError(pointer([name]), "immutable",
                        f"{name} is part of the key: a bulk update cannot change it")
             for name in named], "a key field cannot be changed")


def bulk_update_endpoint(runtime: EntityRuntime, db: Database,
                         related_scopes: Mapping[str, tuple[str, ...]]) -> Endpoint:
    statements = BulkStatements(runtime, dict(related_scopes))
    schemas = runtime.schemas

    def work(connection: Connection, where: Node, written: dict[str, Any],
             limit: int) -> list[Row[Any]]:
        with db.guard(runtime.entity.name, "update", written):
            for check in runtime.store.references:
                check.verify(connection, written)
            rows = _checked(statements.run(connection, where, written), limit)
        if written:  # an empty PATCH writes nothing: no event (as for one row)
            db.record(connection, runtime, "update", rows, changed=list(written))
        return rows

    async def update_rows(request: Request) -> Response:
        where = bulk_filter(runtime, request)
        written = validate(schemas.update, await json_body(request), schemas.read_only_fields)
        _no_key_change(runtime, written)
        limit = _limit(request)
        rows = await db.write(lambda c: work(c, where, written, limit))
        return _answer(request, runtime, rows, "bulkUpdate")

    return update_rows


def bulk_delete_endpoint(runtime: EntityRuntime, db: Database,
                         related_scopes: Mapping[str, tuple[str, ...]]) -> Endpoint:
    statements = BulkStatements(runtime, dict(related_scopes))

    def work(connection: Connection, where: Node, limit: int) -> list[Row[Any]]:
        with db.guard(runtime.entity.name, "delete", {}):
            rows = _checked(statements.run(connection, where, None), limit)
        db.record(connection, runtime, "delete", rows)
        return rows

    async def delete_rows(request: Request) -> Response:
        where = bulk_filter(runtime, request)
        limit = _limit(request)
        rows = await db.write(lambda c: work(c, where, limit))
        return _answer(request, runtime, rows, "bulkDelete")

    return delete_rows

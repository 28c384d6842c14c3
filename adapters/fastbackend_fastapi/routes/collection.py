"""GET and POST on an entity's collection path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection, Row

from fastbackend_fastapi import listing
from fastbackend_fastapi.routes.common import (
    is_array,
    item_path,
    json_body,
    json_response,
    representation_response,
    validate,
)
from fastbackend_fastapi.runtime import Database, EntityRuntime
from fastbackend_fastapi.schemas import EntitySchemas

Endpoint = Callable[[Request], Awaitable[Response]]


def run_list(connection: Connection, statements: listing.ListStatements,
             query: listing.ListQuery,
             scope_values: tuple[Any, ...] = ()) -> tuple[list[Row[Any]], int | None]:
    page, count = statements.for_query(query)
    parameters = statements.parameters(query, scope_values)
    rows = list(connection.execute(page, parameters))
    if not query.count:
        return rows, None
    if rows:
        return rows, int(rows[0][-1])  # the total column, see ListStatements._build
    return rows, 0 if not query.offset else connection.execute(count, parameters).scalar_one()


def page_response(runtime: EntityRuntime, query: listing.ListQuery, rows: list[Row[Any]],
                  total: int | None) -> Response:
    meta = {"total": total, "limit": query.limit, "offset": query.offset, "next_cursor": None}
    return json_response(runtime.representation.page(rows, meta))


def list_endpoint(runtime: EntityRuntime, db: Database) -> Endpoint:
    async def list_rows(request: Request) -> Response:
        query = runtime.parser.parse(request.query_params.multi_items())
        rows, total = await db.read(lambda c: run_list(c, runtime.lists, query))
        return page_response(runtime, query, rows, total)

    return list_rows


def insert_all(connection: Connection, db: Database, runtime: EntityRuntime,
               items: list[Mapping[str, Any]], many: bool,
               fixed: Mapping[str, Any] | None = None) -> list[Row[Any]]:
    """Insert every item in the caller's transaction: all or nothing."""
    rows = []
    for index, item in enumerate(items):
        values = {**item, **(fixed or {})}
        with db.guard(runtime.entity.name, "insert", values, [index] if many else []):
            rows.append(runtime.store.create(connection, values))
    return rows


async def read_items(request: Request, schemas: EntitySchemas) -> tuple[list[Any], bool]:
    body = await json_body(request)
    many = is_array(body)
    adapter = schemas.create_many if many else schemas.create
    parsed = validate(adapter, body, schemas.read_only_fields)
    return (parsed if many else [parsed]), many


def created_response(request: Request, runtime: EntityRuntime, rows: list[Row[Any]],
                     many: bool) -> Response:
    if many:
        return json_response(runtime.representation.items(rows), 201)
    return representation_response(request, runtime, rows[0], 201,
                                   location=item_path(runtime, rows[0]))


def create_endpoint(runtime: EntityRuntime, db: Database) -> Endpoint:
    async def create(request: Request) -> Response:
        items, many = await read_items(request, runtime.schemas)
        rows = await db.write(lambda c: insert_all(c, db, runtime, items, many))
        return created_response(request, runtime, rows, many)

    return create

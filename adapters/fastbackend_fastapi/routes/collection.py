"""GET and POST on an entity's collection path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.engine import Connection, Row

from fastbackend_contract import tables
from fastbackend_fastapi import listing, prefer
from fastbackend_fastapi.database import errors as db_errors
from fastbackend_fastapi.problems import (
    FieldError,
    Problem,
    from_validation_error,
    validation_problem,
)
from fastbackend_fastapi.routes.common import (
    is_array,
    item_path,
    json_body,
    json_response,
    parse_json,
    query_limits,
    written_response,
)
from fastbackend_fastapi.routes.included import answered, wanted
from fastbackend_fastapi.runtime import Database, EntityRuntime
from fastbackend_fastapi.schemas import EntitySchemas
from fastbackend_fastapi.security import DEFAULT_MAX_NESTED_DEPTH
from fastbackend_ir import contract

if TYPE_CHECKING:  # nested.py imports relations.py, which imports this module
    from fastbackend_fastapi.auth import Guard
    from fastbackend_fastapi.routes.nested import NestedWrites, Node

Endpoint = Callable[[Request], Awaitable[Response]]


def max_nested_depth(request: Request) -> int:
    """fastbackend.yaml's `limits.max_nested_depth` (set by security.py)."""
    found = getattr(request.app.state, "max_nested_depth", DEFAULT_MAX_NESTED_DEPTH)
    assert isinstance(found, int)
    return found


def page_response(runtime: EntityRuntime, query: listing.ListQuery, page: listing.Page,
                  headers: dict[str, str] | None = None) -> Response:
    next_cursor = (None if page.last_sort_values is None
                   else runtime.parser.cursors.encode(query.sort, page.last_sort_values))
    meta = {"total": page.total, "limit": query.limit,
            "offset": None if query.cursor is not None else query.offset,
            "next_cursor": next_cursor}
    if query.plain:
        return json_response(runtime.representation.page(page.rows, meta), headers=headers)
    rows = [row if isinstance(row, dict) else dict(row._mapping) for row in page.rows]
    return json_response(runtime.parser.shapes.page(runtime.parser.entity, query, rows, meta),
                         headers=headers)


def read_page(connection: Connection, statements: listing.ListStatements,
              query: listing.ListQuery, scope_values: tuple[Any, ...] = ()) -> listing.Page:
    """The page, and its includes loaded in the same connection (one query per include)."""
    page = listing.run_list(connection, statements, query, scope_values)
    if query.include or query.counts is not None:
        rows = [dict(row._mapping) for row in page.rows]
        statements.includes.load(connection, rows, query.include)
        if query.counts is not None:  # include=_count.<relation>: one statement
            statements.includes.count(connection, rows, query.counts)
        page = listing.Page(rows, page.total, page.last_sort_values, page.counted)
    return page


def list_endpoint(runtime: EntityRuntime, db: Database) -> Endpoint:
    async def list_rows(request: Request) -> Response:
        preferred = prefer.preferred_count(request)
        query = runtime.parser.parse(request.query_params.multi_items(), query_limits(request),
                                     preferred)
        page = await db.read(lambda c: read_page(c, runtime.lists, query))
        return page_response(runtime, query, page, prefer.count_applied(
            preferred, "count" in request.query_params, page.counted))

    return list_rows


def query_endpoint(runtime: EntityRuntime, db: Database) -> Endpoint:
    """POST {path}/query: the list parameters as a JSON object, for filters too long for a URL."""
    async def query_rows(request: Request) -> Response:
        body = await json_body(request)
        document = parse_json(body)
        if not isinstance(document, dict):
            raise Problem(400, "invalid-parameter", "the body is a JSON object of list parameters")
        for name, value in document.items():  # null is no parameter value (as on Express)
            if value is None and name != "where":
                raise listing.bad_parameter(name, "must be a string or a number")
        preferred = prefer.preferred_count(request)
        query = runtime.parser.parse_mapping(document, query_limits(request), preferred)
        page = await db.read(lambda c: read_page(c, runtime.lists, query))
        return page_response(runtime, query, page, prefer.count_applied(
            preferred, "count" in document, page.counted))

    return query_rows


def insert_all(connection: Connection, db: Database, runtime: EntityRuntime,
               items: list[Mapping[str, Any]], many: bool,
               fixed: Mapping[str, Any] | None = None) -> list[Row[Any]]:
    """Insert every item in the caller's transaction: all or nothing."""
    rows = []
    for index, item in enumerate(items):
        values = {**item, **(fixed or {})}
        with db.guard(runtime.entity.name, "insert", values, [index] if many else []):
            rows.append(runtime.store.create(connection, values))
    db.record(connection, runtime, "create", rows)
    return rows


async def read_items(request: Request, schemas: EntitySchemas, bulk_path: str | None,
                     nested: Callable[[bytes, ValidationError], list[Any] | None] | None = None,
                     ) -> tuple[list[Any], bool]:
    """The rows to create, and whether they came as an array (the bulk route: ``bulk_path``
    None). A single create refuses an array, naming the bulk route: one operation, one type.
    ``nested``: a body the flat schema refuses is given to it, and its answer (a nested
    write's plans, routes/nested.py: one per row) is the rows when not None."""
    body = await json_body(request)
    if bulk_path is None:
        try:
            return schemas.create_many.validate_json(body), True
        except ValidationError as error:
            planned = None if nested is None else nested(body, error)
            if planned is not None:
                return planned, True
            raise from_validation_error(error, (), schemas.read_only_fields) from None
    try:
        return [schemas.create.validate_json(body)], False
    except ValidationError as error:
        planned = None if nested is None else nested(body, error)
        if planned is not None:
            return planned, False
        if is_array(body) and not any(e["type"] == "json_invalid" for e in error.errors()):
            raise validation_problem([FieldError(
                "", "dict_type", "Input should be an object: create an array of rows with "
                f"POST {bulk_path}")]) from None
        raise from_validation_error(error, (), schemas.read_only_fields) from None


def created_response(request: Request, runtime: EntityRuntime, rows: list[Row[Any]],
                     many: bool, action: str, created: bool = True,
                     resolved: str | None = None, included: bytes | None = None) -> Response:
    """201 (some row created) or 200 (an upsert that created none), `Preference-Applied`
    saying the resolution an upsert applied; ``included``: the body with `include=`'s rows
    (routes/included.py)."""
    status = 201 if created else 200
    if many:
        if prefer.wants_minimal(request):
            response = prefer.minimal_response(request, action)
        else:
            body = runtime.representation.items(rows) if included is None else included
            response = json_response(body, status, prefer.applied(request, action))
        if resolved is not None:
            _say_resolution(response, resolved)
        return response
    response = written_response(request, runtime, rows[0], action, status,
                                location=item_path(runtime, rows[0]), included=included)
    if resolved is not None:
        _say_resolution(response, resolved)
    return response


def _say_resolution(response: Response, resolved: str) -> None:
    name = tables.PREFERENCE_APPLIED_HEADER
    merged = prefer.with_resolution(
        {name: response.headers[name]} if name in response.headers else {}, resolved)
    response.headers[name] = merged[name]


def bulk_path(runtime: EntityRuntime) -> str:
    return contract.bulk_path(runtime.entity)


def conflict_target(request: Request, runtime: EntityRuntime) -> tuple[str, ...]:
    """The target `on_conflict` names (the primary key without it); a 400 naming the valid
    ones when it names neither the key nor one unique constraint."""
    given = request.query_params.getlist(tables.ON_CONFLICT_PARAMETER)
    # given twice names no one target (as on Express)
    target = contract.conflict_target(runtime.entity, given[0] if given else None) \
        if len(given) <= 1 else None
    if target is None:
        choices = " | ".join(",".join(fields)
                             for fields in contract.conflict_targets(runtime.entity))
        raise listing.bad_parameter(
            tables.ON_CONFLICT_PARAMETER,
            f"names the primary key or one unique constraint of {runtime.entity.name}: "
            f"{choices}")
    return target


def upsert_all(connection: Connection, db: Database, runtime: EntityRuntime,
               items: list[Mapping[str, Any]], many: bool, target: tuple[str, ...],
               merge: bool) -> tuple[list[Row[Any]], bool]:
    """Each item inserted, or merged into (or, without ``merge``, left as) the row holding its
    target's values, in order, in the caller's transaction; (the rows, whether one was
    created). A conflict with a row the caller may not change is the create's 409."""
    rows: list[Row[Any]] = []
    created = False
    for index, item in enumerate(items):
        prefix = [index] if many else []
        with db.guard(runtime.entity.name, "insert", item, prefix):
            row, outcome = runtime.store.upsert(connection, item, target, merge)
        if row is None:
            raise db_errors.unique_problem(target, db_errors.Context(
                runtime.entity.name, "insert", item, prefix))
        if outcome == "created":
            created = True
            db.record(connection, runtime, "create", [row])
        elif outcome == "merged":
            db.record(connection, runtime, "update", [row], changed=[
                name for name in item if name not in target])
        rows.append(row)
    return rows, created


def create_endpoint(runtime: EntityRuntime, db: Database, bulk: bool = False,
                    nested: NestedWrites | None = None) -> Endpoint:
    """POST {path} (one object) or, with ``bulk``, POST {path}/bulk (an array of them, created in
    one transaction). ``nested``: a create's body, or each element of a bulk create's, may nest
    related rows (nested.py), all in the one transaction. With
    `Prefer: resolution=...` on an entity that upserts, each row is inserted or merged into the
    row holding its conflict target's values (`on_conflict`); an upsert's rows nest nothing."""
    single_only = None if bulk else bulk_path(runtime)
    action = "bulkCreate" if bulk else "create"
    upserts = contract.upserts(runtime.entity)

    async def create(request: Request) -> Response:
        asked = wanted(request, runtime, action)
        resolved = prefer.resolution(request) if upserts else None
        target = conflict_target(request, runtime) if upserts and (
            resolved is not None or tables.ON_CONFLICT_PARAMETER in request.query_params) else ()
        planned: list[Node] = []  # a nested write's plan, when the body nests related rows

        def plan(body: bytes, error: ValidationError) -> list[Node] | None:
            if nested is None:
                return None
            if bulk and nested.nests_many(runtime, error):  # each element as a create's body
                planned.extend(nested.plan_many(runtime, body, max_nested_depth(request)))
            elif not bulk and nested.nests(runtime, error):
                planned.append(nested.plan(runtime, body, max_nested_depth(request)))
            else:
                return None
            return planned

        items, many = await read_items(request, runtime.schemas, single_only,
                                       None if resolved is not None else plan)
        if resolved is not None:
            merge = resolved == tables.MERGE_DUPLICATES

            def upsert(connection: Connection) -> tuple[list[Row[Any]], bool, bytes | None]:
                rows, created = upsert_all(connection, db, runtime, items, many, target, merge)
                return rows, created, answered(asked, connection, rows, many)

            rows, created, body = await db.write(upsert)
            return created_response(request, runtime, rows, many, action, created, resolved,
                                    body)
        guard: Guard | None = getattr(request.app.state, "guard", None)
        if planned and nested is not None and guard is not None:
            needs = {need: None for node in planned for need in nested.needs(node)}
            await guard.require(request, list(needs))

        def write(connection: Connection) -> tuple[list[Row[Any]], bytes | None]:
            if planned and nested is not None:
                rows = [nested.write(connection, node) for node in planned]
            else:
                rows = insert_all(connection, db, runtime, items, many)
            return rows, answered(asked, connection, rows, many)

        rows, body = await db.write(write)
        return created_response(request, runtime, rows, many, action, included=body)

    return create

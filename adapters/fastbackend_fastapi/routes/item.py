"""GET, PATCH, PUT and DELETE on one row: `{path}/{key}`, with ETag and If-Match."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.engine import Connection, Row
from starlette.types import Receive, Scope, Send

from fastbackend_fastapi import dispatch
from fastbackend_fastapi.etags import if_match_fails
from fastbackend_fastapi.problems import (
    FieldError,
    Problem,
    from_validation_error,
    pointer,
    validation_problem,
)
from fastbackend_fastapi.routes.collection import max_nested_depth
from fastbackend_fastapi.routes.common import (
    item_path,
    json_body,
    no_content,
    representation_response,
    written_response,
)
from fastbackend_fastapi.routes.included import answered, wanted
from fastbackend_fastapi.runtime import Database, EntityRuntime
from fastbackend_ir import contract

if TYPE_CHECKING:  # nested.py imports relations.py, which imports collection.py
    from fastbackend_fastapi.auth import Guard
    from fastbackend_fastapi.routes.nested import NestedWrites, Node

Endpoint = Callable[[Request], Awaitable[Response]]


def read_endpoint(runtime: EntityRuntime, db: Database) -> Endpoint:
    store = runtime.store

    async def read(request: Request) -> Response:
        key_text = request.path_params["key"]
        key = runtime.parse_key(key_text)
        asked = wanted(request, runtime, "read")

        def work(connection: Connection) -> tuple[Sequence[Any] | None, bytes | None]:
            row = store.get(connection, key)
            if row is None:
                return None, None
            return row, answered(asked, connection, [row])

        if asked is None:  # the plain answer: through the driver where it can
            row: Sequence[Any] | None = await plain_row(runtime, db, key)
            body = None
        else:
            row, body = await db.read(work)
        if row is None:
            raise runtime.not_found(key_text)
        return representation_response(request, runtime, row, body)

    if store.read_one is not None:
        dispatch.answer_directly(read, direct_read(runtime, db))
    return read


async def plain_row(runtime: EntityRuntime, db: Database, key: tuple[Any, ...]
                    ) -> Row[Any] | None:
    """The row of ``key`` as a read without `include=` reads it: through the driver where it
    can, else SQLAlchemy's Connection."""
    store = runtime.store
    assert store.read_one is not None
    row: Row[Any] | None = await db.read_first(store.read_one, store.key_params(key),
                                               partial(store.read, key=key))
    return row


IF_NONE_MATCH = b"if-none-match"


def direct_read(runtime: EntityRuntime, db: Database) -> dispatch.DirectAnswer:
    """`read`'s plain answer (no query string, no If-None-Match), straight from the route
    index (dispatch.py): the same statement, status, headers and body, or the same problem;
    any other request is `read`'s."""
    representation = runtime.representation

    async def answer(scope: Scope, receive: Receive, send: Send) -> bool:
        if scope["query_string"] or any(name == IF_NONE_MATCH for name, _ in scope["headers"]):
            return False
        key_text = scope["path_params"]["key"]
        try:
            row = await plain_row(runtime, db, runtime.parse_key(key_text))
            if row is None:
                raise runtime.not_found(key_text)
            body, etag = representation.body_and_etag(row)
        except Exception as error:
            await dispatch.handled(error, scope, receive, send)
            return True
        # Starlette's Response(body, media_type=JSON, headers={"ETag": etag}), as sent
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"etag", etag.encode("latin-1")),
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
        return True

    return answer


def check_precondition(connection: Connection, runtime: EntityRuntime, key: tuple[Any, ...],
                       key_text: str, if_match: str | None) -> None:
    """If-Match against the current row, locked until the transaction ends."""
    if if_match is None:
        return
    current = runtime.store.get(connection, key, lock=True)
    if current is None:
        raise runtime.not_found(key_text)
    representation = runtime.representation
    if if_match_fails(if_match, representation.etag(current, representation.body(current))):
        raise Problem(412, "precondition-failed",
                      "the row changed since it was read (If-Match does not match its ETag)")


def apply_update(connection: Connection, db: Database, runtime: EntityRuntime,
                 key: tuple[Any, ...], key_text: str, values: Mapping[str, Any],
                 if_match: str | None) -> Row[Any]:
    check_precondition(connection, runtime, key, key_text, if_match)
    with db.guard(runtime.entity.name, "update", values):
        row = runtime.store.update(connection, key, values)
    if row is None:
        raise runtime.not_found(key_text)
    if values:  # an empty PATCH writes nothing: no event
        db.record(connection, runtime, "update", [row], changed=list(values))
    return row


def check_key_unchanged(runtime: EntityRuntime, key: tuple[Any, ...],
                        values: dict[str, Any]) -> None:
    """PUT and PATCH may repeat the key the URL names, never change it: the URL names the row,
    and a renamed row would answer at another URL (docs/rest-api.md). A 422, code immutable."""
    names = runtime.entity.api.key
    changed = [name for name, value in zip(names, key, strict=True)
               if name in values and values[name] != value]
    if changed:
        raise validation_problem(
            [FieldError(pointer([name]), "immutable",
                        f"{name} is part of the key the URL names: it cannot be changed")
             for name in changed], "a key field cannot be changed")


def apply_put(connection: Connection, db: Database, runtime: EntityRuntime,
              key: tuple[Any, ...], key_text: str,
              values: Mapping[str, Any]) -> tuple[Row[Any], bool]:
    """PUT without If-Match on an entity whose key the client chooses (contract.put_creates):
    insert the row unless its key exists, else replace it; (the row, whether it was created).
    One insert that yields to an existing key decides (INSERT ... ON CONFLICT DO NOTHING, or
    on MySQL an insert in a savepoint: store.create_or_nothing), so of concurrent PUTs to one
    new key exactly one creates it and the others replace it (the database waits for the
    inserter's commit)."""
    full = {**values, **dict(zip(runtime.entity.api.key, key, strict=True))}
    with db.guard(runtime.entity.name, "insert", full):
        created = runtime.store.create_or_nothing(connection, full)
    if created is not None:
        db.record(connection, runtime, "create", [created])
        return created, True
    return apply_update(connection, db, runtime, key, key_text, values, None), False


async def read_update(request: Request, runtime: EntityRuntime, replace: bool,
                      nested: NestedWrites | None) -> tuple[dict[str, Any], Node | None]:
    """An update's values, or the plan of its nested writes (routes/nested.py) when the flat
    schema refuses a body that names a relation field: set, disconnect, connect, create."""
    schemas = runtime.schemas
    adapter = schemas.create if replace else schemas.update  # built on first use
    body = await json_body(request)
    try:
        return adapter.validate_json(body), None
    except ValidationError as error:
        if nested is None or not nested.nests(runtime, error, update=True):
            raise from_validation_error(error, (), schemas.read_only_fields) from None
        node = nested.plan(runtime, body, max_nested_depth(request),
                           "create" if replace else "update")
    guard: Guard | None = getattr(request.app.state, "guard", None)
    if guard is not None:
        await guard.require(request, nested.needs(node))
    return node.values, node


def update_endpoint(runtime: EntityRuntime, db: Database, replace: bool,
                    nested: NestedWrites | None = None) -> Endpoint:
    """PATCH (PUT: ``replace``) one row; ``nested``: its body may name relation fields with
    Prisma's operations, written in the update's transaction (docs/rest-api.md)."""
    schemas = runtime.schemas
    upsert = replace and contract.put_creates(runtime.entity)
    # A full replace resets the nullable fields it does not mention.
    reset = dict.fromkeys(schemas.nullable_writable) if replace else {}

    async def update(request: Request) -> Response:
        key_text = request.path_params["key"]
        key = runtime.parse_key(key_text)
        action = "replace" if replace else "update"
        asked = wanted(request, runtime, action)
        given, node = await read_update(request, runtime, replace, nested)
        values = {**reset, **given}
        check_key_unchanged(runtime, key, values)
        if_match = request.headers.get("if-match")
        created: list[bool] = []

        def save(connection: Connection, values: Mapping[str, Any]) -> Row[Any]:
            if upsert and if_match is None:
                row, made = apply_put(connection, db, runtime, key, key_text, values)
                created.append(made)
                return row
            return apply_update(connection, db, runtime, key, key_text, values, if_match)

        def write(connection: Connection) -> Row[Any]:
            if node is None or nested is None:
                return save(connection, values)
            return nested.write_update(connection, node,
                                       lambda found: save(connection, {**reset, **found}))

        def answer(connection: Connection) -> tuple[Row[Any], bytes | None]:
            row = write(connection)
            return row, answered(asked, connection, [row])

        row, body = await db.write(answer)
        if created and created[0]:
            return written_response(request, runtime, row, "replace", 201,
                                    location=item_path(runtime, row), included=body)
        return written_response(request, runtime, row, action, included=body)

    return update


def apply_delete(connection: Connection, db: Database, runtime: EntityRuntime,
                 key: tuple[Any, ...], key_text: str, if_match: str | None) -> None:
    check_precondition(connection, runtime, key, key_text, if_match)
    # with events, the row as it was goes in the delete's event (its before image)
    before = runtime.store.get(connection, key, lock=True) if db.outbox is not None else None
    with db.guard(runtime.entity.name, "delete", {}):
        deleted = runtime.store.delete(connection, key)
    if not deleted:
        raise runtime.not_found(key_text)
    if before is not None:
        db.record(connection, runtime, "delete", [before])
    else:
        db.record_keys(connection, runtime, "delete", [key])


def delete_endpoint(runtime: EntityRuntime, db: Database) -> Endpoint:
    async def delete(request: Request) -> Response:
        key_text = request.path_params["key"]
        key = runtime.parse_key(key_text)
        if_match = request.headers.get("if-match")
        await db.write(lambda c: apply_delete(c, db, runtime, key, key_text, if_match))
        return no_content(request, "delete")

    return delete


def apply_restore(connection: Connection, db: Database, runtime: EntityRuntime,
                  key: tuple[Any, ...], key_text: str) -> Row[Any]:
    """Soft delete (IR 1.6): clears the stamp; a 404 unless a deleted row in scope has the key
    (a live row's restore is a 404 too: there is nothing to restore)."""
    store = runtime.store
    with db.guard(runtime.entity.name, "update", {}):
        row = store.restore(connection, key)
    if row is None:
        raise runtime.not_found(key_text)
    db.record(connection, runtime, "update", [row], changed=[store.soft_delete or ""])
    return row


def restore_endpoint(runtime: EntityRuntime, db: Database) -> Endpoint:
    async def restore(request: Request) -> Response:
        key_text = request.path_params["key"]
        key = runtime.parse_key(key_text)
        asked = wanted(request, runtime, "restore")

        def work(connection: Connection) -> tuple[Row[Any], bytes | None]:
            row = apply_restore(connection, db, runtime, key, key_text)
            return row, answered(asked, connection, [row])

        row, body = await db.write(work)
        return written_response(request, runtime, row, "restore", included=body)

    return restore

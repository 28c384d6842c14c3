"""The atomic batch's runner: `POST /_batch` runs several writes on any resources in one
transaction (docs/rest-api.md "Atomic batch").

    POST /_batch
    {"operations": [
      {"op": "create", "path": "/users", "ref": "u", "body": {"email": "a@x.io"}},
      {"op": "create", "path": "/posts", "body": {"title": "t", "author_id": {"$ref": "u.id"}}},
      {"op": "delete", "path": "/posts", "key": {"id": 3}}]}

The whole body is checked first (routes/batch_body.py: every error in one 422 with pointers,
nothing run). Then, inside one transaction (Database.transaction), each operation is the
request its own route serves (`POST /users`, `PATCH /posts/3`, ...) dispatched through the
app's router: the same route, its auth dependencies and row scope, its validation, nested
writes, soft delete and events, with no second implementation to drift. The first operation
that fails rolls everything back and its own problem is the answer, its pointers moved under
`/operations/<i>`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import Response

from fastbackend_contract import tables
from fastbackend_fastapi import prefer
from fastbackend_fastapi.problems import TYPE_BASE, FieldError, Problem, pointer, validation_problem
from fastbackend_fastapi.routes.batch_body import (
    KEY_TYPE,
    BodyChecker,
    Operation,
    addressable,
    as_reference,
    batchable,
)
from fastbackend_fastapi.routes.common import json_body, json_response, parse_json
from fastbackend_fastapi.runtime import Runtime
from fastbackend_fastapi.security import DEFAULT_MAX_BATCH_OPERATIONS

Endpoint = Callable[[Request], Any]
# What an operation's request keeps of the batch's scope: the connection and the app's state;
# never the batch's own routing, body or headers' Content-* (its body is the operation's).
_KEPT_SCOPE = ("type", "asgi", "http_version", "server", "client", "scheme", "root_path", "app",
               "state", "extensions", "starlette.exception_handlers")
_DROPPED_HEADERS = {b"content-length", b"content-type", b"prefer", b"if-match",
                    b"if-none-match", b"transfer-encoding"}


def max_operations(request: Request) -> int:
    """fastbackend.yaml's `limits.max_batch_operations` (set by security.py)."""
    found = getattr(request.app.state, "max_batch_operations", DEFAULT_MAX_BATCH_OPERATIONS)
    assert isinstance(found, int)
    return found


def resolve(value: Any, results: Mapping[str, Any], location: list[str | int]) -> Any:
    """``value`` with every reference replaced by the field of the row it names."""
    reference = as_reference(value)
    if reference is not None:
        name, _, field = reference.partition(".")
        row = results.get(name)
        if not isinstance(row, dict) or field not in row:
            raise validation_problem([FieldError(
                pointer(location), "invalid_ref",
                f"the operation named {name!r} answered no field {field!r}")])
        return row[field]
    if isinstance(value, dict):
        return {name: resolve(inner, results, [*location, name]) for name, inner in value.items()}
    if isinstance(value, list):
        return [resolve(inner, results, [*location, i]) for i, inner in enumerate(value)]
    return value


def key_text(operation: Operation, results: Mapping[str, Any]) -> str:
    """The key's URL segment: its fields' values in key order, comma-separated."""
    assert operation.key is not None
    parts = []
    for name in operation.entity.api.key:
        location: list[str | int] = ["operations", operation.index, "key", name]
        value = resolve(operation.key[name], results, location)
        if not addressable(value):
            raise validation_problem([FieldError(pointer(location), "key_type", KEY_TYPE)])
        parts.append(json.dumps(value) if isinstance(value, bool) else str(value))
    return ",".join(parts)


async def dispatch(request: Request, method: str, path: str, body: bytes | None,
                   if_match: str | None) -> tuple[int, dict[str, str], bytes]:
    """The operation as its own request, through the app's router (the route, its guard, its
    exception handlers: its problems are rendered as the route renders them)."""
    headers = [(name, value) for name, value in request.scope["headers"]
               if name.lower() not in _DROPPED_HEADERS]
    if body is not None:
        headers += [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())]
    if if_match is not None:
        headers.append((b"if-match", if_match.encode("ascii")))
    scope = {name: request.scope[name] for name in _KEPT_SCOPE if name in request.scope}
    scope.update(method=method, path=path, raw_path=quote(path).encode("ascii"),
                 query_string=b"", headers=headers)
    pending = [{"type": "http.request", "body": body or b"", "more_body": False}]
    status, answered, chunks = 500, dict[str, str](), list[bytes]()

    async def receive() -> dict[str, Any]:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: Mapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            answered.update((name.decode("latin-1").lower(), value.decode("latin-1"))
                            for name, value in message.get("headers", ()))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    app: FastAPI = request.app
    await app.router(scope, receive, send)
    return status, answered, b"".join(chunks)


# Where a problem without pointers points: the member of the operation it is about.
_MEMBER = {"not-found": "key", "precondition-failed": "if_match"}


def failed(operation: Operation, status: int, headers: Mapping[str, str],
           body: bytes) -> Problem:
    """The operation's own problem, its pointers moved under `/operations/<i>/body`."""
    try:
        found = json.loads(body)
    except ValueError:
        found = {}
    if not isinstance(found, dict):
        found = {}
    kind = str(found.get("type", ""))
    slug = kind[len(TYPE_BASE):] if kind.startswith(TYPE_BASE) else "http-error"
    detail = f"{operation.named}: {found.get('detail', '')}"
    errors = [FieldError(operation.at + "/body" + str(error.get("pointer", "")),
                         str(error.get("code", "")), str(error.get("message", "")))
              for error in found.get("errors", ()) if isinstance(error, dict)]
    if not errors:
        member = _MEMBER.get(slug) if operation.kind.keyed else None
        errors = [FieldError(operation.at + (f"/{member}" if member else ""), slug,
                             str(found.get("detail", "")))]
    kept = {name: value for name, value in headers.items()
            if name in ("retry-after", "allow")}
    return Problem(status, slug, detail, errors, kept)


async def run(request: Request, operation: Operation, results: dict[str, Any]) -> Any:
    """One operation, in the batch's transaction; its answer ({"status", "body"})."""
    path = operation.entity.api.path
    body = None
    try:
        if operation.key is not None:
            path += "/" + key_text(operation, results)
        if operation.kind.body:
            resolved = resolve(operation.body, results, ["operations", operation.index, "body"])
            body = json.dumps(resolved).encode()
    except Problem as problem:
        problem.detail = f"{operation.named}: {problem.detail}"
        raise
    status, headers, answer = await dispatch(request, operation.kind.method, path, body,
                                             operation.if_match)
    if status >= 400:
        raise failed(operation, status, headers, answer)
    row = json.loads(answer) if answer else None
    if operation.ref is not None:
        results[operation.ref] = row
    return {"status": status, "body": row}


def batch_endpoint(runtime: Runtime) -> Endpoint:
    resources = batchable(runtime.ir)
    db = runtime.database

    async def batch(request: Request) -> Response:
        body = await json_body(request)
        document = parse_json(body)
        checker = BodyChecker(resources)
        operations = checker.operations(document, max_operations(request))
        if checker.errors:
            raise validation_problem(checker.errors)
        answers: list[Any] = []
        results: dict[str, Any] = {}
        async with db.transaction():
            for operation in operations:
                answers.append(await run(request, operation, results))
        if prefer.wants_minimal(request):
            return prefer.minimal_response(request, tables.BATCH_ACTION)
        content = json.dumps({"results": answers}).encode()
        return json_response(content, 200, prefer.applied(request, tables.BATCH_ACTION))

    return batch


def add_batch_route(app: FastAPI, runtime: Runtime) -> None:
    """`POST /_batch`, when some resource serves a write it can run."""
    if batchable(runtime.ir):
        app.router.add_route(tables.BATCH_PATH, batch_endpoint(runtime), methods=["POST"],
                             name=tables.BATCH_ACTION, include_in_schema=False)

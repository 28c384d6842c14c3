"""The atomic batch: `POST /_batch` runs several writes on any resources in one transaction
(docs/rest-api.md "Atomic batch").

    POST /_batch
    {"operations": [
      {"op": "create", "path": "/users", "ref": "u", "body": {"email": "a@x.io"}},
      {"op": "create", "path": "/posts", "body": {"title": "t", "author_id": {"$ref": "u.id"}}},
      {"op": "delete", "path": "/posts", "key": {"id": 3}}]}

The whole body is checked before anything runs (every error in one 422 with pointers). Then,
inside one transaction (Database.transaction), each operation is the request its own route
serves (`POST /users`, `PATCH /posts/3`, ...) dispatched through the app's router: the same
route, its auth dependencies and row scope, its validation, nested writes, soft delete and
events, with no second implementation to drift. The first operation that fails rolls everything
back and its own problem is the answer, its pointers moved under `/operations/<i>`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import Response

from fastbackend_contract import tables
from fastbackend_fastapi import prefer
from fastbackend_fastapi.problems import TYPE_BASE, FieldError, Problem, pointer, validation_problem
from fastbackend_fastapi.routes.common import json_body, json_response, parse_json
from fastbackend_fastapi.runtime import Runtime
from fastbackend_fastapi.security import DEFAULT_MAX_BATCH_OPERATIONS
from fastbackend_ir import IR, Entity, contract

Endpoint = Callable[[Request], Any]
OPERATIONS = {operation.op: operation for operation in tables.BATCH_OPERATIONS}
REF = tables.BATCH_REF
REF_NAME = re.compile(tables.BATCH_REF_NAME)
# What an operation's request keeps of the batch's scope: the connection and the app's state;
# never the batch's own routing, body or headers' Content-* (its body is the operation's).
_KEPT_SCOPE = ("type", "asgi", "http_version", "server", "client", "scheme", "root_path", "app",
               "state", "extensions", "starlette.exception_handlers")
_DROPPED_HEADERS = {b"content-length", b"content-type", b"prefer", b"if-match",
                    b"if-none-match", b"transfer-encoding"}


@dataclass(frozen=True)
class Operation:
    index: int
    kind: tables.BatchOperation
    entity: Entity
    key: dict[str, Any] | None
    body: Any
    ref: str | None
    if_match: str | None

    @property
    def named(self) -> str:
        """The start of its problem's detail."""
        return (f"operation {self.index} ({self.kind.op} {self.entity.api.path}) failed, "
                "nothing was written")

    @property
    def at(self) -> str:
        return f"/operations/{self.index}"


def batchable(ir: IR) -> dict[str, tuple[Entity, frozenset[str]]]:
    """Resource path -> (its entity, the batch operations its routes serve)."""
    found = {}
    for entity in ir.entities.values():
        ops = frozenset(contract.batch_operations(entity, tables.BATCH_KINDS))
        if ops:
            found[entity.api.path] = (entity, ops)
    return found


def max_operations(request: Request) -> int:
    """fastbackend.yaml's `limits.max_batch_operations` (set by security.py)."""
    found = getattr(request.app.state, "max_batch_operations", DEFAULT_MAX_BATCH_OPERATIONS)
    assert isinstance(found, int)
    return found


# Checking the body ------------------------------------------------------------------------

class Checker:
    """Every error of the batch's body, before anything runs."""

    def __init__(self, resources: Mapping[str, tuple[Entity, frozenset[str]]]) -> None:
        self.resources = resources
        self.errors: list[FieldError] = []
        self.refs: dict[str, int] = {}  # ref name -> the index of the operation naming it
        self.bodiless: set[str] = set()

    def fail(self, location: Sequence[str | int], code: str, message: str) -> None:
        self.errors.append(FieldError(pointer(location), code, message))

    def operations(self, document: Any, limit: int) -> list[Operation]:
        if not isinstance(document, dict):
            self.fail([], "dict_type", "the body is an object: {\"operations\": [...]}")
            return []
        for name in document:
            if name != "operations":
                self.fail([name], "unknown_field", f"{name} is not a known field")
        given = document.get("operations")
        if not isinstance(given, list):
            self.fail(["operations"], "missing" if given is None else "list_type",
                      "operations is a list of operations")
            return []
        if len(given) > limit:
            raise Problem(400, "too-many-operations",
                          f"a batch carries at most {limit} operations "
                          f"(limits.max_batch_operations); this one has {len(given)}: "
                          "nothing was run")
        if not given:
            self.fail(["operations"], "too_short", "a batch has at least one operation")
        found = [self.operation(index, item) for index, item in enumerate(given)]
        return [operation for operation in found if operation is not None]

    def operation(self, index: int, item: Any) -> Operation | None:
        at: list[str | int] = ["operations", index]
        if not isinstance(item, dict):
            self.fail(at, "dict_type", "an operation is an object")
            return None
        for name in item:
            if name not in tables.BATCH_OPERATION_FIELDS:
                self.fail([*at, name], "unknown_field", f"{name} is not a known field")
        errors = len(self.errors)
        kind, entity = self.kind(at, item)
        ref = self.ref(at, index, item.get("ref"))
        if ref is not None and kind is not None and not kind.body:
            self.bodiless.add(ref)  # a delete answers no row to refer to
        if_match = self.if_match(at, item)
        if kind is None or entity is None:
            return None
        key = self.key(at, index, kind, entity, item)
        body = self.body(at, index, kind, item)
        if len(self.errors) > errors:
            return None
        return Operation(index, kind, entity, key, body, ref, if_match)

    def kind(self, at: list[str | int], item: dict[str, Any]
             ) -> tuple[tables.BatchOperation | None, Entity | None]:
        op, path = item.get("op"), item.get("path")
        kind = OPERATIONS.get(op) if isinstance(op, str) else None
        if kind is None:
            self.fail([*at, "op"], "missing" if op is None else "enum",
                      "op is one of " + ", ".join(OPERATIONS))
        resource = self.resources.get(path) if isinstance(path, str) else None
        if resource is None:
            self.fail([*at, "path"], "missing" if path is None else "enum",
                      "path is a resource's path: " + ", ".join(sorted(self.resources)))
            return kind, None
        entity, ops = resource
        if kind is not None and kind.op not in ops:
            self.fail([*at, "op"], "enum", f"{path} does not serve {kind.op}; it serves "
                      + ", ".join(op for op in OPERATIONS if op in ops))
            return None, entity
        return kind, entity

    def ref(self, at: list[str | int], index: int, ref: Any) -> str | None:
        if ref is None:
            return None
        if not isinstance(ref, str) or REF_NAME.fullmatch(ref) is None:
            self.fail([*at, "ref"], "string_pattern_mismatch",
                      "ref is a name of letters, digits and _ (not starting with a digit)")
            return None
        if ref in self.refs:
            self.fail([*at, "ref"], "duplicate_ref",
                      f"operation {self.refs[ref]} already has the ref {ref!r}")
            return None
        self.refs[ref] = index
        return ref

    def if_match(self, at: list[str | int], item: dict[str, Any]) -> str | None:
        value = item.get("if_match")
        if value is None:
            return None
        if not isinstance(value, str) or not value.isascii() or not value.isprintable():
            self.fail([*at, "if_match"], "string_type", "if_match is an ETag: printable ASCII")
            return None
        return value

    def key(self, at: list[str | int], index: int, kind: tables.BatchOperation, entity: Entity,
            item: dict[str, Any]) -> dict[str, Any] | None:
        key = item.get("key")
        if not kind.keyed:
            if key is not None:
                self.fail([*at, "key"], "unknown_field", f"a {kind.op} names no key")
            return None
        names = entity.api.key
        if not isinstance(key, dict):
            self.fail([*at, "key"], "missing" if key is None else "dict_type",
                      "key is an object of " + ", ".join(names))
            return None
        for name in key:
            if name not in names:
                self.fail([*at, "key", name], "unknown_field",
                          f"{name} is not a key field of {entity.name}")
        for name in names:
            value = key.get(name)
            if name not in key:
                self.fail([*at, "key", name], "missing", f"{name} is required")
            elif not self.refers(index, value, [*at, "key", name]) and not addressable(value):
                self.fail([*at, "key", name], "key_type", KEY_TYPE)
        return key

    def body(self, at: list[str | int], index: int, kind: tables.BatchOperation,
             item: dict[str, Any]) -> Any:
        body = item.get("body")
        if not kind.body:
            if body is not None:
                self.fail([*at, "body"], "unknown_field", f"a {kind.op} takes no body")
            return None
        if not isinstance(body, dict):
            self.fail([*at, "body"], "missing" if body is None else "dict_type",
                      "body is an object: the row, as the route takes it")
            return None
        self.walk(index, body, [*at, "body"])
        return body

    def walk(self, index: int, value: Any, location: list[str | int]) -> None:
        """Every reference in ``value`` names an earlier operation's ref."""
        if self.refers(index, value, location):
            return
        if isinstance(value, dict):
            for name, inner in value.items():
                self.walk(index, inner, [*location, name])
        elif isinstance(value, list):
            for position, inner in enumerate(value):
                self.walk(index, inner, [*location, position])

    def refers(self, index: int, value: Any, location: list[str | int]) -> bool:
        """Whether ``value`` is a reference (checked here: an earlier operation's ref)."""
        reference = as_reference(value)
        if reference is None:
            return False
        name, _, field = reference.partition(".")
        if not field or self.refs.get(name, index) >= index or name in self.bodiless:
            self.fail(location, "invalid_ref", f"{REF} is '<ref>.<field>', the ref of an "
                      f"earlier operation: {reference!r} is not")
        return True


KEY_TYPE = ("a key value is a string, a number or a boolean, and a URL segment can carry it "
            "(no / nor NUL)")


def addressable(value: Any) -> bool:
    """Whether a key value can name a row in a URL (docs/rest-api.md: `/` cannot be)."""
    if isinstance(value, str):
        return "/" not in value and "\x00" not in value and value != ""
    return isinstance(value, bool | int | float)


def as_reference(value: Any) -> str | None:
    """``{"$ref": "a.id"}`` -> "a.id"; anything else -> None."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get(REF), str):
        return str(value[REF])
    return None


# Running it -----------------------------------------------------------------------------------

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
        checker = Checker(resources)
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

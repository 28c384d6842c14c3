"""The atomic batch's body (`POST /_batch`, docs/rest-api.md "Atomic batch"), checked before
anything runs: its shape, each operation's `op`, `path`, `key`, `body`, `ref` and `if_match`,
and every `{"$ref": "<ref>.<field>"}` naming an earlier operation. Every error comes in one 422
with pointers (`/operations/2/op`); what passes becomes the `Operation`s the runner
(routes/batch.py) runs. The Express server's lib/batch.ts checks it step for step alike."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastbackend_contract import tables
from fastbackend_fastapi.problems import FieldError, Problem, pointer
from fastbackend_ir import IR, Entity, contract

OPERATIONS = {operation.op: operation for operation in tables.BATCH_OPERATIONS}
REF = tables.BATCH_REF
REF_NAME = re.compile(tables.BATCH_REF_NAME)


@dataclass(frozen=True)
class Operation:
    """One operation of a checked body: its place, its kind (the contract's BATCH_OPERATIONS
    row), the entity its path names, and its members as sent (references unresolved)."""

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


class BodyChecker:
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

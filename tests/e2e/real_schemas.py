"""Requests for any served schema, made from its IR and its OpenAPI document alone: which
resources a client can create with no other row, a valid body for them, and the
create/read/list/patch/delete round trip (tests/e2e/test_real_schemas.py)."""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from fastbackend_ir import IR, Entity, ForeignKey
from tests import local_http

CRUD = ("list", "create", "read", "update", "delete")
_counter = itertools.count(1)


@dataclass(frozen=True)
class Resource:
    entity: Entity
    create: dict[str, Any]  # the JSON schema of the POST body
    update: dict[str, Any]  # the JSON schema of the PATCH body
    patched: str  # the field the round trip changes


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        found: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        schema = found
    return schema


def _non_null(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """The schema without its null alternative (`type: [string, null]`, anyOf with null)."""
    schema = _resolve(schema, document)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [_resolve(o, document) for o in schema[key]]
            return _non_null(next(o for o in options if o.get("type") != "null"), document)
    kind = schema.get("type")
    if isinstance(kind, list):
        return {**schema, "type": next(t for t in kind if t != "null")}
    return schema


def value(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """A valid value of a field's schema, different each time (unique columns accept it)."""
    schema = _non_null(schema, document)
    n = next(_counter)
    if "enum" in schema:
        return next(e for e in schema["enum"] if e is not None)
    kind = schema.get("type")
    if kind == "string":
        return _string(schema, n)
    if kind == "integer":
        low, high = schema.get("minimum", 1), schema.get("maximum", 1_000_000)
        return max(low, min(high, 1000 + n))
    if kind == "number":
        return n + 0.5
    if kind == "boolean":
        return n % 2 == 0
    if kind == "array":
        return [value(schema.get("items", {}), document)] * max(1, schema.get("minItems", 1))
    return {"fuzz": n}  # a JSON field (any value) or an object


def _string(schema: dict[str, Any], n: int) -> str:
    formats = {"uuid": str(uuid.uuid4()), "date-time": f"2024-01-{n % 28 + 1:02d}T03:04:05Z",
               "date": f"2024-02-{n % 28 + 1:02d}", "time": "03:04:05", "email": f"u{n}@example.com",
               "uri": f"https://example.com/{n}", "byte": "AAEC", "decimal": f"{n}.5"}
    if schema.get("format") in formats:
        return formats[schema["format"]]
    text = f"v{n}-{uuid.uuid4().hex}"
    text = text[:schema.get("maxLength", len(text))].ljust(schema.get("minLength", 0), "x")
    pattern = schema.get("pattern")
    if pattern is None or re.search(pattern, text):
        return text
    # A pattern that stands for a format (a datetime without offset, a time, digits): the first
    # of these kinds of value it accepts.
    return next(c for c in [*formats.values(), "2024-01-02T03:04:05", str(n)] if re.search(pattern, c))


def _operation(document: dict[str, Any], path: str, method: str) -> dict[str, Any] | None:
    found = document["paths"].get(path, {}).get(method)
    return found if isinstance(found, dict) else None


def _body(operation: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return _resolve(schema, document)


def _item_path(document: dict[str, Any], path: str) -> str | None:
    """The item route of a collection: `/posts/{id}` (or `/things/{a}/{b}` for compound keys)."""
    for candidate in document["paths"]:
        tail = candidate.removeprefix(path + "/")
        if candidate != tail and all(p.startswith("{") for p in tail.split("/")) \
                and _operation(document, candidate, "patch") is not None:
            return str(candidate)
    return None


def _patchable(entity: Entity, update: dict[str, Any], document: dict[str, Any]) -> str | None:
    """A plain text, number or boolean field the PATCH body takes: not a key, not a foreign key."""
    keys = set(entity.api.key) | {f for fk in entity.foreign_keys for f in fk.fields}
    for preferred in ("string", "integer", "boolean"):
        for name, schema in sorted(update.get("properties", {}).items()):
            plain = _non_null(schema, document)
            if name not in keys and plain.get("type") == preferred and "format" not in plain \
                    and "enum" not in plain and not plain.get("readOnly"):
                return str(name)
    return None


def _create_schema(entity: Entity, document: dict[str, Any]) -> dict[str, Any] | None:
    post = _operation(document, entity.api.path, "post") if "create" in entity.api.operations else None
    return _body(post, document) if post is not None else None


def required(create: dict[str, Any]) -> set[str]:
    """The fields a create body needs. Where the document lets a relation be given instead of
    its key field (`allOf: [{anyOf: [{required: [author_id]}, {required: [author]}]}]`, a
    nested write's choice), the first: the flat key field."""
    fields = set(create.get("required", []))
    for part in create.get("allOf", []):
        alternatives = part.get("anyOf", [])
        if alternatives:
            fields |= set(alternatives[0].get("required", []))
    return fields


def _required_references(entity: Entity, create: dict[str, Any]) -> list[ForeignKey]:
    required_fields = required(create)
    return [fk for fk in entity.foreign_keys if set(fk.fields) & required_fields]


def _creatable(ir: IR, entity: Entity, document: dict[str, Any], seen: frozenset[str] = frozenset()
               ) -> bool:
    """A row can be created with generic values: every required foreign key names a table
    whose row can be created first (no cycle)."""
    create = _create_schema(entity, document)
    if create is None or entity.name in seen:
        return False
    return all(_creatable(ir, ir.entities[fk.references.entity], document, seen | {entity.name})
               for fk in _required_references(entity, create))


def resources(ir: IR, document: dict[str, Any]) -> list[Resource]:
    """The tables with every CRUD route and a field to patch whose rows can be created with
    generic values: those that need no other row first, then the others, in name order."""
    found = []
    for _, entity in sorted(ir.entities.items()):
        if entity.kind != "table" or not set(CRUD) <= set(entity.api.operations):
            continue
        create = _create_schema(entity, document)
        item = _item_path(document, entity.api.path)
        if create is None or item is None or not _creatable(ir, entity, document):
            continue
        update = _body(_operation(document, item, "patch") or {}, document)
        patched = _patchable(entity, update, document)
        if patched is not None:
            found.append(Resource(entity, create, update, patched))
    return sorted(found, key=lambda r: bool(_required_references(r.entity, r.create)))


def create_row(base: str, ir: IR, entity: Entity, document: dict[str, Any],
               extra: tuple[str, ...] = ()) -> tuple[dict[str, Any], httpx.Response]:
    """POST a row of ``entity`` with its required fields (and ``extra`` ones), creating the row
    each required foreign key refers to first. The body sent, and the 201 answer."""
    create = _create_schema(entity, document)
    assert create is not None
    properties = create.get("properties", {})
    wanted = {*required(create), *extra} & set(properties)
    sent = {name: value(properties[name], document) for name in sorted(wanted)}
    for fk in _required_references(entity, create):
        _, parent = create_row(base, ir, ir.entities[fk.references.entity], document)
        for field, referred in zip(fk.fields, fk.references.fields, strict=True):
            sent[field] = parent.json()[referred]
    created = local_http.post(base + entity.api.path, json=sent, timeout=30)
    assert created.status_code == 201, \
        f"POST {entity.api.path} {sent}: {created.status_code} {created.text}"
    return sent, created


def round_trip(base: str, ir: IR, resource: Resource, document: dict[str, Any]) -> None:
    """Create, read, list, patch, read, delete, and read a 404, over HTTP."""
    entity, path = resource.entity, resource.entity.api.path
    sent, created = create_row(base, ir, entity, document, (resource.patched,))
    location = created.headers["location"]
    read = local_http.get(base + location, timeout=30)
    assert read.status_code == 200, f"GET {location}: {read.status_code} {read.text}"
    plain = {k: v for k, v in sent.items() if isinstance(v, str | bool | int)
             and "format" not in _non_null(resource.create["properties"][k], document)}
    assert {k: read.json()[k] for k in plain} == plain
    listed = local_http.get(base + path, timeout=30)
    assert listed.status_code == 200, f"GET {path}: {listed.status_code} {listed.text}"
    key = {k: read.json()[k] for k in entity.api.key}
    assert any({k: row.get(k) for k in key} == key for row in listed.json()["data"]), listed.text
    change = {resource.patched: value(resource.update["properties"][resource.patched], document)}
    patched = local_http.patch(base + location, json=change, timeout=30)
    assert patched.status_code == 200, \
        f"PATCH {location} {change}: {patched.status_code} {patched.text}"
    assert local_http.get(base + location, timeout=30).json()[resource.patched] == change[resource.patched]
    deleted = local_http.delete(base + location, timeout=30)
    assert deleted.status_code == 204, f"DELETE {location}: {deleted.status_code} {deleted.text}"
    assert local_http.get(base + location, timeout=30).status_code == 404

"""Per-entity component schemas: Read, Item, Create, Update, Page; and the shared ones.

The field roles are the IR's (each field's ``roles``, decided by the compiler: docs/ir.md):
read-only fields are returned and refused on write, write-only ones accepted and never
returned, hidden ones absent.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from fastbackend_contract import tables
from fastbackend_ir import IR, Entity, Enum, Field, LiteralDefault
from fastbackend_ir.contract import exposed, roles
from fastbackend_openapi import jsontypes, names

Schema = dict[str, Any]


def readable(field: Field) -> bool:
    return roles(field).readable


def read_only(field: Field) -> bool:
    """Returned, never accepted: ``readOnly`` in the Read schema."""
    found = roles(field)
    return found.readable and not (found.writable_on_create or found.writable_on_update)


def write_only(field: Field) -> bool:
    """Accepted, never returned: ``writeOnly`` in the write schemas."""
    found = roles(field)
    return not found.readable and (found.writable_on_create or found.writable_on_update)


def _annotated(schema: Schema, field: Field) -> Schema:
    """The model's own words (docstring, comment=, ///) on the property."""
    if field.description and "$ref" not in schema:
        return {**schema, "description": field.description}
    if field.description:
        return {"allOf": [schema], "description": field.description}
    return schema


def _object(properties: Schema, required: list[str], description: str | None = None,
            closed: bool = False) -> Schema:
    schema: Schema = {"type": "object"}
    if description:
        schema["description"] = description
    schema["properties"] = properties
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False  # unknown fields are a 422 `unknown_field`
    return schema


def closed_object(properties: Schema, required: list[str]) -> Schema:
    """An object of these properties and no others."""
    return _object(properties, required, closed=True)


def read_schema(ir: IR, entity: Entity) -> Schema:
    """One row: every readable field, and the relations `include=` may nest in it (optional:
    GET of one row and the writes of tables.INCLUDED_ACTIONS take it, and an included row's
    own includes, `include=posts.comments`, nest in this schema too)."""
    properties: Schema = {}
    for field in entity.fields:
        if readable(field):
            schema = _annotated(jsontypes.value(field, ir, field.nullable), field)
            properties[field.name] = {**schema, "readOnly": True} if read_only(field) else schema
    required = list(properties)
    return _object({**properties, **_included(ir, entity)}, required, entity.description)


def item_schema(ir: IR, entity: Entity) -> Schema:
    """A list row: only the fields asked for with ``fields=``, plus the ``include``d relations."""
    properties: Schema = {}
    for field in entity.fields:
        if readable(field):
            properties[field.name] = _annotated(jsontypes.value(field, ir, field.nullable), field)
    return _object({**properties, **_included(ir, entity)}, [], entity.description)


def _included(ir: IR, entity: Entity) -> Schema:
    """The properties `include=` adds to a row: each exposed relation, and `_count`."""
    properties: Schema = {}
    for relation in entity.relations:
        if exposed(relation):
            target = names.ref(names.read(ir.entity(relation.target)))
            properties[relation.name] = ({"type": "array", "items": target} if relation.to_many
                                         else jsontypes.nullable(target))
    counted = [r.name for r in entity.relations if exposed(r) and r.to_many]
    if counted:  # include=_count.<relation> (docs/query-language.md, "fields and include")
        properties["_count"] = {
            "type": "object", "additionalProperties": False,
            "description": "related rows per to-many relation named in include=_count.<relation>",
            "properties": {name: {"type": "integer", "minimum": 0} for name in counted}}
    return properties


def _write_property(field: Field, ir: IR, required: bool) -> Schema:
    schema = _annotated(jsontypes.value(field, ir, field.nullable), field)
    if isinstance(field.default, LiteralDefault) and not required:
        schema = _with_default(schema, field, field.default.value)
    return {**schema, "writeOnly": True} if write_only(field) else schema


def _with_default(schema: Schema, field: Field, value: Any) -> Schema:
    """A default must validate against its own schema. Big integers are strings in the IR (JSON
    numbers lose precision); and a source may give a default the API type cannot hold (Prisma
    accepts 2147483648 on an Int, or a UTC timestamp on a local one): that default is left to
    the database, unstated."""
    if field.type == "bigint" and isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            return schema
    schema_text = json.dumps(schema, sort_keys=True)
    if "$ref" in schema_text or _fits(schema_text, json.dumps(value)):
        return {**schema, "default": value}
    return schema


@functools.lru_cache(maxsize=1024)
def _fits(schema_text: str, value_text: str) -> bool:
    """Whether a value validates against a schema, once per distinct pair: a large schema
    repeats the same few (a 300-model one asked 3,000 times, each building a validator)."""
    from jsonschema import Draft202012Validator  # only for documents with literal defaults

    return bool(Draft202012Validator(json.loads(schema_text)).is_valid(json.loads(value_text)))


def create_schema(ir: IR, entity: Entity, excluded: tuple[str, ...] = ()) -> Schema:
    fields = [f for f in entity.fields if roles(f).writable_on_create and f.name not in excluded]
    properties = {f.name: _write_property(f, ir, roles(f).required_on_create) for f in fields}
    required = [f.name for f in fields if roles(f).required_on_create]
    return _object(properties, required, closed=True)


def update_schema(ir: IR, entity: Entity, excluded: tuple[str, ...] = ()) -> Schema:
    fields = [f for f in entity.fields if roles(f).writable_on_update and f.name not in excluded]
    properties = {f.name: _write_property(f, ir, required=True) for f in fields}
    return _object(properties, [], closed=True)


def page_schema(entity: Entity) -> Schema:
    data = {"type": "array", "items": names.ref(names.item(entity))}
    return _object({"data": data, "meta": names.ref(names.PAGE_META)}, ["data", "meta"])


def enum_schema(enum: Enum) -> Schema:
    schema: Schema = {"type": "string", "enum": [value.name for value in enum.values]}
    if enum.description:
        schema["description"] = enum.description
    return schema


def shared_schemas() -> dict[str, Schema]:
    """RFC 9457 problem details, the page's meta and the health answer."""
    text = {"type": "string"}
    field_error = _object({"pointer": text, "code": text, "message": text},
                          ["pointer", "code", "message"])
    problem = _object({
        "type": {"type": "string", "format": "uri"}, "title": text,
        "status": {"type": "integer", "minimum": 100, "maximum": 599}, "detail": text,
        "instance": text,
        "errors": {"type": "array", "items": names.ref(names.FIELD_ERROR)},
        tables.REQUEST_ID_FIELD: {
            "type": "string", "description": f"the answer's `{tables.REQUEST_ID_HEADER}`: the "
            "client's own, else its traceparent's trace id, else a new one; quote it when "
            "reporting an error"},
    }, ["type", "title", "status", "detail", "instance", tables.REQUEST_ID_FIELD],
        "RFC 9457 problem details")
    meta = _object({
        "total": {"type": ["integer", "null"], "minimum": 0,
                  "description": "rows matching the filters (an estimate with `count=planned`, "
                                 "and `estimated` above its threshold); null when not counted "
                                 "(`count=none`, and cursor pages by default)"},
        "limit": {"type": "integer", "minimum": 1},
        "offset": {"type": ["integer", "null"], "minimum": 0, "description": "null on a cursor page"},
        "next_cursor": {"type": ["string", "null"],
                        "description": "pass as `cursor` for the next page; null on the last"},
    }, ["total", "limit", "offset", "next_cursor"])
    health = _object({"status": {"const": "ok"}, "database": {"const": "ok"}},
                     ["status", "database"])
    live = _object({"status": {"const": "ok"}}, ["status"])
    ready = _object({"status": {"const": "ok"}, "database": {"const": "ok"},
                     "migrations": {"const": "ok"}}, ["status", "database", "migrations"])
    return {names.FIELD_ERROR: field_error, names.HEALTH: health, names.LIVE: live,
            names.PAGE_META: meta, names.PROBLEM: problem, names.READY: ready}

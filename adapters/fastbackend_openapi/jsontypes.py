"""IR logical type -> JSON Schema 2020-12, exactly as the runtime accepts and returns values.

Each type's schema is its row of the scalar table (fastbackend_contract.scalars); OVERRIDES
refine it from the field's details (a string's length, a decimal's precision, a date-time's
time zone, an enum's component), so a new scalar type is a row there, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastbackend_contract import scalars
from fastbackend_ir import IR, Field

Schema = dict[str, Any]

ENUM_REF = "#/components/schemas/{name}"


def _string(field: Field, ir: IR, schema: Schema) -> Schema:
    if field.db is not None and field.db.length is not None:
        schema["maxLength"] = field.db.length
    return schema


def _decimal(field: Field, ir: IR, schema: Schema) -> Schema:
    db = field.db
    if db is not None and db.precision is not None:
        scale = db.scale or 0
        schema["description"] = f"a decimal number as text: {db.precision} digits, {scale} after the point"
    return schema


def _datetime(field: Field, ir: IR, schema: Schema) -> Schema:
    if field.db is not None and field.db.timezone:
        return {"type": "string", "format": "date-time"}
    return schema  # the row's: a local date-time, which RFC 3339's date-time (offset) is not


def _enum(field: Field, ir: IR, schema: Schema) -> Schema:
    return {"$ref": ENUM_REF.format(name=field.enum)}


OVERRIDES: dict[str, Callable[[Field, IR, Schema], Schema]] = {
    "string": _string,
    "decimal": _decimal,
    "datetime": _datetime,
    "enum": _enum,
}


def typed(field: Field) -> bool:
    """Whether the API can type the field's values (``unsupported`` ones it cannot)."""
    return field.type in scalars.BY_NAME


def exposed(field: Field) -> bool:
    """Unsupported types never reach the API; hidden fields never appear in it."""
    return typed(field) and not field.api.hidden


def scalar(field: Field, ir: IR) -> Schema:
    """The schema of one value of the field (an item, for a list field)."""
    row = scalars.BY_NAME.get(field.type)
    if row is None:
        raise ValueError(f"unsupported logical type {field.type!r}")
    override = OVERRIDES.get(field.type)
    schema = dict(row.json)
    return override(field, ir, schema) if override is not None else schema


def nullable(schema: Schema) -> Schema:
    """JSON Schema 2020-12 nullability: ``type: [T, "null"]``, or anyOf for a $ref."""
    if not schema:
        return schema  # any JSON value, null included
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def value(field: Field, ir: IR, allow_null: bool) -> Schema:
    """The field's value: a list when the field is one, null when allowed."""
    schema = scalar(field, ir)
    if field.list:
        schema = {"type": "array", "items": schema}
    return nullable(schema) if allow_null else schema

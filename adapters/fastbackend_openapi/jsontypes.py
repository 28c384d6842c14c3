"""IR logical type -> JSON Schema 2020-12, exactly as the runtime accepts and returns values.

One row per logical type (STYLE.md): a new scalar type is one row here, one in the runtime's
pytypes.py. Where a JSON Schema ``format`` would say more than the runtime does (RFC 3339's
``time`` and ``date-time`` require an offset), a pattern says what is really exchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastbackend_ir import IR, Field

Schema = dict[str, Any]

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
ENUM_REF = "#/components/schemas/{name}"
# The runtime refuses the NUL character in text (PostgreSQL cannot store it).
NO_NUL = "^[^\\u0000]*$"
DECIMAL = "^-?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?$"
LOCAL_DATETIME = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?$"
LOCAL_TIME = "^\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?$"
# ISO 8601 as pydantic writes it (`P1Y35DT0.5S`, `-PT1S`): a year is 365 days, a sign may lead.
# Not RFC 3339's `duration` format, which allows no days straight after years and no sign.
DURATION = "^-?P(\\d+Y)?(\\d+D)?(T(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?$"


def _string(field: Field, ir: IR) -> Schema:
    schema: Schema = {"type": "string", "pattern": NO_NUL}
    if field.db is not None and field.db.length is not None:
        schema["maxLength"] = field.db.length
    return schema


def _decimal(field: Field, ir: IR) -> Schema:
    schema: Schema = {"type": "string", "format": "decimal", "pattern": DECIMAL}
    db = field.db
    if db is not None and db.precision is not None:
        scale = db.scale or 0
        schema["description"] = f"a decimal number as text: {db.precision} digits, {scale} after the point"
    return schema


def _datetime(field: Field, ir: IR) -> Schema:
    if field.db is not None and field.db.timezone:
        return {"type": "string", "format": "date-time"}
    # Without a time zone the value is a local date-time: RFC 3339 date-time needs an offset.
    return {"type": "string", "pattern": LOCAL_DATETIME}


def _enum(field: Field, ir: IR) -> Schema:
    return {"$ref": ENUM_REF.format(name=field.enum)}


def _fixed(schema: Schema) -> Callable[[Field, IR], Schema]:
    return lambda field, ir: dict(schema)


JSON_TYPES: dict[str, Callable[[Field, IR], Schema]] = {
    "string": _string,
    "integer": _fixed({"type": "integer", "format": "int32",
                       "minimum": INT32[0], "maximum": INT32[1]}),
    "bigint": _fixed({"type": "integer", "format": "int64",
                      "minimum": INT64[0], "maximum": INT64[1]}),
    "float": _fixed({"type": "number", "format": "double"}),
    "decimal": _decimal,
    "boolean": _fixed({"type": "boolean"}),
    "datetime": _datetime,
    "date": _fixed({"type": "string", "format": "date"}),
    "time": _fixed({"type": "string", "pattern": LOCAL_TIME}),
    "interval": _fixed({"type": "string", "pattern": DURATION}),
    "uuid": _fixed({"type": "string", "format": "uuid"}),
    "json": _fixed({}),
    "bytes": _fixed({"type": "string", "contentEncoding": "base64"}),
    "enum": _enum,
}


def typed(field: Field) -> bool:
    """Whether the API can type the field's values (``unsupported`` ones it cannot)."""
    return field.type in JSON_TYPES


def exposed(field: Field) -> bool:
    """Unsupported types never reach the API; hidden fields never appear in it."""
    return typed(field) and not field.api.hidden


def scalar(field: Field, ir: IR) -> Schema:
    """The schema of one value of the field (an item, for a list field)."""
    try:
        return JSON_TYPES[field.type](field, ir)
    except KeyError:
        raise ValueError(f"unsupported logical type {field.type!r}") from None


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

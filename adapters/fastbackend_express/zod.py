"""IR fields -> zod schema expressions (built from the helpers in src/lib/types.ts).

Which fields each schema holds, and which a create requires, are the IR's field roles
(fastbackend_ir.contract), as on the FastAPI runtime: read-only and hidden fields are not
accepted (the object is strict, so sending one is a 422 naming it); a non-nullable field cannot
be set to null, even in a PATCH; decimals and 64-bit integers stay exact; bytes are base64 text.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from fastbackend_contract import scalars
from fastbackend_ir import IR, Field
from fastbackend_ir.contract import roles

Builder = Callable[[Field, IR], str]


def _string(field: Field, ir: IR) -> str:
    length = field.db.length if field.db is not None else None
    return f"t.text({length})" if length is not None else "t.text()"


def _decimal(field: Field, ir: IR) -> str:
    db = field.db
    if db is None or db.precision is None:
        return "t.decimal()"
    return f"t.decimal({db.precision}, {db.scale or 0})"


def _datetime(field: Field, ir: IR) -> str:
    timezone = field.db is not None and field.db.timezone
    return f"t.datetime({'true' if timezone else 'false'})"


def _enum(field: Field, ir: IR) -> str:
    values = ", ".join(json.dumps(value.name) for value in ir.enums[field.enum or ""].values)
    return f"z.enum([{values}])"


def _json(field: Field, ir: IR) -> str:
    return "t.nullableJson()" if field.nullable else "t.json()"


# Where the field's details change the scalar table's builder (fastbackend_contract.scalars).
OVERRIDES: dict[str, Builder] = {
    "string": _string,
    "decimal": _decimal,
    "datetime": _datetime,
    "json": _json,
    "enum": _enum,
}


def carried(field: Field) -> bool:
    """Whether the Express server can carry the field's type at all: Prisma Client cannot read
    intervals or unsupported types (a capability of this target, docs/express.md)."""
    row = scalars.BY_NAME.get(field.type)
    return row is not None and row.express


def readable(field: Field) -> bool:
    """Returned in responses: the IR's role, on a type this server carries."""
    return carried(field) and roles(field).readable


def writable_on_create(field: Field) -> bool:
    return carried(field) and roles(field).writable_on_create


def writable_on_update(field: Field) -> bool:
    return carried(field) and roles(field).writable_on_update


def writable(field: Field) -> bool:
    return writable_on_create(field) or writable_on_update(field)


def scalar(field: Field, ir: IR) -> str:
    if not carried(field):
        raise ValueError(f"no zod schema for logical type {field.type!r}")
    override = OVERRIDES.get(field.type)
    expression = (override(field, ir) if override is not None
                  else str(scalars.BY_NAME[field.type].zod))
    return f"z.array({expression})" if field.list else expression


def create_expression(field: Field, ir: IR) -> str:
    expression = scalar(field, ir)
    # A JSON null is a value of the JSON column itself, not a missing one.
    if field.nullable and field.type != "json":
        expression += ".nullable()"
    return expression if roles(field).required_on_create else expression + ".optional()"


def update_expression(field: Field, ir: IR) -> str:
    expression = scalar(field, ir)
    if field.nullable and field.type != "json":
        expression += ".nullable()"
    return expression + ".optional()"


def read_expression(field: Field, ir: IR) -> str:
    """The field as it appears in a response (text for dates, decimals, bytes)."""
    expression = (_enum(field, ir) if field.type == "enum"
                  else str(scalars.BY_NAME[field.type].zod_read))
    if field.list:
        expression = f"z.array({expression})"
    return expression + ".nullable()" if field.nullable else expression

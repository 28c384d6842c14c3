"""The IR's scalar (logical) types and how every target spells them: one row per type.

Data only. The OpenAPI emitter (JSON Schema of a value, filter component names), the FastAPI
runtime (the portable SQL type; the operator family in tables.py) and the Express emitter (zod
builders, Prisma scalars, key casts, raw-SQL pages; ``ScalarKind`` in contract.ts) read these
rows instead of keeping their own maps, so a new scalar type is a row here plus the code only
it needs: its value parsing on each server (fastbackend_fastapi/pytypes.py, the support
library's values.ts), its source spellings in the front-ends and the IR's JSON Schema
(tests/contract/test_scalars.py lists the places and fails when another one appears).

What depends on a field's details (a string's length, a decimal's precision, a date-time's
time zone, an enum's values) stays with each adapter as an override of the row's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
# Patterns of what the servers really exchange, where a JSON Schema format would say more (RFC
# 3339's `time` and `date-time` require an offset) or nothing.
NO_NUL = "^[^\\u0000]*$"  # PostgreSQL cannot store the NUL character in text
DECIMAL = "^-?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?$"
LOCAL_DATETIME = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?$"
LOCAL_TIME = "^\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?$"
# ISO 8601 as pydantic writes it (`P1Y35DT0.5S`, `-PT1S`): a year is 365 days, a sign may lead.
# Not RFC 3339's `duration` format, which allows no days straight after years and no sign.
DURATION = "^-?P(\\d+Y)?(\\d+D)?(T(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?$"

# Which list-query operators apply (tables.OPERATORS): "text" is ordered and matched as text,
# "ordered" compares by order, "equality" only by equality; None is not filterable at all.
Family = Literal["text", "ordered", "equality"]
JSONSchema = dict[str, object]


@dataclass(frozen=True)
class Scalar:
    """How one logical type is spelled by each target. ``None`` where a target cannot carry
    the type (Prisma Client reads no interval) or cannot filter on it (json, bytes)."""

    name: str  # the IR's logical type
    json: JSONSchema  # JSON Schema 2020-12 of one value, as both servers accept and return it
    python: str  # the Python type the runtime parses a value to (pytypes.py builds it)
    zod: str | None  # the support library's builder for a request body (src/lib/types.ts)
    zod_read: str | None  # zod of the value in a response
    prisma: str | None  # Prisma's scalar type; None: the Express server cannot carry it
    sql: str  # SQLAlchemy's portable type (a name in `sqlalchemy`); dialects add variants
    pg_cast: str  # PostgreSQL type a key's text is cast to (the Express server's row lock)
    family: Family | None  # the operators that apply (tables.OPERATORS_BY_TYPE)
    filter: str | None = None  # stem of the OpenAPI filter components (`Int32Filter`)
    prisma_native: str | None = None  # the @db attribute its Prisma scalar alone would miss
    prisma_mysql: str | None = None  # the same on MySQL: the column `fastbackend migrate` makes
    raw_page: bool = False  # Prisma returns the same JS value from raw SQL as from findMany
    sql_options: dict[str, bool] = field(default_factory=dict)  # keyword arguments of ``sql``
    express: bool = True  # the Express server carries it (Prisma Client can read it)
    numeric: bool = False  # a number: `sum` and `avg` apply (tables.AGGREGATES)


SCALARS: tuple[Scalar, ...] = (
    Scalar("string", {"type": "string", "pattern": NO_NUL}, "str", "t.text()", "z.string()",
           "String", "String", "text", "text", "String", raw_page=True),
    Scalar("integer", {"type": "integer", "format": "int32", "minimum": INT32[0],
                       "maximum": INT32[1]},
           "int", "t.int32()", "z.number().int()", "Int", "Integer", "integer", "ordered",
           "Int32", raw_page=True, numeric=True),
    Scalar("bigint", {"type": "integer", "format": "int64", "minimum": INT64[0],
                      "maximum": INT64[1]},
           "int", "t.int64()", "z.number().int()", "BigInt", "BigInteger", "bigint", "ordered",
           "Int64", raw_page=True, numeric=True),
    Scalar("float", {"type": "number", "format": "double"}, "float", "t.float()", "z.number()",
           "Float", "Double", "double precision", "ordered", "Float", raw_page=True,
           numeric=True),
    Scalar("decimal", {"type": "string", "format": "decimal", "pattern": DECIMAL},
           "decimal.Decimal", "t.decimal()", "z.string()", "Decimal", "Numeric", "numeric",
           "ordered", "Decimal", numeric=True),
    Scalar("boolean", {"type": "boolean"}, "bool", "t.boolean()", "z.boolean()", "Boolean",
           "Boolean", "boolean", "equality", "Boolean", raw_page=True,
           sql_options={"create_constraint": False}),
    # Without a time zone the value is a local date-time (RFC 3339's date-time needs an
    # offset); a field with one is `format: date-time`, `DateTime` (the adapters' override).
    Scalar("datetime", {"type": "string", "pattern": LOCAL_DATETIME}, "datetime.datetime",
           "t.datetime(false)", "z.string()", "DateTime", "DateTime", "timestamp", "ordered",
           "LocalDateTime", raw_page=True, prisma_mysql="@db.DateTime(6)"),
    Scalar("date", {"type": "string", "format": "date"}, "datetime.date", "t.date()",
           "z.iso.date()", "DateTime", "Date", "date", "ordered", "Date",
           prisma_native="@db.Date", prisma_mysql="@db.Date"),
    Scalar("time", {"type": "string", "pattern": LOCAL_TIME}, "datetime.time", "t.time()",
           "z.iso.time()", "DateTime", "Time", "time", "ordered", "Time",
           prisma_native="@db.Time", prisma_mysql="@db.Time(6)"),
    Scalar("interval", {"type": "string", "pattern": DURATION}, "datetime.timedelta", None, None,
           None, "Interval", "interval", "ordered", "Interval", express=False),
    Scalar("uuid", {"type": "string", "format": "uuid"}, "uuid.UUID", "t.uuid()", "z.string()",
           "String", "Uuid", "uuid", "equality", "Uuid", prisma_native="@db.Uuid", raw_page=True,
           sql_options={"as_uuid": True}),
    Scalar("json", {}, "pydantic.JsonValue", "t.json()", "z.json()", "Json", "JSON", "text", None,
           sql_options={"none_as_null": True}),
    Scalar("bytes", {"type": "string", "contentEncoding": "base64"}, "bytes", "t.bytes()",
           "z.base64()", "Bytes", "LargeBinary", "text", None),
    # An enum's schema, zod, Prisma type, SQL type, cast and filter are its own (its name,
    # its values): each adapter's override.
    Scalar("enum", {}, "typing.Literal", None, None, None, "Enum", "text", "equality",
           raw_page=True),
)
BY_NAME: dict[str, Scalar] = {scalar.name: scalar for scalar in SCALARS}


def numeric() -> tuple[str, ...]:
    """The logical types that are numbers (`sum` and `avg` apply), in SCALARS' order."""
    return tuple(scalar.name for scalar in SCALARS if scalar.numeric)


def family(name: str) -> tuple[str, ...]:
    """The logical types of one operator family, in SCALARS' order."""
    return tuple(scalar.name for scalar in SCALARS if scalar.family == name)

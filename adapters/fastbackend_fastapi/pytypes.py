"""IR logical type -> the Python type the API validates and serializes (pydantic 2).

One builder per logical type of the scalar table (fastbackend_contract.scalars, whose
``python`` names the type built here; tests/contract/test_scalars.py checks they agree): a new
scalar type is a row there and its parsing here.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from annotated_types import Ge, Le
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    JsonValue,
    PlainSerializer,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
)
from pydantic import Field as Constraint
from pydantic_core import PydanticCustomError

from fastbackend_contract import scalars
from fastbackend_ir import IR, Field

# Bytes travel as base64 text in JSON, both ways.
JSON_CONFIG = ConfigDict(val_json_bytes="base64", ser_json_bytes="base64")
INT32 = scalars.INT32
INT64 = scalars.INT64
# SQLite stores an interval as a timestamp after 1970-01-01, so it must stay within year 1..9999.
MAX_INTERVAL = timedelta(days=700_000)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain the NUL character")
    return value


def _bounded_interval(value: timedelta) -> timedelta:
    if abs(value) > MAX_INTERVAL:
        raise ValueError(f"an interval may not exceed {MAX_INTERVAL.days} days")
    return value


def _integer_input(value: Any, info: ValidationInfo) -> Any:
    """JSON Schema's integer: a number with no fractional part, so 1.0 is 1 (pydantic's lax
    integer), but text and booleans are not numbers (its strict one). Query-string values are
    text, parsed as numbers."""
    if info.mode in ("python", "json") and isinstance(value, str | bool):  # not validate_strings
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if str(info.mode) == "string" and isinstance(value, str) and not INTEGER_TEXT.fullmatch(value):
        # a key or filter value has one spelling: digits (pydantic's lax `1.0`, ` 1`, `1_0` are not)
        raise PydanticCustomError("int_parsing",
                                  "Input should be a valid integer, unable to parse string as an integer")
    return value


def _temporal_input(kind: str) -> Callable[[Any, ValidationInfo], Any]:
    """RFC 3339 / ISO 8601 text only: pydantic's lax date-times also take a number (Unix
    time), and its dates a date-time at midnight; neither is the contract (docs/rest-api.md)."""
    def check(value: Any, info: ValidationInfo) -> Any:
        if info.mode in ("python", "json") and isinstance(value, int | float):
            raise PydanticCustomError(f"{kind}_type", f"Input should be a valid {kind}")
        if kind == "date" and isinstance(value, str) and not ISO_DATE.fullmatch(value):
            raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")
        return value
    return check


def _utc_in_range(value: datetime) -> datetime:
    """An offset can carry a valid local time past year 9999 or before year 1 in UTC
    (`9999-12-31T23:59:59-23:59`); both databases store UTC, so that is not a storable instant."""
    if value.tzinfo is not None:
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise PydanticCustomError(
                "datetime_out_of_range",
                "Input should be a datetime that is between years 1 and 9999 in UTC") from None
    return value


def _naive_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a time of day without a UTC offset is expected")
    return value


def _base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


# Serialized explicitly: a TypedDict's ser_json_bytes setting is not applied by pydantic 2.14.
BYTES = Annotated[bytes, PlainSerializer(_base64, return_type=str, when_used="json")]


def _string(field: Field, ir: IR) -> Any:
    length = field.db.length if field.db is not None else None
    return Annotated[str, Strict(), StringConstraints(max_length=length), AfterValidator(_no_nul)]


def _integer(field: Field, ir: IR) -> Any:
    return Annotated[int, BeforeValidator(_integer_input), Ge(INT32[0]), Le(INT32[1])]


def _bigint(field: Field, ir: IR) -> Any:
    return Annotated[int, BeforeValidator(_integer_input), Ge(INT64[0]), Le(INT64[1])]


def _float(field: Field, ir: IR) -> Any:
    return Annotated[float, Strict(), Constraint(allow_inf_nan=False)]


def _decimal(field: Field, ir: IR) -> Any:
    db = field.db
    precision = db.precision if db is not None else None
    scale = db.scale if db is not None else None
    return Annotated[Decimal, Constraint(max_digits=precision, decimal_places=scale,
                                         allow_inf_nan=False)]


AWARE_DATETIME = Annotated[AwareDatetime, BeforeValidator(_temporal_input("datetime")),
                           AfterValidator(_utc_in_range)]
DATETIME = Annotated[datetime, BeforeValidator(_temporal_input("datetime")),
                     AfterValidator(_utc_in_range)]


def _datetime(field: Field, ir: IR) -> Any:
    return AWARE_DATETIME if field.db is not None and field.db.timezone else DATETIME


def _enum(field: Field, ir: IR) -> Any:
    names = tuple(value.name for value in ir.enums[field.enum or ""].values)
    return Literal[names]


def _fixed(python_type: Any) -> Callable[[Field, IR], Any]:
    return lambda field, ir: python_type


PYTHON_TYPES: dict[str, Callable[[Field, IR], Any]] = {
    "string": _string,
    "integer": _integer,
    "bigint": _bigint,
    "float": _float,
    "decimal": _decimal,
    "boolean": _fixed(Annotated[bool, Strict()]),
    "datetime": _datetime,
    "date": _fixed(Annotated[date, BeforeValidator(_temporal_input("date"))]),
    "time": _fixed(Annotated[time, BeforeValidator(_temporal_input("time")),
                             AfterValidator(_naive_time)]),
    "interval": _fixed(Annotated[timedelta, AfterValidator(_bounded_interval)]),
    "uuid": _fixed(UUID),
    "json": _fixed(JsonValue),
    "bytes": _fixed(BYTES),
    "enum": _enum,
}


def exposed(field: Field) -> bool:
    """Unsupported types never reach the API; hidden fields never appear in it."""
    return field.type != "unsupported" and not field.api.hidden


def python_type(field: Field, ir: IR) -> Any:
    try:
        scalar = PYTHON_TYPES[field.type](field, ir)
    except KeyError:
        raise ValueError(f"unsupported logical type {field.type!r}") from None
    return list[scalar] if field.list else scalar  # type: ignore[valid-type]


def api_value(field: Field, ir: IR, value: Any) -> Any:
    """A literal from the IR (in API representation, e.g. decimals as text) as a Python value."""
    adapter: TypeAdapter[Any] = TypeAdapter(python_type(field, ir), config=JSON_CONFIG)
    return adapter.validate_json(json.dumps(value))

"""Column types: lookup tables from SQLAlchemy type names to the IR's logical type and db type.

A new type is one row. ``db`` is recorded only when the source states more than the logical
type's default: an SQL type name (``Text``, ``VARCHAR``, ``JSONB``) or parameters (length, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.names import dialect, sa_name
from fastbackend.frontends.sqlalchemy.specs import TypeSpec
from fastbackend_ir import DbType
from fastbackend_ir.nodes import LogicalType


@dataclass(frozen=True)
class TypeRow:
    logical: LogicalType
    sql: str | None  # the SQL name the type always states, or None for a generic type
    params: tuple[str, ...] = ()  # positional parameters, in order
    generic_sql: str | None = None  # the SQL name to record when parameters are given


_STRING = ("length",)
_TZ = ("timezone",)
_NUM = ("precision", "scale")

TYPES: dict[str, TypeRow] = {
    "String": TypeRow("string", None, _STRING, "VARCHAR"),
    "Unicode": TypeRow("string", None, _STRING, "VARCHAR"),
    "AutoString": TypeRow("string", None, _STRING, "VARCHAR"),
    "Text": TypeRow("string", "TEXT", _STRING),
    "UnicodeText": TypeRow("string", "TEXT", _STRING),
    "VARCHAR": TypeRow("string", "VARCHAR", _STRING),
    "NVARCHAR": TypeRow("string", "NVARCHAR", _STRING),
    "CHAR": TypeRow("string", "CHAR", _STRING),
    "NCHAR": TypeRow("string", "NCHAR", _STRING),
    "TEXT": TypeRow("string", "TEXT", _STRING),
    "CLOB": TypeRow("string", "CLOB", _STRING),
    "CITEXT": TypeRow("string", "CITEXT", _STRING),
    "INET": TypeRow("string", "INET"),
    "CIDR": TypeRow("string", "CIDR"),
    "MACADDR": TypeRow("string", "MACADDR"),
    "Integer": TypeRow("integer", None),
    "INTEGER": TypeRow("integer", "INTEGER"),
    "INT": TypeRow("integer", "INTEGER"),
    "SmallInteger": TypeRow("integer", "SMALLINT"),
    "SMALLINT": TypeRow("integer", "SMALLINT"),
    "BigInteger": TypeRow("bigint", None),
    "BIGINT": TypeRow("bigint", "BIGINT"),
    "Float": TypeRow("float", None, ("precision",), "FLOAT"),
    "FLOAT": TypeRow("float", "FLOAT", ("precision",)),
    "REAL": TypeRow("float", "REAL"),
    "Double": TypeRow("float", "DOUBLE PRECISION"),  # what every dialect renders it as
    "DOUBLE": TypeRow("float", "DOUBLE"),
    "DOUBLE_PRECISION": TypeRow("float", "DOUBLE PRECISION"),
    "Numeric": TypeRow("decimal", None, _NUM, "NUMERIC"),
    "NUMERIC": TypeRow("decimal", "NUMERIC", _NUM),
    "DECIMAL": TypeRow("decimal", "DECIMAL", _NUM),
    "MONEY": TypeRow("decimal", "MONEY"),
    "Boolean": TypeRow("boolean", None),
    "BOOLEAN": TypeRow("boolean", "BOOLEAN"),
    "DateTime": TypeRow("datetime", None, _TZ, "TIMESTAMP"),
    "DATETIME": TypeRow("datetime", "DATETIME", _TZ),
    "TIMESTAMP": TypeRow("datetime", "TIMESTAMP", _TZ),
    "Date": TypeRow("date", None),
    "DATE": TypeRow("date", "DATE"),
    "Time": TypeRow("time", None, _TZ, "TIME"),
    "TIME": TypeRow("time", "TIME", _TZ),
    "Interval": TypeRow("interval", None),
    "INTERVAL": TypeRow("interval", "INTERVAL"),
    "LargeBinary": TypeRow("bytes", None, _STRING, "BLOB"),
    "BLOB": TypeRow("bytes", "BLOB", _STRING),
    "BINARY": TypeRow("bytes", "BINARY", _STRING),
    "VARBINARY": TypeRow("bytes", "VARBINARY", _STRING),
    "BYTEA": TypeRow("bytes", "BYTEA"),
    "PickleType": TypeRow("bytes", None),  # pickled in LargeBinary: bytes to the database
    "JSON": TypeRow("json", None),
    "JSONB": TypeRow("json", "JSONB"),
    "HSTORE": TypeRow("json", "HSTORE"),
    "Uuid": TypeRow("uuid", None),
    "UUID": TypeRow("uuid", "UUID"),
}

# Python annotation types -> SQLAlchemy type names (SQLAlchemy 2.1's default type_annotation_map;
# 2.1 maps float to Double where 2.0 mapped it to Float).
PYTHON_TYPES: dict[str, str] = {
    "builtins.int": "Integer",
    "builtins.float": "Double",
    "builtins.bool": "Boolean",
    "builtins.str": "String",
    "builtins.bytes": "LargeBinary",
    "datetime.datetime": "DateTime",
    "datetime.date": "Date",
    "datetime.time": "Time",
    "datetime.timedelta": "Interval",
    "decimal.Decimal": "Numeric",
    "uuid.UUID": "Uuid",
}
# SQLModel maps str (and str-like pydantic types) to its AutoString, a VARCHAR, and float to Float.
SQLMODEL_PYTHON_TYPES = {
    **PYTHON_TYPES, "builtins.str": "AutoString", "builtins.float": "Float",
    **{name: "AutoString" for name in (
        "ipaddress.IPv4Address", "ipaddress.IPv4Network", "ipaddress.IPv6Address",
        "ipaddress.IPv6Network", "pathlib.Path", "pydantic.EmailStr", "pydantic.networks.EmailStr",
    )},
}


def sql_type(name: str, qname: str, call: v.Call | None) -> TypeSpec | None:
    """The TypeSpec of a SQLAlchemy type named ``name`` (``String``), called with ``call``'s
    arguments when it is instantiated (``String(50)``); None when the name is not in the table."""
    row = TYPES.get(name)
    if row is None:
        return None
    params = _params(row, call)
    generic = row.sql is None
    stated = {k: val for k, val in params.items() if val not in (None, False)}
    if generic and not stated:
        return TypeSpec(row.logical)
    sql = row.sql or row.generic_sql or name.upper()
    where = dialect(qname) if name.isupper() and name not in _GENERIC_UPPER else None
    return TypeSpec(row.logical, DbType(
        type=sql,
        length=_int(params.get("length")),
        precision=_int(params.get("precision")),
        scale=_int(params.get("scale")),
        timezone=params.get("timezone") is True,
        dialect=where,
    ))


# Upper-case names that SQLAlchemy also exports generically, so a dialect import of them does not
# make the column dialect-specific.
_GENERIC_UPPER = frozenset({
    "VARCHAR", "NVARCHAR", "CHAR", "NCHAR", "TEXT", "CLOB", "INTEGER", "INT", "SMALLINT", "BIGINT",
    "FLOAT", "REAL", "DOUBLE", "DOUBLE_PRECISION", "NUMERIC", "DECIMAL", "BOOLEAN", "DATETIME",
    "TIMESTAMP", "DATE", "TIME", "BLOB", "BINARY", "VARBINARY", "JSON", "UUID",
})


def _params(row: TypeRow, call: v.Call | None) -> dict[str, object]:
    if call is None:
        return {}
    found: dict[str, object] = {}
    for name, arg in zip(row.params, call.args, strict=False):
        found[name] = arg.value if isinstance(arg, v.Lit) else None
    for name in row.params:
        value = call.kwarg(name)
        if isinstance(value, v.Lit):
            found[name] = value.value
    return found


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def type_name(qname: str | None) -> str | None:
    """The SQLAlchemy type name a qualified name denotes, when it is one of ours."""
    name = sa_name(qname)
    return name if name in TYPES or name in ("Enum", "ARRAY") else None

"""Lookup tables from Prisma's types, native types and providers to the IR's vocabulary."""

from __future__ import annotations

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.expressions import u32
from fastbackend_ir import DbType
from fastbackend_ir.nodes import LogicalType, ReferentialAction

SCALARS: dict[str, LogicalType] = {
    "String": "string", "Boolean": "boolean", "Int": "integer", "BigInt": "bigint",
    "Float": "float", "Decimal": "decimal", "DateTime": "datetime", "Json": "json",
    "Bytes": "bytes",
}

PROVIDERS = {
    "postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql", "sqlite": "sqlite",
    "sqlserver": "sqlserver", "mongodb": "mongodb", "cockroachdb": "cockroachdb",
}

ACTIONS: dict[str, ReferentialAction] = {
    "Cascade": "cascade", "Restrict": "restrict", "NoAction": "noAction", "SetNull": "setNull",
    "SetDefault": "setDefault",
}

# Native types whose SQL spelling is not simply the upper-cased name.
_SQL_NAMES = {
    "DoublePrecision": "DOUBLE PRECISION", "Timestamptz": "TIMESTAMP", "Timetz": "TIME",
    "JsonB": "JSONB", "ByteA": "BYTEA", "VarBit": "VARBIT", "NVarChar": "NVARCHAR",
    "UnsignedInt": "INT UNSIGNED", "UnsignedBigInt": "BIGINT UNSIGNED",
    "UnsignedSmallInt": "SMALLINT UNSIGNED", "UnsignedTinyInt": "TINYINT UNSIGNED",
    "UnsignedMediumInt": "MEDIUMINT UNSIGNED", "DateTime2": "DATETIME2",
    "ObjectId": "OBJECTID",
}
_WITH_TIMEZONE = {"Timestamptz", "Timetz", "DateTimeOffset"}
_LENGTH_TYPES = {"VarChar", "Char", "NVarChar", "NChar", "Bit", "VarBit", "Binary", "VarBinary"}
_POSTGRES_ONLY = {"JsonB", "ByteA", "Citext", "Inet", "Money", "Xml", "Oid", "Uuid"}

# A native type can make the logical type more precise than the Prisma scalar says.
_REFINED: dict[tuple[str, str], LogicalType] = {
    ("String", "Uuid"): "uuid", ("String", "UniqueIdentifier"): "uuid",
    ("DateTime", "Date"): "date", ("DateTime", "Time"): "time", ("DateTime", "Timetz"): "time",
}


def logical_type(prisma_type: str, native: str | None) -> LogicalType | None:
    if native is not None and (prisma_type, native) in _REFINED:
        return _REFINED[(prisma_type, native)]
    return SCALARS.get(prisma_type)


def native_db_type(name: str, args: tuple[int, ...], provider: str | None) -> DbType:
    """`@db.VarChar(255)` -> DbType(type="VARCHAR", length=255)."""
    sql = _SQL_NAMES.get(name, name.upper())
    length = precision = scale = None
    if args and name in _LENGTH_TYPES:
        length = args[0]
    elif args:
        precision = args[0]
        scale = args[1] if len(args) > 1 else None
    dialect = provider if name in _POSTGRES_ONLY and provider else None
    return DbType(type=sql, length=length, precision=precision, scale=scale,
                  timezone=name in _WITH_TIMEZONE, dialect=dialect)


def unsupported_db_type(raw: str) -> DbType:
    return DbType(type="UNSUPPORTED", raw=raw)


def numeric_args(attribute: ast.Attribute) -> tuple[int, ...]:
    """`@db.Decimal(10, 2)` -> (10, 2); `max` (SQL Server) and strings are skipped."""
    values: list[int] = []
    for argument in attribute.arguments:
        number = u32(argument.value.text) if isinstance(argument.value, ast.NumberValue) else None
        if number is not None:
            values.append(number)
    return tuple(values)

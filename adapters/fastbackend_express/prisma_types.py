"""IR field types and defaults -> Prisma's scalar types, native types (@db.*) and @default(...).

Lookup tables, one row per native type or generator; the scalars are the contract's table
(fastbackend_contract.scalars).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from fastbackend_contract import scalars
from fastbackend_ir import IR, DbType, Default, Field, GeneratorDefault, LiteralDefault, SqlDefault

# Logical type -> Prisma scalar: the scalar table's (fastbackend_contract.scalars).
SCALARS: dict[str, str] = {row.name: row.prisma for row in scalars.SCALARS if row.prisma}


GENERATORS: dict[str, Callable[[GeneratorDefault], str]] = {
    "now": lambda default: "now()",
    "uuid4": lambda default: "uuid(4)",
    "uuid7": lambda default: "uuid(7)",
    "cuid": lambda default: "cuid()",
    "cuid2": lambda default: "cuid(2)",
    "nanoid": lambda default: f"nanoid({', '.join(map(str, default.args))})",
    "ulid": lambda default: "ulid()",
}


# IR db type (PostgreSQL's spelling) -> Prisma's @db attribute, which DbType detail is its
# argument, and the Prisma scalar it applies to (another dialect's BIT on a Boolean: no attribute).
PG_NATIVE: dict[str, tuple[str, str | None, str]] = {
    "TEXT": ("Text", None, "String"), "VARCHAR": ("VarChar", "length", "String"),
    "CHAR": ("Char", "length", "String"), "BIT": ("Bit", "length", "String"),
    "VARBIT": ("VarBit", "length", "String"), "UUID": ("Uuid", None, "String"),
    "XML": ("Xml", None, "String"), "INET": ("Inet", None, "String"),
    "CITEXT": ("Citext", None, "String"), "BOOLEAN": ("Boolean", None, "Boolean"),
    "INTEGER": ("Integer", None, "Int"), "SMALLINT": ("SmallInt", None, "Int"),
    "OID": ("Oid", None, "Int"), "BIGINT": ("BigInt", None, "BigInt"),
    "DOUBLE PRECISION": ("DoublePrecision", None, "Float"), "REAL": ("Real", None, "Float"),
    "DECIMAL": ("Decimal", "scale", "Decimal"), "NUMERIC": ("Decimal", "scale", "Decimal"),
    "MONEY": ("Money", None, "Decimal"), "TIMESTAMP": ("Timestamp", "precision", "DateTime"),
    "DATE": ("Date", None, "DateTime"), "TIME": ("Time", "precision", "DateTime"),
    "JSON": ("Json", None, "Json"), "JSONB": ("JsonB", None, "Json"), "BYTEA": ("ByteA", None, "Bytes"),
}


WITH_TIME_ZONE = {"Timestamp": "Timestamptz", "Time": "Timetz"}


# Logical types whose Prisma scalar alone would give another column type than the IR's default.
IMPLIED_NATIVE: dict[str, str] = {row.name: row.prisma_native for row in scalars.SCALARS
                                  if row.prisma_native}


def _native_attribute(db: DbType, scalar: str | None) -> str | None:
    """Prisma's PostgreSQL native type for the IR's db details (other dialects' types: none)."""
    if db.dialect not in (None, "postgresql") or db.type not in PG_NATIVE:
        return None
    name, argument, applies_to = PG_NATIVE[db.type]
    if applies_to != scalar:
        return None
    if db.timezone:
        name = WITH_TIME_ZONE.get(name, name)
    if argument == "scale":
        arguments = f"{db.precision}, {db.scale or 0}" if db.precision is not None else ""
    else:
        value = getattr(db, argument) if argument is not None else None
        arguments = str(value) if value is not None else ""
    return f"@db.{name}({arguments})" if arguments else f"@db.{name}"


def prisma_type(field: Field) -> str:
    if field.type == "enum":
        base = field.enum or ""
    elif field.type not in SCALARS:
        # Prisma has no interval type (no scalar in the table): the column stays readable by SQL,
        # not by the client.
        raw = (field.db.raw or field.db.type) if field.db is not None else field.type
        base = f"Unsupported({json.dumps(raw if field.type == 'unsupported' else field.type)})"
    else:
        base = SCALARS[field.type]
    if field.list:
        return base + "[]"
    return base + "?" if field.nullable else base


def native_type(field: Field, provider: str = "postgresql") -> str | None:
    if provider == "mysql":
        return _mysql_native(field)
    if field.db is not None:
        native = _native_attribute(field.db, SCALARS.get(field.type))
        if native is not None:
            return native
    return IMPLIED_NATIVE.get(field.type)


# MySQL: the column types `fastbackend migrate` creates there (docs/dialects.md, "MySQL and
# MariaDB"): a declared length or precision as declared; date-times and times with microseconds.
MYSQL_SIZED: dict[str, tuple[str, str]] = {
    "VARCHAR": ("VarChar", "String"), "CHAR": ("Char", "String"), "TEXT": ("Text", "String"),
    "DECIMAL": ("Decimal", "Decimal"), "NUMERIC": ("Decimal", "Decimal"),
}


def _mysql_native(field: Field) -> str | None:
    db = field.db
    if db is not None and db.type in MYSQL_SIZED and MYSQL_SIZED[db.type][1] == SCALARS.get(field.type):
        name = MYSQL_SIZED[db.type][0]
        if name == "Decimal":
            return f"@db.Decimal({db.precision}, {db.scale or 0})" if db.precision is not None else None
        if name == "Text":
            return "@db.Text"
        return f"@db.{name}({db.length})" if db.length is not None else None
    scalar = scalars.BY_NAME.get(field.type)
    return scalar.prisma_mysql if scalar is not None else None


def default_value(ir: IR, field: Field) -> str | None:
    if field.autoincrement:
        return "autoincrement()"
    default: Default | None = field.default
    if isinstance(default, GeneratorDefault):
        return GENERATORS[default.name](default)
    if isinstance(default, SqlDefault):
        # Prisma writes a default it cannot describe as dbgenerated() without an argument.
        return f"dbgenerated({json.dumps(default.expression)})" if default.expression else "dbgenerated()"
    if isinstance(default, LiteralDefault):
        return _literal(field, default)
    return None


def _literal(field: Field, default: LiteralDefault) -> str | None:
    value = default.value
    if field.type == "enum" and isinstance(value, str):
        return value
    if field.type == "enum" and isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    if field.type in ("decimal", "bigint") and isinstance(value, str):
        return value
    if field.type == "json":
        return json.dumps(json.dumps(value, sort_keys=True))
    if field.type == "bytes" and isinstance(value, str):
        return json.dumps(value)  # base64 text, as Prisma writes a Bytes default
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(item) for item in value) + "]"
    return json.dumps(value)

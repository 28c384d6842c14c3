"""Prisma's native types per provider and the scalar each one fits (checked against the engine).

`@db.VarChar(255)` on a String is fine on PostgreSQL; `@db.VarChar` on an Int, or `@db.Nope`, is
rejected, as Prisma rejects it. SQLite has no native types.
"""

from __future__ import annotations

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.expressions import render, u32

_S, _B, _I, _BI, _F, _D, _DT, _J, _BY = (
    "String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes")

NATIVE_TYPES: dict[str, dict[str, set[str]]] = {
    "postgresql": {
        "Text": {_S}, "Char": {_S}, "VarChar": {_S}, "Bit": {_S}, "VarBit": {_S}, "Uuid": {_S},
        "Xml": {_S}, "Inet": {_S}, "Citext": {_S}, "Boolean": {_B}, "Integer": {_I},
        "SmallInt": {_I}, "Oid": {_I}, "BigInt": {_BI}, "DoublePrecision": {_F}, "Real": {_F},
        "Decimal": {_D}, "Money": {_D}, "Timestamp": {_DT}, "Timestamptz": {_DT}, "Date": {_DT},
        "Time": {_DT}, "Timetz": {_DT}, "Json": {_J}, "JsonB": {_J}, "ByteA": {_BY},
    },
    "cockroachdb": {
        "String": {_S}, "Char": {_S}, "CatalogSingleChar": {_S}, "Uuid": {_S}, "Inet": {_S},
        "Bit": {_S}, "VarBit": {_S}, "Bool": {_B}, "Int4": {_I}, "Int2": {_I}, "Oid": {_I},
        "Int8": {_BI}, "Float8": {_F}, "Float4": {_F}, "Decimal": {_D}, "Timestamp": {_DT},
        "Timestamptz": {_DT}, "Date": {_DT}, "Time": {_DT}, "Timetz": {_DT}, "JsonB": {_J},
        "Bytes": {_BY},
    },
    "mysql": {
        "VarChar": {_S}, "Char": {_S}, "TinyText": {_S}, "Text": {_S}, "MediumText": {_S},
        "LongText": {_S}, "TinyInt": {_B, _I}, "Bit": {_B, _BY}, "Int": {_I},
        "UnsignedInt": {_I}, "SmallInt": {_I}, "UnsignedSmallInt": {_I}, "MediumInt": {_I},
        "UnsignedMediumInt": {_I}, "UnsignedTinyInt": {_I}, "Year": {_I}, "BigInt": {_BI},
        "UnsignedBigInt": {_BI}, "Float": {_F}, "Double": {_F}, "Decimal": {_D},
        "DateTime": {_DT}, "Date": {_DT}, "Time": {_DT}, "Timestamp": {_DT}, "Json": {_J},
        "Binary": {_BY}, "VarBinary": {_BY}, "TinyBlob": {_BY}, "Blob": {_BY},
        "MediumBlob": {_BY}, "LongBlob": {_BY},
    },
    "sqlserver": {
        "Char": {_S}, "NChar": {_S}, "VarChar": {_S}, "NVarChar": {_S}, "Text": {_S},
        "NText": {_S}, "Xml": {_S}, "UniqueIdentifier": {_S}, "Bit": {_B, _I}, "Int": {_I},
        "SmallInt": {_I}, "TinyInt": {_I}, "BigInt": {_BI}, "Float": {_F}, "Real": {_F},
        "Decimal": {_D}, "Money": {_F}, "SmallMoney": {_F}, "Date": {_DT}, "Time": {_DT},
        "DateTime": {_DT}, "DateTime2": {_DT}, "SmallDateTime": {_DT}, "DateTimeOffset": {_DT},
        "Binary": {_BY}, "VarBinary": {_BY}, "Image": {_BY},
    },
    "mongodb": {
        "String": {_S}, "ObjectId": {_S, _BY}, "Bool": {_B}, "Int": {_I}, "Long": {_I, _BI},
        "Double": {_F}, "Date": {_DT}, "Timestamp": {_DT}, "Json": {_J}, "BinData": {_BY},
    },
}


def native_type_problem(provider: str | None, name: str, scalar: str) -> str | None:
    """Prisma's message when `@db.<name>` does not fit, or None."""
    if provider is None:
        return None
    types = NATIVE_TYPES.get(provider)
    if types is None:
        return f"Native types are not supported with {provider} connector"
    if name not in types:
        return f"Native type {name} is not supported for {provider} connector."
    if scalar not in types[name]:
        expected = " or ".join(sorted(types[name]))
        return (f"Native type {name} is not compatible with declared field type {scalar}, "
                f"expected field type {expected}.")
    return None


# How many arguments a native type takes, where it is not none (checked against the engine).
_ONE = (0, 1)
ARITIES: dict[str, dict[str, tuple[int, ...]]] = {
    "postgresql": {"Char": _ONE, "VarChar": _ONE, "Bit": _ONE, "VarBit": _ONE, "Decimal": (0, 2),
                   "Timestamp": _ONE, "Timestamptz": _ONE, "Time": _ONE, "Timetz": _ONE},
    "cockroachdb": {"String": _ONE, "Char": _ONE, "Bit": _ONE, "VarBit": _ONE, "Decimal": (0, 2),
                    "Timestamp": _ONE, "Timestamptz": _ONE, "Time": _ONE, "Timetz": _ONE},
    "mysql": {"VarChar": (1,), "Char": (1,), "Bit": (1,), "Binary": (1,), "VarBinary": (1,),
              "Decimal": (0, 2), "DateTime": _ONE, "Time": _ONE, "Timestamp": _ONE},
    "sqlserver": {"Char": _ONE, "NChar": _ONE, "VarChar": _ONE, "NVarChar": _ONE,
                  "Float": _ONE, "Decimal": (0, 2), "Binary": _ONE, "VarBinary": _ONE},
}


def arity_problem(provider: str | None, name: str, count: int) -> str | None:
    if provider not in NATIVE_TYPES or name not in NATIVE_TYPES[provider]:
        return None
    allowed = ARITIES.get(provider, {}).get(name, (0,))
    if count in allowed:
        return None
    expected = " or ".join(str(n) for n in allowed)
    return f"Function \"{name}\" takes {expected} arguments, but received {count}."


# SQL Server types whose length may be `Max`.
_MAX_LENGTH = {"VarChar", "NVarChar", "VarBinary"}


def argument_problem(
    provider: str | None, name: str, arguments: list[ast.Expression | None]
) -> str | None:
    """Native type arguments are unsigned 32-bit integers (or `Max` for SQL Server's variable
    lengths): Prisma's message when one is not, or None."""
    if not arguments:
        return None
    takes_max = provider == "sqlserver" and name in _MAX_LENGTH
    if all(_fits(value, takes_max) for value in arguments):
        return None
    found = ", ".join(render(v) if v is not None else "" for v in arguments)
    if takes_max:
        return f"Expected an integer or `Max`, but found ({found})."
    wanted = "two nonnegative integers" if len(arguments) == 2 else "a nonnegative integer"
    return f"Expected {wanted}, but found ({found})."


def _fits(value: ast.Expression | None, takes_max: bool) -> bool:
    if takes_max and isinstance(value, ast.PathValue) and value.text.lower() == "max":
        return True
    return isinstance(value, ast.NumberValue) and u32(value.text) is not None

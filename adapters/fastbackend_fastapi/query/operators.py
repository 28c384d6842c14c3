"""Operators: the SQL each becomes, and how their values parse.

Which operators exist, the types each applies to, whether it takes a list and its Prisma
spelling are the contract's (fastbackend_contract.tables.OPERATORS); this module adds the one
thing that is the runtime's: BUILDERS, the SQL of each. Semantics are the same on SQLite and PostgreSQL: a
comparison with NULL is false, except ``ne`` and ``notin`` (NULL differs from every value);
text matching is case-sensitive except ``icontains`` and the FOLDED operators (where=JSON's
``"mode": "insensitive"``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from fastbackend_contract import tables
from fastbackend_fastapi.query.errors import bad_parameter
from fastbackend_fastapi.query.vocabulary import FieldInfo

Column = sa.ColumnElement[Any]
Build = Callable[[Column, str, FieldInfo, str], sa.ColumnElement[bool]]

ORDERED = frozenset(tables.ORDERED_TYPES)
EQUALITY = frozenset(tables.COMPARABLE_TYPES)
TEXT = frozenset(tables.TEXT_TYPES)
LIKE_ESCAPE = "/"  # not a backslash: PostgreSQL and SQLite read '/' the same way in a literal


def comparable(column: Column, field: FieldInfo, dialect: str) -> Column:
    """Values as SQLite must compare them: it keeps decimals as text (exactly), so they are
    ordered as numbers; timestamps are text too, written by SQLAlchemy with microseconds but,
    in tables created before server defaults wrote that form (tables.ServerNow), by
    CURRENT_TIMESTAMP without: both are padded to the one 26-character form."""
    if dialect != "sqlite":
        return column
    if field.type == "decimal":
        return sa.cast(column, sa.Float())
    if field.type == "datetime":
        return sa.func.substr(sa.cast(column, sa.String()).concat(".000000"), 1, 26)
    return column


def _param(name: str, field: FieldInfo, column: Column, expanding: bool = False) -> Column:
    return sa.bindparam(name, type_=column.type, expanding=expanding)


def _ordered(compare: Callable[[Column, Column], Any]) -> Build:
    def build(column: Column, name: str, field: FieldInfo, dialect: str) -> Any:
        param = _param(name, field, column)
        return compare(comparable(column, field, dialect), comparable(param, field, dialect))
    return build


def _eq(column: Column, name: str, field: FieldInfo, dialect: str) -> Any:
    param = _param(name, field, column)
    return comparable(column, field, dialect) == comparable(param, field, dialect)


def _ne(column: Column, name: str, field: FieldInfo, dialect: str) -> Any:
    param = comparable(_param(name, field, column), field, dialect)
    return comparable(column, field, dialect).is_distinct_from(param)


def _in(column: Column, name: str, field: FieldInfo, dialect: str) -> Any:
    values = _param(name, field, column, expanding=True)  # each value is bound, so unwrapped
    return _listed(column, field, dialect).in_(values)


def _notin(column: Column, name: str, field: FieldInfo, dialect: str) -> Any:
    values = _param(name, field, column, expanding=True)
    return sa.or_(column.is_(None), _listed(column, field, dialect).not_in(values))


def _listed(column: Column, field: FieldInfo, dialect: str) -> Column:
    """Compared with a list of bound values, which are not wrapped: only the padding of
    SQLite timestamps applies (decimals are canonical text already)."""
    return comparable(column, field, dialect) if field.type == "datetime" else column


def _match(column: Column, name: str, field: FieldInfo, dialect: str) -> Any:
    pattern = sa.bindparam(name, type_=sa.String())
    if dialect == "sqlite":  # SQLite's LIKE ignores ASCII case; GLOB does not
        return column.op("GLOB")(pattern)
    return column.like(pattern, escape=LIKE_ESCAPE)


def _imatch(column: Column, name: str, field: FieldInfo, dialect: str) -> Any:
    # lower() LIKE lower() on SQLite, ILIKE on PostgreSQL
    return column.ilike(sa.bindparam(name, type_=sa.String()), escape=LIKE_ESCAPE)


class _Folded(sa.types.TypeDecorator[str]):
    """Text compared in lower case: every bound value (each one of an IN list too) is
    wrapped in lower(), as the column is."""

    impl = sa.String
    cache_ok = True

    def bind_expression(self, bindvalue: Any) -> Any:
        return sa.func.lower(bindvalue, type_=sa.String())


def _folded(build: Build) -> Build:
    def folded(column: Column, name: str, field: FieldInfo, dialect: str) -> Any:
        return build(sa.func.lower(column, type_=_Folded()), name, field, dialect)
    return folded


def _ilike_pattern(before: bool, after: bool) -> Callable[[str, str], str]:
    def prepare(text: str, dialect: str) -> str:
        return ("%" if before else "") + _like_escaped(text) + ("%" if after else "")
    return prepare


def _isnull(column: Column, name: str, field: FieldInfo, dialect: str) -> Any:
    raise AssertionError("isnull is built from its value, see null_test")


def null_test(column: Column, is_null: bool) -> sa.ColumnElement[bool]:
    return column.is_(None) if is_null else column.is_not(None)


def _like_escaped(text: str) -> str:
    return "".join(LIKE_ESCAPE + c if c in "%_" + LIKE_ESCAPE else c for c in text)


def _glob_escaped(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _pattern(before: bool, after: bool) -> Callable[[str, str], str]:
    def prepare(text: str, dialect: str) -> str:
        any_text = "*" if dialect == "sqlite" else "%"
        escaped = _glob_escaped(text) if dialect == "sqlite" else _like_escaped(text)
        return (any_text if before else "") + escaped + (any_text if after else "")
    return prepare


def _ipattern(text: str, dialect: str) -> str:
    return "%" + _like_escaped(text) + "%"


def _same(value: Any, dialect: str) -> Any:
    return value


@dataclass(frozen=True)
class Operator:
    name: str
    types: frozenset[str]
    build: Build
    prepare: Callable[[Any, str], Any] = _same  # the parsed value -> the bound value
    listed: bool = False  # takes a list of values


# The SQL of each operator of the contract, and how its parsed value becomes the bound one.
BUILDERS: dict[str, tuple[Build, Callable[[Any, str], Any]]] = {
    "eq": (_eq, _same),
    "ne": (_ne, _same),
    "gt": (_ordered(lambda a, b: a > b), _same),
    "gte": (_ordered(lambda a, b: a >= b), _same),
    "lt": (_ordered(lambda a, b: a < b), _same),
    "lte": (_ordered(lambda a, b: a <= b), _same),
    "in": (_in, _same),
    "notin": (_notin, _same),
    "contains": (_match, _pattern(True, True)),
    "icontains": (_imatch, _ipattern),
    "startswith": (_match, _pattern(False, True)),
    "endswith": (_match, _pattern(True, False)),
    "isnull": (_isnull, _same),
}
OPERATORS: dict[str, Operator] = {
    op.name: Operator(op.name, frozenset(op.types), *BUILDERS[op.name], listed=op.listed)
    for op in tables.OPERATORS}
# `"mode": "insensitive"` in where=JSON (Prisma's): each text operator on lower() of both
# sides (ILIKE for the patterns), by its own internal name. lower() folds ASCII letters on
# SQLite; PostgreSQL folds more, as ILIKE does for icontains.
FOLDED: dict[str, Operator] = {op.name: op for op in (
    Operator("ieq", TEXT, _folded(_eq)),
    Operator("ine", TEXT, _folded(_ne)),
    Operator("igt", TEXT, _folded(_ordered(lambda a, b: a > b))),
    Operator("igte", TEXT, _folded(_ordered(lambda a, b: a >= b))),
    Operator("ilt", TEXT, _folded(_ordered(lambda a, b: a < b))),
    Operator("ilte", TEXT, _folded(_ordered(lambda a, b: a <= b))),
    Operator("iin", TEXT, _folded(_in), listed=True),
    Operator("inotin", TEXT, _folded(_notin), listed=True),
    OPERATORS["icontains"],
    Operator("istartswith", TEXT, _imatch, _ilike_pattern(False, True)),
    Operator("iendswith", TEXT, _imatch, _ilike_pattern(True, False)),
)}
FOLDING = {"eq": "ieq", "ne": "ine", "gt": "igt", "gte": "igte", "lt": "ilt", "lte": "ilte",
           "in": "iin", "notin": "inotin", "contains": "icontains", "icontains": "icontains",
           "startswith": "istartswith", "endswith": "iendswith"}
# Prisma's spellings, accepted in where=JSON.
ALIASES = {op.prisma: op.name for op in tables.OPERATORS if op.prisma not in (None, op.name)}
BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


def by_name(name: str) -> Operator:
    """A parsed comparison's operator, public or folded (Compare.op)."""
    return OPERATORS.get(name) or FOLDED[name]


def operator(name: str, field: FieldInfo, parameter: str) -> Operator:
    found = OPERATORS.get(ALIASES.get(name, name))
    if found is None:
        raise bad_parameter(parameter, f"unknown operator {name!r} (known: "
                                       f"{', '.join(OPERATORS)})")
    if field.type not in found.types or not field.filterable:
        raise bad_parameter(parameter, f"operator {found.name!r} does not apply to "
                                       f"{field.name!r} ({field.type})")
    return found


def from_text(op: Operator, field: FieldInfo, raw: str, parameter: str) -> Any:
    """A query-string value: text parsed by the field's type; comma lists for in/notin."""
    if op.name == "isnull":
        if raw.lower() not in BOOLEANS:
            raise bad_parameter(parameter, "isnull takes true or false")
        return BOOLEANS[raw.lower()]
    try:
        if op.listed:
            return [field.adapter.validate_strings(part) for part in raw.split(",")] if raw else []
        return field.adapter.validate_strings(raw)
    except ValidationError as error:
        raise bad_parameter(parameter, _message(error)) from None


def from_json(op: Operator, field: FieldInfo, value: Any, parameter: str) -> Any:
    """A where=JSON value, parsed as the request body's JSON would be."""
    if op.name == "isnull":
        if not isinstance(value, bool):
            raise bad_parameter(parameter, "isnull takes true or false")
        return value
    if op.listed and not isinstance(value, list):
        raise bad_parameter(parameter, f"{op.name} takes a list of values")
    try:
        if op.listed:
            return [field.adapter.validate_json(json.dumps(item)) for item in value]
        return field.adapter.validate_json(json.dumps(value))
    except ValidationError as error:
        raise bad_parameter(parameter, _message(error)) from None


def _message(error: ValidationError) -> str:
    return str(error.errors(include_url=False)[0]["msg"])

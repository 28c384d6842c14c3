"""Operators: the SQL each becomes, and how their values parse.

Which operators exist, whether each takes a list and its Prisma spelling are the contract's
(fastbackend_contract.tables.OPERATORS); which apply to a field is the IR's record of it
(``roles.operators``, decided by the compiler from the table's types), never worked out here
again. This module adds the one thing that is the runtime's: BUILDERS, the SQL of each, made
with the database's Dialect (comparable values, pattern matching). Semantics are the same on
every database: a comparison with NULL is false, except ``ne`` and ``notin`` (NULL differs from
every value); text matching is case-sensitive except ``icontains`` and the FOLDED operators
(where=JSON's ``"mode": "insensitive"``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from fastbackend_contract import tables
from fastbackend_fastapi.database.dialects import Dialect
from fastbackend_fastapi.query.errors import bad_parameter
from fastbackend_fastapi.query.vocabulary import FieldInfo

Column = sa.ColumnElement[Any]
Build = Callable[[Column, str, FieldInfo, Dialect], sa.ColumnElement[bool]]
Prepare = Callable[[Any, Dialect], Any]

def comparable(column: Column, field: FieldInfo, dialect: Dialect) -> Column:
    """Values as the database must compare them to compare as their type (Dialect.COMPARABLE:
    SQLite's decimals and timestamps are text)."""
    return dialect.comparable(column, field.type)


def _param(name: str, field: FieldInfo, column: Column, expanding: bool = False) -> Column:
    return sa.bindparam(name, type_=column.type, expanding=expanding)


def _ordered(compare: Callable[[Column, Column], Any]) -> Build:
    def build(column: Column, name: str, field: FieldInfo, dialect: Dialect) -> Any:
        param = _param(name, field, column)
        return compare(comparable(column, field, dialect), comparable(param, field, dialect))
    return build


def _eq(column: Column, name: str, field: FieldInfo, dialect: Dialect) -> Any:
    param = _param(name, field, column)
    return comparable(column, field, dialect) == comparable(param, field, dialect)


def _ne(column: Column, name: str, field: FieldInfo, dialect: Dialect) -> Any:
    param = comparable(_param(name, field, column), field, dialect)
    return comparable(column, field, dialect).is_distinct_from(param)


def _in(column: Column, name: str, field: FieldInfo, dialect: Dialect) -> Any:
    values = _param(name, field, column, expanding=True)  # each value is bound, so unwrapped
    return _listed(column, field, dialect).in_(values)


def _notin(column: Column, name: str, field: FieldInfo, dialect: Dialect) -> Any:
    values = _param(name, field, column, expanding=True)
    return sa.or_(column.is_(None), _listed(column, field, dialect).not_in(values))


def _listed(column: Column, field: FieldInfo, dialect: Dialect) -> Column:
    """Compared with a list of bound values, which are not wrapped: only the padding of
    SQLite timestamps applies (decimals are canonical text already)."""
    return comparable(column, field, dialect) if field.type == "datetime" else column


def _match(column: Column, name: str, field: FieldInfo, dialect: Dialect) -> Any:
    return dialect.match(column, sa.bindparam(name, type_=sa.String()))


def _imatch(column: Column, name: str, field: FieldInfo, dialect: Dialect) -> Any:
    return dialect.imatch(column, sa.bindparam(name, type_=sa.String()))


class _Folded(sa.types.TypeDecorator[str]):
    """Text compared in lower case: every bound value (each one of an IN list too) is
    wrapped in lower(), as the column is."""

    impl = sa.String
    cache_ok = True

    def bind_expression(self, bindvalue: Any) -> Any:
        return sa.func.lower(bindvalue, type_=sa.String())


def _folded(build: Build) -> Build:
    def folded(column: Column, name: str, field: FieldInfo, dialect: Dialect) -> Any:
        return build(sa.func.lower(column, type_=_Folded()), name, field, dialect)
    return folded


def _ipattern(before: bool, after: bool) -> Prepare:
    def prepare(text: str, dialect: Dialect) -> str:
        return dialect.imatch_pattern(text, before, after)
    return prepare


def _isnull(column: Column, name: str, field: FieldInfo, dialect: Dialect) -> Any:
    raise AssertionError("isnull is built from its value, see null_test")


def null_test(column: Column, is_null: bool) -> sa.ColumnElement[bool]:
    return column.is_(None) if is_null else column.is_not(None)


def _pattern(before: bool, after: bool) -> Prepare:
    def prepare(text: str, dialect: Dialect) -> str:
        return dialect.match_pattern(text, before, after)
    return prepare


def _same(value: Any, dialect: Dialect) -> Any:
    return value


@dataclass(frozen=True)
class Operator:
    name: str
    build: Build
    prepare: Prepare = _same  # the parsed value -> the bound value
    listed: bool = False  # takes a list of values


# The SQL of each operator of the contract, and how its parsed value becomes the bound one.
BUILDERS: dict[str, tuple[Build, Prepare]] = {
    "eq": (_eq, _same),
    "ne": (_ne, _same),
    "gt": (_ordered(lambda a, b: a > b), _same),
    "gte": (_ordered(lambda a, b: a >= b), _same),
    "lt": (_ordered(lambda a, b: a < b), _same),
    "lte": (_ordered(lambda a, b: a <= b), _same),
    "in": (_in, _same),
    "notin": (_notin, _same),
    "contains": (_match, _pattern(True, True)),
    "icontains": (_imatch, _ipattern(True, True)),
    "startswith": (_match, _pattern(False, True)),
    "endswith": (_match, _pattern(True, False)),
    "isnull": (_isnull, _same),
}
OPERATORS: dict[str, Operator] = {
    op.name: Operator(op.name, *BUILDERS[op.name], listed=op.listed)
    for op in tables.OPERATORS}
# `"mode": "insensitive"` in where=JSON (Prisma's): each text operator on lower() of both
# sides (ILIKE for the patterns), by its own internal name. lower() folds ASCII letters on
# SQLite; PostgreSQL folds more, as ILIKE does for icontains.
FOLDED: dict[str, Operator] = {op.name: op for op in (
    Operator("ieq", _folded(_eq)),
    Operator("ine", _folded(_ne)),
    Operator("igt", _folded(_ordered(lambda a, b: a > b))),
    Operator("igte", _folded(_ordered(lambda a, b: a >= b))),
    Operator("ilt", _folded(_ordered(lambda a, b: a < b))),
    Operator("ilte", _folded(_ordered(lambda a, b: a <= b))),
    Operator("iin", _folded(_in), listed=True),
    Operator("inotin", _folded(_notin), listed=True),
    OPERATORS["icontains"],
    Operator("istartswith", _imatch, _ipattern(False, True)),
    Operator("iendswith", _imatch, _ipattern(True, False)),
)}
CASE_FOLDING = "icontains"  # the operator a field has exactly when `mode` applies to it
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
    """The operator ``name`` (or its Prisma spelling) when the IR records it for the field
    (its ``roles.operators``); a 400 naming ``parameter`` otherwise."""
    found = OPERATORS.get(ALIASES.get(name, name))
    if found is None:
        raise bad_parameter(parameter, f"unknown operator {name!r} (known: "
                                       f"{', '.join(OPERATORS)})")
    if found.name not in field.operators:
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

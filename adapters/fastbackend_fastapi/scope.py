"""Row scope and auto-filled fields: values that auth dependencies decide per request.

A scoped entity's statements (store.py, listing.py) carry one extra condition per scope field,
`column = :row_scope_<field>`, built once at startup; the values come from the request's
resolved dependencies through a context variable, so every statement of that entity (list,
count, read, update, delete, relation routes) is filtered without each route passing them.
Scope and fill values are also written on create and cannot be sent by the client.

Fail closed: a statement on a scoped entity with no resolved scope for this request (a route
that did not run the entity's scope dependencies) is refused with 403, never run unfiltered.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from fastbackend_fastapi.database.errors import MissingReference
from fastbackend_fastapi.problems import Problem

PARAMETER_PREFIX = "row_scope_"
# Soft delete (IR 1.6): metadata.info[SOFT_DELETE] maps an entity to its stamp field (tables.py);
# a stamped row is out of every read, as a row out of scope is (live() below).
SOFT_DELETE = "fastbackend_soft_delete"
STAMP_PARAMETER = "soft_deleted_at"


@dataclass(frozen=True)
class Resolved:
    """entity -> field -> value, for the entities of the current request."""

    filters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    fills: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    scoped: frozenset[str] = frozenset()  # every scoped entity of the app, resolved or not


CURRENT: ContextVar[Resolved | None] = ContextVar("fastbackend_row_scope", default=None)


def parameter(field_name: str) -> str:
    return PARAMETER_PREFIX + field_name


def conditions(columns: Mapping[str, sa.ColumnElement[Any]],
               fields: tuple[str, ...]) -> list[sa.ColumnElement[bool]]:
    """`column = :row_scope_<field>` for each scope field (values bound per request)."""
    return [columns[name] == sa.bindparam(parameter(name)) for name in fields]


def stamp_field(metadata: sa.MetaData, entity: str) -> str | None:
    found: str | None = metadata.info.get(SOFT_DELETE, {}).get(entity)
    return found


def live(metadata: sa.MetaData, entity: str,
         table: sa.FromClause) -> list[sa.ColumnElement[bool]]:
    """`<stamp> IS NULL` on a soft-deleting entity's rows (none otherwise): the one condition
    that hides soft-deleted rows, beside the row scope, on the entity's own statements
    (store.py) and wherever a relation reaches its rows (query/sql.py, query/include.py)."""
    name = stamp_field(metadata, entity)
    return [] if name is None else [table.c[name].is_(None)]


def _unresolved(entity: str) -> Problem:
    return Problem(403, "forbidden", f"{entity} rows are scoped per user, and this request did "
                                     "not resolve the scope")


def filter_parameters(entity: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """The bound values of the scope conditions of ``entity`` for this request."""
    if not fields:
        return {}
    resolved = CURRENT.get()
    values = None if resolved is None else resolved.filters.get(entity)
    if values is None:
        raise _unresolved(entity)
    return {parameter(name): values[name] for name in fields}


def fill_values(entity: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """The values the server sets on create (scope and fill fields), by field name."""
    if not fields:
        return {}
    resolved = CURRENT.get()
    values = None if resolved is None else resolved.fills.get(entity)
    if values is None:
        raise _unresolved(entity)
    return {name: values[name] for name in fields}


@dataclass(frozen=True)
class ReferenceCheck:
    """A foreign key into a scoped or a soft-deleting entity: the referenced row must be in the
    request's scope, or a tenant could point its rows at another tenant's (and see them through
    includes), and live (contract.live_references): otherwise the write is refused as one
    naming a missing row (database.errors.MissingReference)."""

    entity: str  # the referencing one
    target: str
    fields: tuple[str, ...]  # the referencing fields, in the statement's parameter order
    scope_fields: tuple[str, ...]
    statement: sa.Select[Any]

    def verify(self, connection: sa.Connection, values: Mapping[str, Any]) -> None:
        if not any(name in values for name in self.fields):
            return
        key = [values.get(name) for name in self.fields]
        if any(value is None for value in key):
            return  # no reference (or a partial one the database refuses by itself)
        parameters = {f"reference_{i}": value for i, value in enumerate(key)}
        parameters.update(filter_parameters(self.target, self.scope_fields))
        if connection.execute(self.statement, parameters).first() is None:
            raise MissingReference(self.entity, self.fields)


def reference_check(entity: str, target_table: sa.Table,
                    target_columns: Mapping[str, sa.ColumnElement[Any]], target: str,
                    fields: tuple[str, ...], references: tuple[str, ...],
                    scope_fields: tuple[str, ...]) -> ReferenceCheck:
    """``entity``'s foreign key ``fields`` -> ``target``'s ``references``: the referenced row
    in scope (``scope_fields``, bound per request) and live (its stamp unset, scope.live)."""
    matches = [target_columns[name] == sa.bindparam(f"reference_{i}")
               for i, name in enumerate(references)]
    statement = (sa.select(sa.literal(1)).select_from(target_table)
                 .where(*matches, *conditions(target_columns, scope_fields),
                        *live(target_table.metadata, target, target_table)).limit(1))
    return ReferenceCheck(entity, target, fields, scope_fields, statement)


def visible(entity: str, row: Mapping[str, Any]) -> bool:
    """Whether a row reached indirectly (an include) is in the request's scope of ``entity``."""
    resolved = CURRENT.get()
    if resolved is None or entity not in resolved.scoped:
        return True
    values = resolved.filters.get(entity)
    return values is not None and all(row[name] == value for name, value in values.items())

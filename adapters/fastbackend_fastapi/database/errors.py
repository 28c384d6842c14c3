"""The database's real errors -> problems naming the fields, on every database.

What an error means is the dialect's to say, the dialect of the driver that raised it
(Dialect.violation, .failure, .unreachable: by SQLSTATE and the violated constraint's name on
PostgreSQL - tables.py names every constraint -, by message on SQLite); the problems they
become are decided here, once for every database.
Nothing is checked beforehand, so concurrent requests get the same answers as sequential ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy.exc as sa_exc

from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.problems import (
    FieldError,
    Problem,
    logger,
    pointer,
    validation_problem,
)

if TYPE_CHECKING:  # the dialects import this module for its records
    from fastbackend_fastapi.database.dialects.base import Dialect
    from fastbackend_fastapi.tables import Catalog

Operation = Literal["insert", "update", "delete", "link"]
Kind = Literal["unique", "foreign_key", "not_null", "check", "data", "busy", "other"]


@dataclass(frozen=True)
class Context:
    """What the failing statement was doing, to tell "missing target" from "has dependents"."""

    entity: str
    operation: Operation
    values: Mapping[str, Any]
    prefix: Sequence[str | int] = ()


@dataclass(frozen=True)
class Violation:
    kind: Kind
    fields: tuple[str, ...]
    message: str


def to_problem(error: sa_exc.DBAPIError, catalog: Catalog, context: Context) -> Problem:
    violation = dialects.raised(error.orig).violation(error.orig, catalog, context)
    return PROBLEMS[violation.kind](violation, context)


def fields_of_columns(catalog: Catalog, entity: str, columns: Sequence[str]) -> tuple[str, ...]:
    """The fields of ``entity`` stored in ``columns`` (as an error names them)."""
    table = catalog.entities[entity].entity.table
    found = (catalog.column_fields.get((table, column)) for column in columns)
    return tuple(item[1] for item in found if item is not None and item[0] == entity)


def foreign_key_fields_written(catalog: Catalog, context: Context) -> tuple[str, ...]:
    """For a database that does not say which foreign key failed: those this statement set."""
    entity = catalog.entities[context.entity].entity
    return tuple(name for fk in entity.foreign_keys for name in fk.fields
                 if context.values.get(name) is not None)


def _errors(violation: Violation, context: Context, code: str, message: str) -> list[FieldError]:
    return [FieldError(pointer([*context.prefix, name]), code, message.format(field=name))
            for name in violation.fields]


def unique_problem(fields: tuple[str, ...], context: Context) -> Problem:
    """The 409 a create answers when another row holds ``fields``' values (an upsert whose
    conflicting row the caller may not change answers it too)."""
    return _unique(Violation("unique", fields, ""), context)


def _unique(violation: Violation, context: Context) -> Problem:
    names = ", ".join(violation.fields) or "a unique field"
    detail = f"another {context.entity} already has this {names}"
    return Problem(409, "unique-violation", detail,
                   _errors(violation, context, "unique", "{field} is already taken"))


class MissingReference(Problem):
    """A write's foreign key names a row the database holds but the caller may not reference
    (scope.ReferenceCheck: out of the caller's row scope, or soft-deleted): answered as the
    database's own refusal of a missing row is (`foreign_key`), its pointers placed by the
    write's context (``at``, Database.guard); unguarded, at the fields themselves."""

    def __init__(self, entity: str, fields: tuple[str, ...]) -> None:
        found = self.at(Context(entity, "insert", {}), fields)
        super().__init__(found.status, found.type, found.detail, found.errors)
        self.fields = fields

    @staticmethod
    def at(context: Context, fields: tuple[str, ...]) -> Problem:
        return _foreign_key(Violation("foreign_key", fields, ""), context)


def _foreign_key(violation: Violation, context: Context) -> Problem:
    if context.operation == "delete":
        return Problem(409, "dependent-rows",
                       f"this {context.entity} is still referenced by other rows")
    errors = _errors(violation, context, "foreign_key", "{field} refers to a row that does not exist")
    return validation_problem(errors, "a referenced row does not exist")


def _not_null(violation: Violation, context: Context) -> Problem:
    errors = _errors(violation, context, "missing", "{field} is required")
    return validation_problem(errors, "a required value is missing")


def _check(violation: Violation, context: Context) -> Problem:
    return validation_problem([], f"a check constraint rejected the row: {violation.message}")


def _data(violation: Violation, context: Context) -> Problem:
    return validation_problem([], f"the database refused a value: {violation.message}")


def _busy(violation: Violation, context: Context) -> Problem:
    return Problem(503, "database-busy", "the database is busy; retry the request",
                   headers={"Retry-After": "1"})


def _other(violation: Violation, context: Context) -> Problem:
    return Problem(409, "conflict", f"the database refused the change: {violation.message}")


PROBLEMS = {
    "unique": _unique, "foreign_key": _foreign_key, "not_null": _not_null, "check": _check,
    "data": _data, "busy": _busy, "other": _other,
}


# Failures of the database rather than of the request: what the error says -> the problem.
Failure = Literal["timeout", "busy", "schema", "too_complex", "unavailable"]
SCHEMA_HINT = "run `fastbackend migrate --apply`"


def failure_problem(error: sa_exc.SQLAlchemyError) -> Problem | None:
    """The problem a database failure means, or None for an error that is not one (a bug, or
    SQL the database refuses: database_error)."""
    if isinstance(error, sa_exc.TimeoutError):  # no free connection within pool_timeout
        return busy("every database connection is in use")
    original = getattr(error, "orig", None)
    message = str(original)
    dialect = dialects.raised(original)
    kind = dialect.failure(original)
    if kind is None and _unreachable(dialect, error):
        kind = "unavailable"
    return None if kind is None else FAILURES[kind](message.strip().splitlines()[0])


def _unreachable(dialect: Dialect, error: sa_exc.SQLAlchemyError) -> bool:
    """Only what says the database cannot be reached now, rather than that it refused this
    statement, is a 503 database-unavailable (with Retry-After)."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa_exc.InterfaceError):  # the driver's connection is closed
        return True
    if not isinstance(error, sa_exc.OperationalError):
        return False
    return dialect.unreachable(getattr(error, "orig", None))


def database_error(error: sa_exc.DBAPIError) -> Problem:
    """SQL the database refused for a reason no retry changes (a function it does not have, a
    type it does not know): logged with its statement, answered as a 500 that says so."""
    logger.error("the database refused a statement: %s\nstatement: %s",
                 str(error.orig).strip(), error.statement)
    return Problem(500, "database-error",
                   "the database refused this request's SQL statement: a fault of the server or "
                   "its schema, not of the request, and retrying will not help (the statement "
                   "is in the server's log)")


def busy(reason: str) -> Problem:
    return Problem(503, "database-busy", f"the database is busy ({reason}); retry the request",
                   headers={"Retry-After": "1"})


def _timeout(reason: str) -> Problem:
    # A 503 like every "the database cannot serve this now" (the contract documents 503 with
    # Retry-After on every operation); the type tells it apart. Retrying at once would only
    # add another slow statement, hence a longer Retry-After.
    return Problem(503, "database-timeout",
                   "the database did not answer within the statement timeout; the statement "
                   "was cancelled and nothing was changed", headers={"Retry-After": "5"})


def _schema(reason: str) -> Problem:
    # Not transient, but not the client's fault either: it ends when someone migrates (during
    # a deploy, the new API may start before its migration has run), hence a long Retry-After.
    return Problem(503, "schema-out-of-date",
                   f"the database schema does not match the API ({reason}): {SCHEMA_HINT}",
                   headers={"Retry-After": "30"})


def _too_complex(reason: str) -> Problem:
    # The query limits (query/limits.py) keep the defaults below every database's own limits;
    # this answers a request that raised limits let through, the same way on every database.
    return Problem(400, "query-too-complex",
                   f"the database cannot run a query this intricate ({reason}); "
                   "simplify the filter or split the request")


def unavailable(reason: str = "") -> Problem:
    return Problem(503, "database-unavailable", "the database is unavailable",
                   headers={"Retry-After": "1"})


def outcome_unknown() -> Problem:
    """The connection broke during COMMIT: the change may or may not have been saved."""
    return Problem(503, "commit-outcome-unknown",
                   "the database connection was lost while committing: the change may or may "
                   "not have been saved; read the resource before retrying",
                   headers={"Retry-After": "1"})


FAILURES = {"timeout": _timeout, "busy": busy, "schema": _schema, "too_complex": _too_complex,
            "unavailable": unavailable}

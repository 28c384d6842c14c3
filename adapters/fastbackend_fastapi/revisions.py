"""What a revision file says: portable types and server defaults, and a database default for a
new NOT NULL column.

A revision is written against one database (SQLite, in a new project) and applied to others
(PostgreSQL, in production), so nothing in it may be compiled for the database it was computed
against: types are SQLAlchemy's generic ones, `now` picks its SQL when the revision runs, and
booleans are ``sa.true()``/``sa.false()``. Raw SQL from the models (a server default written as
text) is copied as it is; ``written_against`` in the revision names the database it was
checked on, so a failure elsewhere can say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate.api import AutogenContext
from alembic.operations import ops
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import False_, True_
from sqlalchemy.types import TypeDecorator

from fastbackend_fastapi.sqltypes import EnumListByName
from fastbackend_fastapi.tables import (
    SQLITE_NOW,
    Catalog,
    ListDefault,
    ServerNow,
    server_default,
)
from fastbackend_ir import IR, GeneratorDefault, LiteralDefault

# `now` as each database writes it, chosen when the revision runs (online or --sql).
SERVER_NOW = (f"sa.text({SQLITE_NOW!r} if op.get_context().dialect.name == 'sqlite' "
              "else 'CURRENT_TIMESTAMP')")


class RevisionRefused(Exception):
    """A revision that could not be applied everywhere; the message says how to fix the models."""


def render_item(type_: str, obj: Any, context: AutogenContext) -> str | bool:
    """Alembic's hook for each rendered item (False: Alembic renders it itself)."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return _decorated_type(obj, context)
    if type_ == "type" and isinstance(obj, postgresql.JSONB):
        # inside a variant, rendered for another database, its repr says `Text()` unprefixed
        context.imports.add("from sqlalchemy.dialects import postgresql")
        return f"postgresql.JSONB(none_as_null={obj.none_as_null!r}, astext_type=sa.Text())"
    if type_ == "server_default" and isinstance(obj, sa.DefaultClause):
        return _server_default(obj.arg)
    return False


def _decorated_type(obj: TypeDecorator[Any], context: AutogenContext) -> str | bool:
    """SQLAlchemy's own decorated types (Interval) render as themselves; the runtime's
    (AwareDateTime, DecimalText, ...) as the generic type they decorate, so a revision file
    neither imports fastbackend_fastapi nor holds one database's type (SQLite's DATETIME for
    an interval)."""
    if type(obj).__module__.startswith("sqlalchemy."):
        return False
    if isinstance(obj, EnumListByName):  # the array (JSON on SQLite) of the enum it stores
        return f"sa.ARRAY(sa.{obj.enum_type!r}).with_variant(sa.JSON(), 'sqlite')"
    impl = obj.impl_instance
    if isinstance(impl, TypeDecorator):
        return _decorated_type(impl, context)
    return f"sa.{impl!r}"


def _server_default(value: Any) -> str | bool:
    if isinstance(value, ServerNow):
        return SERVER_NOW
    if isinstance(value, ListDefault):
        return _list_default(value)
    if isinstance(value, True_ | False_):
        return "sa.true()" if isinstance(value, True_) else "sa.false()"
    return False


def _list_default(value: ListDefault) -> str:
    """A list's default as each database writes it (an ARRAY on PostgreSQL, JSON text on
    SQLite), chosen when the revision runs, like `now`."""
    on_sqlite = str(value.compile(dialect=sqlite.dialect()))
    elsewhere = str(value.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]
    return (f"sa.text({on_sqlite!r} if op.get_context().dialect.name == 'sqlite' "
            f"else {elsewhere!r})")


def fill_new_columns(upgrade: Iterable[ops.MigrateOperation], ir: IR, catalog: Catalog) -> None:
    """A NOT NULL column added to a table that may hold rows needs a value for them: the
    field's default, as a database default. A default only the application computes (a uuid,
    a Python function) cannot be one: that revision is refused, saying how to fix the model."""
    refused = []
    for operation in upgrade:
        if not isinstance(operation, ops.AddColumnOp):
            continue
        column = operation.column
        if column.nullable or column.server_default is not None:
            continue
        default = _database_default(ir, catalog, operation.table_name, column.name)
        if default is None:
            refused.append(f"{operation.table_name}.{column.name}")
        else:
            column.server_default = sa.DefaultClause(default)
    if refused:
        raise RevisionRefused(
            f"cannot add the NOT NULL column{'s' if len(refused) > 1 else ''} "
            f"{', '.join(refused)}: the rows already in the table would have no value, and "
            "the field has no default the database can write. Give the field a literal default "
            "(mapped_column(default=0) or server_default=\"0\"; @default(0) in Prisma), make it "
            "nullable, or add it nullable, fill it, then make it NOT NULL in a later revision. "
            "No revision was written.")


def _database_default(ir: IR, catalog: Catalog, table: str, column: str) -> Any:
    found = catalog.column_fields.get((table, column))
    if found is None:
        return None
    entity, field_name = found
    ir_field = catalog.entity_table(entity).entity.field(field_name)
    default = ir_field.default
    if isinstance(default, LiteralDefault):
        return server_default(ir, ir_field, default.value)
    if (isinstance(default, GeneratorDefault) and default.name == "now") or ir_field.updated_at:
        return ServerNow()
    return None

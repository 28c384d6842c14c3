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
from sqlalchemy.sql.elements import False_, True_
from sqlalchemy.types import TypeDecorator

from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.database.sqltypes import EnumListByName
from fastbackend_fastapi.tables import Catalog, ListDefault, ServerNow, server_default
from fastbackend_ir import IR, GeneratorDefault, LiteralDefault

# Chosen when the revision runs (online or --sql): the SQL of the database it runs on, from
# a table of each dialect's SQL written into the revision.
RUN_TIME_CHOICE = "sa.text({choices!r}.get(op.get_context().dialect.name, {default!r}))"


class RevisionRefused(Exception):
    """A revision that could not be applied everywhere; the message says how to fix the models."""


def render_item(type_: str, obj: Any, context: AutogenContext) -> str | bool:
    """Alembic's hook for each rendered item (False: Alembic renders it itself)."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return _decorated_type(obj, context)
    if type_ == "type":
        for dialect in dialects.DIALECTS:  # a type of one database, as that dialect spells it
            rendered = dialect.render_type(obj, context.imports)
            if rendered is not None:
                return rendered
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
    if isinstance(obj, EnumListByName):  # the array (JSON without arrays) of the enum it stores
        variants = "".join(f".with_variant(sa.{variant!r}, {dialect.name!r})"
                           for dialect in dialects.DIALECTS
                           if (variant := dialect.list_variant()) is not None)
        return f"sa.ARRAY(sa.{obj.enum_type!r}){variants}"
    impl = obj.impl_instance
    if isinstance(impl, TypeDecorator):
        return _decorated_type(impl, context)
    return f"sa.{impl!r}"


def _server_default(value: Any) -> str | bool:
    if isinstance(value, ServerNow):
        return _server_now()
    if isinstance(value, ListDefault):
        return _list_default(value)
    if isinstance(value, True_ | False_):
        return "sa.true()" if isinstance(value, True_) else "sa.false()"
    return False


def _server_now() -> str:
    """`now` as each database writes it (Dialect.server_now), chosen when the revision runs."""
    default = dialects.GENERIC.server_now
    choices = {d.name: d.server_now for d in dialects.DIALECTS if d.server_now != default}
    return RUN_TIME_CHOICE.format(choices=choices, default=default)


def _list_default(value: ListDefault) -> str:
    """A list's default as each database writes it (an array literal, or JSON text where
    lists are JSON), chosen when the revision runs, like `now`."""
    choices = {d.name: str(value.compile(dialect=d.sqlalchemy_dialect()))
               for d in dialects.DIALECTS}
    default = str(value.compile(dialect=dialects.GENERIC.sqlalchemy_dialect()))
    return RUN_TIME_CHOICE.format(choices=choices, default=default)


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

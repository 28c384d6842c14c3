"""Which migration steps can lose data: dropped tables and columns, and narrowed types.

A type is narrowed when some value the old column holds may not fit the new one: a shorter
string, fewer digits, a smaller integer, or a change to another kind of type altogether.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from alembic.operations import ops
from sqlalchemy.types import TypeEngine

INTEGER_WIDTH: dict[type[Any], int] = {sa.SmallInteger: 1, sa.Integer: 2, sa.BigInteger: 3}


def destructive_steps(operations: Iterable[ops.MigrateOperation]) -> list[str]:
    found = []
    for operation in operations:
        check = CHECKS.get(type(operation))
        reason = check(operation) if check is not None else None
        if reason:
            found.append(reason)
    return found


def _table(operation: Any) -> str:
    schema = getattr(operation, "schema", None)
    return f"{schema}.{operation.table_name}" if schema else str(operation.table_name)


def _drop_table(operation: Any) -> str:
    return f"drop table {_table(operation)} (its rows are lost)"


def _drop_column(operation: Any) -> str:
    return f"drop column {_table(operation)}.{operation.column_name} (its values are lost)"


def _alter_column(operation: Any) -> str | None:
    old, new = operation.existing_type, operation.modify_type
    if new is None or old is None or not narrows(old, new):
        return None
    return (f"narrow column {_table(operation)}.{operation.column_name} from {_spelled(old)} "
            f"to {_spelled(new)} (values may not fit)")


def _spelled(type_: TypeEngine[Any]) -> str:
    try:
        return str(type_.compile())
    except sa.exc.SQLAlchemyError:
        return repr(type_)


def narrows(old: TypeEngine[Any], new: TypeEngine[Any]) -> bool:
    old, new = _plain(old), _plain(new)
    old_width, new_width = _integer_width(old), _integer_width(new)
    if old_width and new_width:
        return new_width < old_width
    if old._type_affinity is not new._type_affinity:
        return True
    return _shorter(old, new, "length") or _shorter(old, new, "precision") \
        or _shorter(old, new, "scale")


def _plain(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    return type_.impl_instance if isinstance(type_, sa.types.TypeDecorator) else type_


def _integer_width(type_: TypeEngine[Any]) -> int:
    for kind in type(type_).__mro__:
        if kind in INTEGER_WIDTH:
            return INTEGER_WIDTH[kind]
    return 0


def _shorter(old: TypeEngine[Any], new: TypeEngine[Any], attribute: str) -> bool:
    """A bound where there was none, or a smaller bound."""
    before, after = getattr(old, attribute, None), getattr(new, attribute, None)
    return after is not None and (before is None or after < before)


CHECKS: dict[type[Any], Callable[[Any], str | None]] = {
    ops.DropTableOp: _drop_table,
    ops.DropColumnOp: _drop_column,
    ops.AlterColumnOp: _alter_column,
}

"""Which list operators apply to which logical type (docs/query-language.md).

``field__op=value`` in the query string, and the same operators in ``where=`` under Prisma's
names: both from the contract's table (fastbackend_contract.tables.OPERATORS), which the runtime
serves from too. A type missing there (json, bytes) cannot be filtered on; neither can list
fields.
"""

from __future__ import annotations

from fastbackend_contract import tables
from fastbackend_ir import Field

# The document lists the equality and null tests first, then the rest in the table's order.
_FIRST = ("eq", "ne", "isnull")
_ORDER = sorted((op for op in tables.OPERATORS),
                key=lambda op: (_FIRST.index(op.name) if op.name in _FIRST else len(_FIRST)))

OPERATORS: dict[str, tuple[str, ...]] = {
    kind: tuple(op.name for op in _ORDER if kind in op.types) for kind in tables.COMPARABLE_TYPES}

# Operators that take a list of values.
LISTED = frozenset(op.name for op in tables.OPERATORS if op.listed)

# The query-string operator -> its name in a Prisma-shaped `where` filter object.
PRISMA_NAMES: dict[str, str] = {op.name: op.prisma for op in tables.OPERATORS if op.prisma}

DESCRIPTIONS: dict[str, str] = {op.name: op.summary for op in tables.OPERATORS}


def operators(field: Field) -> tuple[str, ...]:
    """The operators valid on the field; empty when it cannot be filtered on."""
    if field.list or field.api.write_only or field.api.hidden:
        return ()
    return OPERATORS.get(field.type, ())

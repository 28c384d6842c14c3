"""Which list operators apply to which logical type (docs/query-language.md).

``field__op=value`` in the query string, and the same operators in ``where=`` under Prisma's
names. Which operators a field takes is the IR's (each field's ``roles.operators``, decided by
the compiler from fastbackend_contract.tables); their spellings and summaries are the table's.
"""

from __future__ import annotations

from fastbackend_contract import tables
from fastbackend_ir import Field
from fastbackend_ir.contract import roles

# The document lists the equality and null tests first, then the rest in the table's order.
_FIRST = ("eq", "ne", "isnull")
_ORDER = sorted((op for op in tables.OPERATORS),
                key=lambda op: (_FIRST.index(op.name) if op.name in _FIRST else len(_FIRST)))

# Operators that take a list of values.
LISTED = frozenset(op.name for op in tables.OPERATORS if op.listed)

# The query-string operator -> its name in a Prisma-shaped `where` filter object.
PRISMA_NAMES: dict[str, str] = {op.name: op.prisma for op in tables.OPERATORS if op.prisma}

DESCRIPTIONS: dict[str, str] = {op.name: op.summary for op in tables.OPERATORS}


def operators(field: Field) -> tuple[str, ...]:
    """The operators the IR records for the field (its ``roles``), equality and null tests
    first; empty when it cannot be filtered on."""
    recorded = roles(field).operators
    return tuple(op.name for op in _ORDER if op.name in recorded)

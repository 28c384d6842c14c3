"""Which list operators apply to which logical type (DESIGN.md's query language).

``field__op=value`` in the query string, and the same operators in ``where=`` under Prisma's
names. A type missing here (json, bytes) cannot be filtered on; neither can list fields.
"""

from __future__ import annotations

from fastbackend_ir import Field

EQUALITY = ("eq", "ne", "isnull")
MEMBERSHIP = ("in", "notin")
ORDER = ("gt", "gte", "lt", "lte")
TEXT = ("contains", "icontains", "startswith", "endswith")

ORDERED = (*EQUALITY, *ORDER, *MEMBERSHIP)
OPERATORS: dict[str, tuple[str, ...]] = {
    "string": (*ORDERED, *TEXT),
    "integer": ORDERED,
    "bigint": ORDERED,
    "float": ORDERED,
    "decimal": ORDERED,
    "datetime": ORDERED,
    "date": ORDERED,
    "time": ORDERED,
    "interval": ORDERED,
    "boolean": (*EQUALITY, *MEMBERSHIP),
    "uuid": (*EQUALITY, *MEMBERSHIP),
    "enum": (*EQUALITY, *MEMBERSHIP),
}

# The query-string operator -> its name in a Prisma-shaped `where` filter object.
PRISMA_NAMES: dict[str, str] = {
    "eq": "equals", "ne": "not", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte",
    "in": "in", "notin": "notIn", "contains": "contains", "startswith": "startsWith",
    "endswith": "endsWith",
}

DESCRIPTIONS: dict[str, str] = {
    "eq": "equal to", "ne": "not equal to", "gt": "greater than", "gte": "at least",
    "lt": "less than", "lte": "at most", "in": "one of (comma-separated)",
    "notin": "none of (comma-separated)", "contains": "contains",
    "icontains": "contains, ignoring case", "startswith": "starts with",
    "endswith": "ends with", "isnull": "is null (true) or is not (false)",
}


def operators(field: Field) -> tuple[str, ...]:
    """The operators valid on the field; empty when it cannot be filtered on."""
    if field.list or field.api.write_only or field.api.hidden:
        return ()
    return OPERATORS.get(field.type, ())

"""The query language's semantics in plain Python, to check the SQL against (same seeded rows)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter

DURATION: TypeAdapter[timedelta] = TypeAdapter(timedelta)

# logical type -> API JSON value -> a Python value with the type's own order
PYTHON: dict[str, Callable[[Any], Any]] = {
    "string": str, "integer": int, "bigint": int, "float": float,
    "decimal": lambda v: Decimal(str(v)), "boolean": bool,
    "datetime": lambda v: datetime.fromisoformat(v), "date": date.fromisoformat,
    "time": time.fromisoformat, "interval": DURATION.validate_python, "uuid": UUID, "enum": str,
}


def _present(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """A comparison with NULL is false."""
    return lambda value, probe: value is not None and test(value, probe)


MATCHES: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _present(lambda v, p: v == p),
    "ne": lambda v, p: v is None or v != p,
    "gt": _present(lambda v, p: v > p),
    "gte": _present(lambda v, p: v >= p),
    "lt": _present(lambda v, p: v < p),
    "lte": _present(lambda v, p: v <= p),
    "in": _present(lambda v, p: v in p),
    "notin": lambda v, p: v is None or v not in p,
    "contains": _present(lambda v, p: p in v),
    "icontains": _present(lambda v, p: p.lower() in v.lower()),
    "startswith": _present(lambda v, p: v.startswith(p)),
    "endswith": _present(lambda v, p: v.endswith(p)),
    "isnull": lambda v, p: (v is None) == p,
}


def matches(kind: str, op: str, api_value: Any, probe: Any) -> bool:
    """``probe`` is a Python value (a list for in/notin, a bool for isnull)."""
    value = None if api_value is None else PYTHON[kind](api_value)
    return MATCHES[op](value, probe)

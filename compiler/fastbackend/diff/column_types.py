"""How a field's type changed: incompatible, widened, or only its database details."""

from __future__ import annotations

from collections.abc import Iterator

from fastbackend_ir import DbType, Field

# (from, to) logical type pairs where every old value is still a valid new value.
WIDENINGS: frozenset[tuple[str, str]] = frozenset({
    ("integer", "bigint"), ("integer", "decimal"), ("bigint", "decimal"), ("integer", "float"),
    ("enum", "string"), ("uuid", "string"),
})

Change = tuple[str, str]
"""(rule id, message)."""


def type_label(spec: Field) -> str:
    label = f"enum {spec.enum}" if spec.type == "enum" else spec.type
    return f"list of {label}" if spec.list else label


def type_changes(base: Field, head: Field) -> Iterator[Change]:
    if (base.type, base.enum, base.list) != (head.type, head.enum, head.list):
        yield _logical_change(base, head)
        return
    yield from _db_changes(base.db or DbType(""), head.db or DbType(""))


def _logical_change(base: Field, head: Field) -> Change:
    change = f"from {type_label(base)} to {type_label(head)}"
    if base.list == head.list and (base.type, head.type) in WIDENINGS:
        return "field-type-widened", f"type widened {change}"
    return "field-type-changed", f"type changed {change}"


def _db_changes(base: DbType, head: DbType) -> Iterator[Change]:
    if (base.type, base.timezone, base.dialect, base.raw) != (
            head.type, head.timezone, head.dialect, head.raw):
        yield "field-db-type-changed", f"database type changed from {_db_label(base)} to " \
            f"{_db_label(head)}"
        return
    yield from _bound_change("field-length", "length", base.length, head.length)
    yield from _bound_change("field-precision", "precision", base.precision, head.precision)
    yield from _bound_change("field-precision", "scale", base.scale, head.scale)


def _bound_change(prefix: str, what: str, base: int | None, head: int | None) -> Iterator[Change]:
    """None means unbounded, so None -> 10 is a reduction and 10 -> None an increase."""
    if base == head:
        return
    shown = f"{what} {_bound(base)} -> {_bound(head)}"
    if head is not None and (base is None or head < base):
        yield f"{prefix}-reduced", f"{shown} (reduced)"
    else:
        yield f"{prefix}-increased", f"{shown} (increased)"


def _bound(value: int | None) -> str:
    return "unbounded" if value is None else str(value)


def _db_label(db: DbType) -> str:
    if not db.type:
        return "the default"
    zone = " WITH TIME ZONE" if db.timezone else ""
    return f"{db.raw or db.type}{zone}"

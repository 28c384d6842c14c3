"""Uniqueness, wherever it is declared: a field's unique flag, a unique constraint or a unique
index. All three are compared as sets of columns, so moving ``unique=True`` from a column to a
``UniqueConstraint`` (or an index) over the same column is no change at all."""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend.diff.findings import Collector, Side
from fastbackend.diff.matching import Item, match
from fastbackend.diff.scope import EntityPair, columns_of
from fastbackend_ir import Entity


@dataclass(frozen=True)
class UniqueSet:
    columns: tuple[str, ...]
    field: str | None = None
    """The field whose own unique flag this is, if it is one."""


def unique_sets(entity: Entity, at: str) -> list[Item[UniqueSet]]:
    """Every unique column set of ``entity``; each item's token is its full JSON Pointer."""
    items = [Item(f"{at}/fields/{i}", UniqueSet((spec.column,), spec.name))
             for i, spec in enumerate(entity.fields) if spec.unique]
    items += [Item(f"{at}/uniques/{i}", UniqueSet(columns_of(entity, unique.fields)))
              for i, unique in enumerate(entity.uniques)]
    items += [Item(f"{at}/indexes/{i}", UniqueSet(columns_of(entity, tuple(
        part.field for part in index.fields)))) for i, index in enumerate(entity.indexes)
        if index.unique]
    return items


def compare_uniques(pair: EntityPair, out: Collector) -> None:
    found = match(unique_sets(pair.base, pair.base_at), unique_sets(pair.head, pair.head_at),
                  lambda unique: unique.columns)
    for item in found.added:
        _report(pair, item, "head", out)
    for item in found.removed:
        _report(pair, item, "base", out)


def _report(pair: EntityPair, item: Item[UniqueSet], side: Side, out: Collector) -> None:
    verb = "added" if side == "head" else "removed"
    unique = item.node
    if unique.field is not None:
        state = "now unique" if side == "head" else "no longer unique"
        out.add(f"field-unique-{verb}", pair.identity(unique.field),
                f"{pair.head.name}.{unique.field}: {state}", item.token, side=side)
        return
    columns = ", ".join(unique.columns)
    out.add(f"unique-{verb}", pair.identity("unique", *unique.columns),
            f"{pair.head.name}: unique ({columns}) {verb}", item.token, side=side)

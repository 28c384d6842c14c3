"""Primary keys, unique constraints, indexes, checks and foreign keys of one entity.

Constraints are identified by the columns they cover (or their name, when that is what a
reviewer knows them by), compared through column names so that a field renamed behind an
unchanged column does not look like a dropped and re-created constraint.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace

from fastbackend.diff.findings import Collector, Side
from fastbackend.diff.matching import Item, listed, match
from fastbackend.diff.scope import EntityPair, columns_of
from fastbackend.diff.uniques import compare_uniques
from fastbackend_ir import Check, Entity, ForeignKey, Index


def compare_constraints(pair: EntityPair, out: Collector) -> None:
    _primary_key(pair, out)
    compare_uniques(pair, out)
    _indexes(pair, out)
    _checks(pair, out)
    _foreign_keys(pair, out)


def primary_key_fields(entity: Entity) -> tuple[str, ...]:
    if entity.primary_key is not None:
        return entity.primary_key.fields
    return tuple(spec.name for spec in entity.fields if spec.primary_key)


def _primary_key(pair: EntityPair, out: Collector) -> None:
    old = pair.base_columns(primary_key_fields(pair.base))
    new = pair.head_columns(primary_key_fields(pair.head))
    if old != new:
        out.add("primary-key-changed", pair.identity("primaryKey"),
                f"{pair.head.name}: primary key ({', '.join(old)}) -> ({', '.join(new)})",
                pair.head_at)


def _index_fields(index: Index) -> tuple[str, ...]:
    return tuple(part.field for part in index.fields)


KeyedIndex = tuple[str, Index]


def _plain_indexes(entity: Entity) -> list[Item[KeyedIndex]]:
    """Non-unique indexes, keyed by name, else by their columns."""
    return [Item(str(i), (index.name or ",".join(columns_of(entity, _index_fields(index))), index))
            for i, index in enumerate(entity.indexes) if not index.unique]


def _indexes(pair: EntityPair, out: Collector) -> None:
    found = match(_plain_indexes(pair.base), _plain_indexes(pair.head),
                  lambda keyed_index: keyed_index[0])
    for old, new in found.pairs:
        if _index_shape(pair.base, old.node[1]) != _index_shape(pair.head, new.node[1]):
            out.add("index-changed", pair.identity("index", new.node[0]),
                    f"{pair.head.name}: index {_index_label(new.node[1])} changed",
                    f"{pair.head_at}/indexes/{new.token}")
    _report_indexes(found.added, "index-added", pair, out, "head")
    _report_indexes(found.removed, "index-removed", pair, out, "base")


def _report_indexes(items: list[Item[KeyedIndex]], rule_id: str, pair: EntityPair, out: Collector,
            side: Side) -> None:
    at = pair.head_at if side == "head" else pair.base_at
    verb = "added" if side == "head" else "removed"
    for item in items:
        out.add(rule_id, pair.identity("index", item.node[0]),
                f"{pair.head.name}: index {_index_label(item.node[1])} {verb}",
                f"{at}/indexes/{item.token}", side=side)


def _index_shape(entity: Entity, index: Index) -> Hashable:
    columns = columns_of(entity, _index_fields(index))
    details = tuple((f.expression, f.sort, f.length, f.ops) for f in index.fields)
    return columns, details, index.type, index.where


def _index_label(index: Index) -> str:
    columns = ", ".join(f.field for f in index.fields)
    return f"{index.name} ({columns})" if index.name else f"({columns})"


def _checks(pair: EntityPair, out: Collector) -> None:
    found = match(listed(pair.base.checks), listed(pair.head.checks),
                  lambda check: check.name or check.expression)
    for old, new in found.pairs:
        if old.node.expression != new.node.expression:
            out.add("check-changed", pair.identity("check", _check_key(new.node)),
                    f"{pair.head.name}: check {new.node.name}: {old.node.expression!r} -> "
                    f"{new.node.expression!r}", f"{pair.head_at}/checks/{new.token}")
    for item in found.added:
        out.add("check-added", pair.identity("check", _check_key(item.node)),
                f"{pair.head.name}: check {item.node.expression!r} added",
                f"{pair.head_at}/checks/{item.token}")
    for item in found.removed:
        out.add("check-removed", pair.identity("check", _check_key(item.node)),
                f"{pair.head.name}: check {item.node.expression!r} removed",
                f"{pair.base_at}/checks/{item.token}", side="base")


def _check_key(check: Check) -> str:
    return check.name or check.expression


def _foreign_keys(pair: EntityPair, out: Collector) -> None:
    found = match(listed(pair.base.foreign_keys), listed(pair.head.foreign_keys),
                  lambda fk: _fk_columns(pair, fk))
    for old, new in found.pairs:
        _compare_fk(pair, old.node, new, out)
    for item in found.added:
        out.add("foreign-key-added", _fk_identity(pair, item.node),
                f"{pair.head.name}: foreign key {_fk_label(item.node)} added",
                f"{pair.head_at}/foreignKeys/{item.token}")
    for item in found.removed:
        out.add("foreign-key-removed", _fk_identity(pair, item.node),
                f"{pair.base.name}: foreign key {_fk_label(item.node)} removed",
                f"{pair.base_at}/foreignKeys/{item.token}", side="base")


def _fk_columns(pair: EntityPair, fk: ForeignKey) -> tuple[str, ...]:
    # Both sides map through their own entity: fields may have been renamed.
    names = {spec.name: spec.column for spec in (*pair.base.fields, *pair.head.fields)}
    return tuple(names.get(name, name) for name in fk.fields)


def _fk_identity(pair: EntityPair, fk: ForeignKey) -> str:
    return pair.identity("foreignKey", *_fk_columns(pair, fk))


def _fk_label(fk: ForeignKey) -> str:
    target = f"{fk.references.entity}({', '.join(fk.references.fields)})"
    return f"({', '.join(fk.fields)}) -> {target}"


def _compare_fk(pair: EntityPair, old: ForeignKey, new: Item[ForeignKey], out: Collector) -> None:
    at = f"{pair.head_at}/foreignKeys/{new.token}"
    fk = new.node
    renamed_target = replace(old.references, entity=pair.renames.entity(old.references.entity))
    if renamed_target != fk.references:
        out.add("foreign-key-target-changed", _fk_identity(pair, fk),
                f"{pair.head.name}: foreign key {_fk_label(old)} now -> "
                f"{fk.references.entity}({', '.join(fk.references.fields)})", at)
    for label, before, after in (("ON DELETE", old.on_delete, fk.on_delete),
                                 ("ON UPDATE", old.on_update, fk.on_update)):
        if before != after:
            out.add("foreign-key-action-changed",
                    _fk_identity(pair, fk) + f".{label.split()[1].lower()}",
                    f"{pair.head.name}: foreign key ({', '.join(fk.fields)}) {label} "
                    f"{before or 'default'} -> {after or 'default'}", at)

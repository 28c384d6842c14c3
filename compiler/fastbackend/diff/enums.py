"""Enums and their values: matched by name, then by stored (database) name for renames."""

from __future__ import annotations

from fastbackend.diff.findings import Collector, pointer
from fastbackend.diff.matching import Item, keyed, listed, match
from fastbackend_ir import IR, Enum, EnumValue


def compare_enums(base: IR, head: IR, out: Collector) -> dict[str, str]:
    """Report enum changes; return the renames (base name -> head name)."""
    by_name = match(keyed(base.enums), keyed(head.enums), lambda e: e.name)
    by_db_name = match(by_name.removed, by_name.added, _db_name)
    for old, new in by_name.pairs:
        _compare(old.node, new.node, out)
    for old, new in by_db_name.pairs:
        out.add("enum-renamed", new.node.name,
                f"enum {old.node.name} renamed to {new.node.name} (database type "
                f"{_db_name(new.node)} kept)", pointer("enums", new.token))
        _compare(old.node, new.node, out)
    for item in by_db_name.added:
        out.add("enum-added", item.node.name, f"enum {item.node.name} added",
                pointer("enums", item.token))
    for item in by_db_name.removed:
        out.add("enum-removed", item.node.name, f"enum {item.node.name} removed",
                pointer("enums", item.token), side="base")
    return {old.node.name: new.node.name for old, new in by_db_name.pairs}


def _db_name(enum: Enum) -> str:
    return enum.db_name or enum.name


def _compare(old: Enum, new: Enum, out: Collector) -> None:
    at = pointer("enums", new.name)
    if _db_name(old) != _db_name(new):
        out.add("enum-db-renamed", new.name, f"enum {new.name}: database type "
                f"{_db_name(old)} -> {_db_name(new)}", at)
    if old.description != new.description:
        out.add("description-changed", new.name, f"enum {new.name}: description changed", at)
    _values(old, new, out)


def _values(old: Enum, new: Enum, out: Collector) -> None:
    by_name = match(listed(old.values), listed(new.values), lambda v: v.name)
    by_stored = match(by_name.removed, by_name.added, lambda v: v.stored)
    for before, after in by_name.pairs:
        if before.node.stored != after.node.stored:
            out.add("enum-value-db-renamed", f"{new.name}.{after.node.name}",
                    f"enum {new.name}.{after.node.name}: stored value {before.node.stored!r} -> "
                    f"{after.node.stored!r}", _value_at(new, after))
    for before, after in by_stored.pairs:
        out.add("enum-value-renamed", f"{new.name}.{after.node.name}",
                f"enum {new.name}: value {before.node.name} renamed to {after.node.name} "
                f"(stored {after.node.stored!r} kept)", _value_at(new, after))
    _added_and_removed(old, new, by_stored.removed, by_stored.added, out)
    _order(old, new, by_name.pairs, out)


def _value_at(enum: Enum, item: Item[EnumValue]) -> str:
    return pointer("enums", enum.name, "values", item.token)


def _added_and_removed(old: Enum, new: Enum, removed: list[Item[EnumValue]],
                       added: list[Item[EnumValue]], out: Collector) -> None:
    for item in added:
        out.add("enum-value-added", f"{new.name}.{item.node.name}",
                f"enum {new.name}: value {item.node.name} added", _value_at(new, item))
    for item in removed:
        twin = [a.node.name for a in added if a.token == item.token]
        hint = f"possible rename to {twin[0]} (same position)" if twin else None
        out.add("enum-value-removed", f"{new.name}.{item.node.name}",
                f"enum {old.name}: value {item.node.name} removed", _value_at(old, item),
                side="base", hint=hint)


def _order(old: Enum, new: Enum, pairs: list[tuple[Item[EnumValue], Item[EnumValue]]],
           out: Collector) -> None:
    """Reordered when the values both sides share appear in another relative order."""
    shared = {before.node.name for before, _ in pairs}
    before_order = [v.name for v in old.values if v.name in shared]
    after_order = [v.name for v in new.values if v.name in shared]
    if before_order != after_order:
        out.add("enum-values-reordered", new.name,
                f"enum {new.name}: values reordered ({', '.join(before_order)} -> "
                f"{', '.join(after_order)})", pointer("enums", new.name, "values"))

"""Many-to-many join tables, keyed by table name, and their columns."""

from __future__ import annotations

from dataclasses import replace

from fastbackend.diff.findings import Collector, pointer
from fastbackend.diff.matching import Item, keyed, listed, match
from fastbackend.diff.scope import Renames
from fastbackend_ir import IR, JoinColumn, JoinTable


def compare_join_tables(base: IR, head: IR, out: Collector, renames: Renames) -> None:
    found = match(keyed(base.join_tables), keyed(head.join_tables), lambda t: _qualified(t))
    for old, new in found.pairs:
        _compare(new.token, _renamed(old.node, renames), new.node, out)
    for item in found.added:
        out.add("join-table-added", item.token, f"join table {_qualified(item.node)} added",
                pointer("joinTables", item.token))
    for item in found.removed:
        columns = ", ".join(column.name for column in item.node.columns)
        out.add("join-table-removed", item.token,
                f"join table {_qualified(item.node)} ({columns}) removed",
                pointer("joinTables", item.token), side="base",
                hint=_rename_hint(item.node, [a.node for a in found.added]))


def _renamed(table: JoinTable, renames: Renames) -> JoinTable:
    """The base table with its references spelled with the head's entity names."""
    columns = tuple(replace(column, references=replace(
        column.references, entity=renames.entity(column.references.entity)))
        for column in table.columns)
    return replace(table, columns=columns)


def _linked(table: JoinTable) -> list[str]:
    return sorted(f"{c.references.entity}.{c.references.field}" for c in table.columns)


def _rename_hint(gone: JoinTable, added: list[JoinTable]) -> str | None:
    """Another table linking the same entities: probably the same association, renamed."""
    twins = [_qualified(table) for table in added if _linked(table) == _linked(gone)]
    return f"possible rename to {', '.join(twins)} (links the same entities)" if twins else None


def _qualified(table: JoinTable) -> str:
    return f"{table.schema}.{table.table}" if table.schema else table.table


def _compare(key: str, old: JoinTable, new: JoinTable, out: Collector) -> None:
    found = match(listed(old.columns), listed(new.columns), lambda c: c.name)
    for before, after in found.pairs:
        _compare_column(key, before.node, after, out)
    for item in found.added:
        out.add("join-table-column-added", f"{key}.{item.node.name}",
                f"join table {key}: column {item.node.name} added", _column_at(key, item))
    for item in found.removed:
        out.add("join-table-column-removed", f"{key}.{item.node.name}",
                f"join table {key}: column {item.node.name} removed", _column_at(key, item),
                side="base")
    keys_before = (old.primary_key, old.uniques, old.indexes)
    if keys_before != (new.primary_key, new.uniques, new.indexes):
        out.add("join-table-key-changed", key,
                f"join table {key}: primary key, unique constraints or indexes changed",
                pointer("joinTables", key))


def _column_at(key: str, item: Item[JoinColumn]) -> str:
    return pointer("joinTables", key, "columns", item.token)


def _compare_column(key: str, old: JoinColumn, new: Item[JoinColumn], out: Collector) -> None:
    column = new.node
    identity = f"{key}.{column.name}"
    if old.references != column.references:
        target = f"{column.references.entity}.{column.references.field}"
        out.add("join-table-column-changed", identity,
                f"join table {key}: column {column.name} now references {target}",
                _column_at(key, new))
    for label, before, after in (("ON DELETE", old.on_delete, column.on_delete),
                                 ("ON UPDATE", old.on_update, column.on_update)):
        if before != after:
            out.add("join-table-action-changed", f"{identity}.{label.split()[1].lower()}",
                    f"join table {key}: column {column.name} {label} {before or 'default'} -> "
                    f"{after or 'default'}", _column_at(key, new))

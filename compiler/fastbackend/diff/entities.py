"""Entities: matched by name, then by table (an entity renamed behind an unchanged table);
their table, kind, inheritance and REST surface."""

from __future__ import annotations

from fastbackend.diff.events import realtime_of
from fastbackend.diff.findings import Collector, pointer
from fastbackend.diff.matching import Item, keyed, match
from fastbackend.diff.scope import EntityPair, Renames
from fastbackend_ir import IR, Entity


def match_entities(base: IR, head: IR, out: Collector,
                   enum_renames: dict[str, str]) -> tuple[list[EntityPair], Renames]:
    by_name = match(keyed(base.entities), keyed(head.entities), lambda e: e.name)
    by_table = match(by_name.removed, by_name.added, qualified_table)
    renames = Renames({old.node.name: new.node.name for old, new in by_table.pairs},
                      enum_renames)
    feeds = realtime_of(base), realtime_of(head)
    pairs = [_pair(old, new, renames, feeds) for old, new in by_name.pairs]
    for old, new in by_table.pairs:
        out.add("entity-renamed", new.node.name,
                f"entity {old.node.name} renamed to {new.node.name} (table "
                f"{qualified_table(new.node)} kept)", pointer("entities", new.token))
        pairs.append(_pair(old, new, renames, feeds))
    for item in by_table.added:
        out.add("entity-added", item.node.name,
                f"entity {item.node.name} added (table {qualified_table(item.node)})",
                pointer("entities", item.token))
    for item in by_table.removed:
        out.add("entity-removed", item.node.name,
                f"entity {item.node.name} removed (table {qualified_table(item.node)})",
                pointer("entities", item.token), side="base",
                hint=_rename_hint(item.node, [a.node for a in by_table.added]))
    return pairs, renames


def _pair(old: Item[Entity], new: Item[Entity], renames: Renames,
          feeds: tuple[frozenset[str], frozenset[str]]) -> EntityPair:
    return EntityPair(old.node, new.node, pointer("entities", old.token),
                      pointer("entities", new.token), renames,
                      (old.node.name in feeds[0], new.node.name in feeds[1]))


def qualified_table(entity: Entity) -> str:
    return f"{entity.schema}.{entity.table}" if entity.schema else entity.table


def _rename_hint(gone: Entity, added: list[Entity]) -> str | None:
    """Same columns under another entity name and table: probably a rename of both."""
    columns = {spec.column for spec in gone.fields}
    twins = [entity.name for entity in added if {f.column for f in entity.fields} == columns]
    if not twins:
        return None
    return f"possible rename to {', '.join(twins)} (both entity and table names changed)"


def compare_entity(pair: EntityPair, out: Collector) -> None:
    old, new, at = pair.base, pair.head, pair.head_at
    if qualified_table(old) != qualified_table(new):
        out.add("entity-table-renamed", pair.identity("table"),
                f"entity {new.name}: table {qualified_table(old)} -> {qualified_table(new)}", at)
    if old.kind != new.kind:
        out.add("entity-kind-changed", pair.identity("kind"),
                f"entity {new.name}: {old.kind} -> {new.kind}", at)
    if old.inheritance != new.inheritance:
        out.add("inheritance-changed", pair.identity("inheritance"),
                f"entity {new.name}: inheritance changed", at)
    if old.description != new.description:
        out.add("description-changed", pair.identity(), f"entity {new.name}: description changed",
                at)
    _api(pair, out)


def _api(pair: EntityPair, out: Collector) -> None:
    old, new = pair.base.api, pair.head.api
    at = f"{pair.head_at}/api"
    name = pair.head.name
    if old.path != new.path:
        out.add("api-path-changed", pair.identity("path"),
                f"entity {name}: path {old.path} -> {new.path}", at)
    if pair.base_columns(old.key) != pair.head_columns(new.key):
        out.add("api-key-changed", pair.identity("key"),
                f"entity {name}: item key ({', '.join(old.key)}) -> ({', '.join(new.key)})", at)
    if (old.singular, old.plural) != (new.singular, new.plural):
        out.add("api-name-changed", pair.identity("apiName"),
                f"entity {name}: API names {old.singular}/{old.plural} -> "
                f"{new.singular}/{new.plural}", at)
    for operation in old.operations:
        if operation not in new.operations:
            out.add("operation-removed", pair.identity("operation", operation),
                    f"{new.path}: operation {operation} removed", at)
    for operation in new.operations:
        if operation not in old.operations:
            out.add("operation-added", pair.identity("operation", operation),
                    f"{new.path}: operation {operation} added", at)

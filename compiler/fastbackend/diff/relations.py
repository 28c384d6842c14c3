"""Relations of one entity, matched by name."""

from __future__ import annotations

from fastbackend.diff.findings import Collector
from fastbackend.diff.matching import Item, listed, match
from fastbackend.diff.scope import EntityPair
from fastbackend_ir import Relation


def compare_relations(pair: EntityPair, out: Collector) -> None:
    found = match(listed(pair.base.relations), listed(pair.head.relations), lambda r: r.name)
    for old, new in found.pairs:
        _compare(pair, old.node, new, out)
    for item in found.added:
        out.add("relation-added", pair.identity("relation", item.node.name),
                f"{pair.head.name}.{item.node.name} added ({_label(item.node)})",
                f"{pair.head_at}/relations/{item.token}")
    for item in found.removed:
        out.add("relation-removed", pair.identity("relation", item.node.name),
                f"{pair.base.name}.{item.node.name} removed ({_label(item.node)})",
                f"{pair.base_at}/relations/{item.token}", side="base")


def _label(relation: Relation) -> str:
    return f"{relation.kind} {relation.target}"


def _compare(pair: EntityPair, old: Relation, new: Item[Relation], out: Collector) -> None:
    at = f"{pair.head_at}/relations/{new.token}"
    identity = pair.identity("relation", new.node.name)
    name = f"{pair.head.name}.{new.node.name}"
    if old.kind != new.node.kind:
        out.add("relation-kind-changed", identity,
                f"{name}: kind {old.kind} -> {new.node.kind}", at)
    if pair.renames.entity(old.target) != new.node.target:
        out.add("relation-target-changed", identity,
                f"{name}: target {old.target} -> {new.node.target}", at)
    if old.path != new.node.path:
        out.add("relation-path-changed", identity,
                f"{name}: path {old.path} -> {new.node.path}", at)
    if old.description != new.node.description:
        out.add("description-changed", identity, f"{name}: description changed", at)

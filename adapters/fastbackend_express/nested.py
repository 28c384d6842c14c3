"""src/nested.ts: what lib/nested.ts needs of each model to serve nested writes on create
(docs/rest-api.md "Nested writes"): the relations the contract lets it nest
(fastbackend_ir.contract.nested_operations), those its update (PATCH, PUT) may nest
(nested_update_operations), their linking fields, and its where selectors."""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend_express import zod
from fastbackend_express.context import EntityView, RelationView, ts
from fastbackend_ir import IR
from fastbackend_ir.contract import (
    child_fields,
    holds_key,
    nested_operations,
    nested_update_operations,
    orphaned_by_unlink,
    roles,
)


@dataclass(frozen=True)
class NestedView:
    view: EntityView
    edges: tuple[tuple[str, str], ...]  # relation name -> its NestedEdge object literal
    update_edges: tuple[tuple[str, str], ...]  # the same, on update
    selectors: tuple[tuple[str, ...], ...]
    where: tuple[tuple[str, str], ...]  # field -> its zod type (optional in the where)


def nested_views(ir: IR, views: dict[str, EntityView],
                 relations: dict[str, tuple[RelationView, ...]]) -> list[NestedView]:
    """Every model a nested write can reach: those whose create or update nests, and their
    targets."""
    edges = {name: _edges(ir, views[name], relations[name]) for name in views}
    updates = {name: _edges(ir, views[name], relations[name], True) for name in views}
    reached = {name for name in views if edges[name] or updates[name]}
    reached |= {relation.target.name for name in list(reached) for relation in relations[name]
                if relation.relation.name in {**dict(edges[name]), **dict(updates[name])}}
    return [_view(ir, views[name], edges[name], updates[name]) for name in views
            if name in reached]


def _edges(ir: IR, view: EntityView, relations: tuple[RelationView, ...],
           update: bool = False) -> tuple[tuple[str, str], ...]:
    if update and not {"update", "replace"} & set(view.actions):
        return ()
    if not update and "create" not in view.actions:
        return ()
    decide = nested_update_operations if update else nested_operations
    found = []
    for relation in relations:
        operations = decide(ir, view.entity, relation.relation)
        if operations:
            found.append((relation.relation.name, _edge(ir, view, relation, operations)))
    return tuple(found)


def _edge(ir: IR, view: EntityView, relation: RelationView, operations: tuple[str, ...]) -> str:
    through = "null"
    if relation.through is not None:
        through = (f"{{ delegate: {ts(relation.through.delegate)}, "
                   f"columns: {ts([list(p) for p in relation.link_columns])}, "
                   f"targetColumns: {ts([list(p) for p in relation.link_target_columns])} }}")
    many = relation.relation.kind == "manyToMany"
    pairs = {
        "operations": ts(list(operations)),
        "holdsKey": ts(holds_key(view.entity, relation.relation)),
        "toMany": ts(relation.to_many), "manyToMany": ts(many),
        "target": ts(relation.target.name),
        "thisFields": ts(list(relation.this_fields)),
        "targetFields": ts(list(relation.target_fields)),
        "childFields": ts(list(child_fields(relation.relation))),
        "through": through, "inverse": ts(relation.inverse if many else None),
        "orphaned": ts(list(orphaned_by_unlink(ir, view.entity, relation.relation))),
    }
    return "{ " + ", ".join(f"{name}: {value}" for name, value in pairs.items()) + " }"


def _view(ir: IR, view: EntityView, edges: tuple[tuple[str, str], ...],
          update_edges: tuple[tuple[str, str], ...]) -> NestedView:
    entity = view.entity
    fields = {field.name: field for field in entity.fields}
    names = [*entity.api.key, *(f.name for f in entity.fields if f.unique and roles(f).readable
                                and f.name not in entity.api.key)]
    selectors = (tuple(entity.api.key),
                 *((name,) for name in names if name not in entity.api.key))
    where = tuple((name, zod.scalar(fields[name], ir)) for name in names)
    return NestedView(view, edges, update_edges, selectors, where)

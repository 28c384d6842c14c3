"""The REST contract the IR records (IR 1.2): each entity's routes and each field's roles.

Both IRs are completed first (fastbackend.passes.contract), so an IR older than 1.2 compares
as the compiler would record it now. A change another rule already explains is not reported
again: a route that went with its operation (``operation-removed``) or its relation
(``relation-removed``), roles that changed with the field's own facts (read-only, nullable,
type, ...). What is left is the contract itself changing: a route no longer served because its
target is no longer served, an ir.json edited by hand, a rule of the contract that changed.
"""

from __future__ import annotations

from fastbackend.diff.findings import Collector
from fastbackend.diff.matching import Item, listed, match
from fastbackend.diff.scope import EntityPair
from fastbackend_ir import Field, FieldRoles, Route
from fastbackend_ir.contract import CHANGES, OPERATION_OF

# An entity's own route actions -> the operation (api.operations) that serves them.
# Roles a client relies on: losing one breaks it, gaining one breaks nobody.
GRANTS = ("readable", "writable_on_create", "writable_on_update", "filterable", "sortable")


def _key(route: Route) -> str:
    return f"{route.action}:{route.relation or ''}"


def _label(route: Route) -> str:
    return f"{route.method} {route.path} ({route.operation_id})"


def compare_routes(pair: EntityPair, out: Collector) -> None:
    found = match(listed(pair.base.routes or ()), listed(pair.head.routes or ()), _key)
    for old, new in found.pairs:
        if old.node.operation_id != new.node.operation_id:
            out.add("route-operation-id-changed", pair.identity("route", new.node.operation_id),
                    f"{new.node.method} {new.node.path}: operation id "
                    f"{old.node.operation_id} -> {new.node.operation_id}", _at(pair.head_at, new))
    for item in found.removed:
        if not _explained(pair, item.node):
            out.add("route-removed", pair.identity("route", item.node.operation_id),
                    f"{_label(item.node)} no longer served", _at(pair.base_at, item),
                    side="base")
    for item in found.added:
        if not _explained(pair, item.node):
            out.add("route-added", pair.identity("route", item.node.operation_id),
                    f"{_label(item.node)} now served", _at(pair.head_at, item))


def _at(entity_at: str, item: Item[Route]) -> str:
    return f"{entity_at}/routes/{item.token}"


def _explained(pair: EntityPair, route: Route) -> bool:
    """Whether operation-added/removed, relation-added/removed or realtime-added/removed
    reports this route's change."""
    if route.relation is not None:
        names = ({r.name for r in pair.base.relations}, {r.name for r in pair.head.relations})
        return not all(route.relation in side for side in names)
    operation = OPERATION_OF[route.action]
    if route.action == CHANGES and pair.realtime[0] != pair.realtime[1]:
        return True
    return (operation in pair.base.api.operations) != (operation in pair.head.api.operations)


def compare_roles(pair: EntityPair, old: Field, new: Field, at: str, out: Collector) -> None:
    """A field's recorded roles, when no other rule reported a change of the field."""
    if old.roles is None or new.roles is None or old.roles == new.roles:
        return
    lost, gained = _changes(old.roles, new.roles)
    name = f"{pair.head.name}.{new.name}"
    if lost:
        out.add("field-contract-narrowed", pair.identity(new.name, "roles"),
                f"{name}: {', '.join(lost)}", at)
    if gained:
        out.add("field-contract-widened", pair.identity(new.name, "roles"),
                f"{name}: {', '.join(gained)}", at)


def _changes(old: FieldRoles, new: FieldRoles) -> tuple[list[str], list[str]]:
    """(what narrows the field for a client, what widens it), as words."""
    lost = [f"no longer {_words(role)}" for role in GRANTS
            if getattr(old, role) and not getattr(new, role)]
    gained = [f"now {_words(role)}" for role in GRANTS
              if getattr(new, role) and not getattr(old, role)]
    if new.required_on_create and not old.required_on_create:
        lost.append("now required on create")
    if old.required_on_create and not new.required_on_create:
        gained.append("no longer required on create")
    dropped = [op for op in old.operators if op not in new.operators]
    added = [op for op in new.operators if op not in old.operators]
    if dropped:
        lost.append(f"operators {', '.join(dropped)} removed")
    if added:
        gained.append(f"operators {', '.join(added)} added")
    return lost, gained


def _words(role: str) -> str:
    return role.replace("_", " ")


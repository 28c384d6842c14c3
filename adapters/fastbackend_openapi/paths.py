"""The operations of the generated routes, path by path, as the IR records them.

Which routes exist, their operation ids, methods, path templates, success statuses and
problems are the compiler's decisions (each entity's ``routes``, fastbackend_ir.contract);
this module only translates each route's action into an OpenAPI operation: its summary,
parameters, body and typed answers. A create takes one object; an array goes to its own
operation, ``…/bulk``, so each operation has one typed body and one typed answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastbackend_contract import tables
from fastbackend_ir import IR, Entity, Relation, Route
from fastbackend_ir.contract import child_fields, conflict_targets, put_creates
from fastbackend_openapi import aggregates, listing, names, nested, responses
from fastbackend_openapi.parameters import (
    IF_MATCH,
    IF_NONE_MATCH,
    PREFER,
    PREFER_COUNT,
    PREFER_UPSERT,
    key_ref,
    on_conflict,
)

Operation = dict[str, Any]
PathItem = dict[str, Operation]
MAX_BATCH = tables.MAX_BATCH  # rows in one bulk create (both servers refuse more, with a 422)


def _body(schema_name: str, many: bool = False) -> dict[str, Any]:
    one = names.ref(schema_name)
    schema = {"type": "array", "items": one, "maxItems": MAX_BATCH} if many else one
    return {"required": True, "content": {"application/json": {"schema": schema}}}


@dataclass(frozen=True)
class Shape:
    """What an action's operation says beside the route's own record."""

    summary: str
    parameters: list[dict[str, Any]]
    success: dict[str, Any]  # the answer at the route's success status
    body: dict[str, Any] | None = None
    extra: dict[str, Any] | None = None  # other non-problem answers (304)


@dataclass(frozen=True)
class Context:
    ir: IR
    entity: Entity
    relation: Relation | None

    @property
    def target(self) -> Entity:
        assert self.relation is not None
        return self.ir.entity(self.relation.target)

    @property
    def rel(self) -> Relation:
        assert self.relation is not None
        return self.relation


def _list(c: Context) -> Shape:
    return Shape(f"List {c.entity.name} rows", listing.refs(c.ir, c.entity),
                 responses.page(c.entity))


def _query(c: Context) -> Shape:
    return Shape(f"List {c.entity.name} rows, parameters as JSON", [],
                 responses.page(c.entity), _body(names.query(c.entity)))


def _aggregate(c: Context) -> Shape:
    return Shape(f"Count, sum, average, min and max of {c.entity.name} rows, by group",
                 [*listing.filter_refs(c.ir, c.entity)[:-1],  # not `all`: a bulk write's
                  *aggregates.parameters(c.entity)],
                 aggregates.answer())


LAST_EVENT_ID = {
    "name": "Last-Event-ID", "in": "header", "required": False,
    "description": "Resume: the `id` of the last event received; the events after it are "
                   "sent first (from the outbox), then the live ones.",
    "schema": {"type": "string", "pattern": "^[0-9]+$"}}


def _changes(c: Context) -> Shape:
    """The realtime feed (docs/events.md): Server-Sent Events of the rows the filters match."""
    stream = {"description": (
        f"A Server-Sent Events stream of {c.entity.name} change events: `id:` the event's "
        "position (send it back as Last-Event-ID), `event:` the operation (create, update, "
        "delete, link, unlink), `data:` the event's JSON; `event: reset` when events after "
        "Last-Event-ID are no longer kept (retention): reload, then go on from its `id`; a "
        "comment line every heartbeatSeconds keeps proxies from closing it."),
        "content": {"text/event-stream": {"schema": {"type": "string"}}}}
    return Shape(f"Stream {c.entity.name} changes (Server-Sent Events)",
                 [*listing.filter_refs(c.ir, c.entity)[:-1], LAST_EVENT_ID], stream)


def _create_body(c: Context) -> str:
    """A create's body, and each row of a bulk create's: it may nest related rows (nested.py)
    on the relations the contract allows."""
    return (nested.create_name(c.entity) if nested.edges(c.ir, c.entity)
            else names.create(c.entity))


def _create(c: Context) -> Shape:
    return Shape(f"Create a {c.entity.name}", [], responses.created(c.entity),
                 _body(_create_body(c)))


def _bulk_create(c: Context) -> Shape:
    return Shape(f"Create {c.entity.name} rows, all or none", [],
                 responses.created_many(c.entity), _body(_create_body(c), many=True))


def _bulk_update(c: Context) -> Shape:
    return Shape(f"Change the fields sent on every {c.entity.name} the filters match",
                 listing.filter_refs(c.ir, c.entity), responses.changed(c.entity),
                 _body(names.update(c.entity)))


def _bulk_delete(c: Context) -> Shape:
    return Shape(f"Delete every {c.entity.name} the filters match",
                 listing.filter_refs(c.ir, c.entity), responses.changed(c.entity))


def _read(c: Context) -> Shape:
    return Shape(f"Read one ({c.entity.name})", [key_ref(c.entity), IF_NONE_MATCH],
                 responses.row(c.entity), extra={"304": responses.NOT_MODIFIED})


def _update(c: Context) -> Shape:
    """Its body may set, disconnect, connect or create related rows (nested.py)."""
    body = (nested.update_name(c.entity) if nested.update_edges(c.ir, c.entity)
            else names.update(c.entity))
    return Shape(f"Change the fields sent ({c.entity.name})", [key_ref(c.entity), IF_MATCH],
                 responses.row(c.entity), _body(body))


def _replace(c: Context) -> Shape:
    """Where the client chooses the key, a PUT to a key no row has creates it: a 201."""
    body = (nested.update_name(c.entity, replace=True) if nested.update_edges(c.ir, c.entity)
            else names.create(c.entity))
    if put_creates(c.entity):
        return Shape(f"Replace the whole row, or create it at this key ({c.entity.name})",
                     [key_ref(c.entity), IF_MATCH], responses.row(c.entity),
                     _body(body), extra={"201": responses.created(c.entity)})
    return Shape(f"Replace the whole row ({c.entity.name})", [key_ref(c.entity), IF_MATCH],
                 responses.row(c.entity), _body(body))


def _delete(c: Context) -> Shape:
    return Shape(f"Delete ({c.entity.name})", [key_ref(c.entity), IF_MATCH],
                 responses.NO_CONTENT)


def _restore(c: Context) -> Shape:
    """Soft delete (IR 1.6): clears the stamp DELETE set; a live row's restore is a 404 too."""
    return Shape(f"Restore a soft-deleted {c.entity.name} (clear its {c.entity.soft_delete})",
                 [key_ref(c.entity)], responses.row(c.entity))


def _read_related(c: Context) -> Shape:
    return Shape(f"The {c.rel.name} of a {c.entity.name}", [key_ref(c.entity), IF_NONE_MATCH],
                 responses.row(c.target), extra={"304": responses.NOT_MODIFIED})


def _list_related(c: Context) -> Shape:
    return Shape(f"List the {c.rel.name} of a {c.entity.name}",
                 [key_ref(c.entity), *listing.refs(c.ir, c.target)], responses.page(c.target))


def _create_related(c: Context) -> Shape:
    """Its body may nest related rows as the target's create does (nested.py), but for the
    relation back to the owner, whose key the URL gives."""
    given = child_fields(c.rel)
    body = (nested.create_name(c.target, given) if nested.edges(c.ir, c.target, given)
            else names.create(c.target, given))
    return Shape(f"Create one of the {c.rel.name} of a {c.entity.name}", [key_ref(c.entity)],
                 responses.created(c.target), _body(body))


def _link(c: Context) -> Shape:
    return Shape(f"Link a {c.target.name}", [key_ref(c.entity), key_ref(c.target, "target_key")],
                 responses.NO_CONTENT)


def _unlink(c: Context) -> Shape:
    return Shape(f"Unlink a {c.target.name}",
                 [key_ref(c.entity), key_ref(c.target, "target_key")], responses.NO_CONTENT)


# Route action -> its operation's shape: one row per action (an unknown one is a KeyError).
SHAPES: dict[str, Callable[[Context], Shape]] = {
    "list": _list, "query": _query, "aggregate": _aggregate, "create": _create, "bulkCreate": _bulk_create,
    "bulkUpdate": _bulk_update, "bulkDelete": _bulk_delete,
    "read": _read, "update": _update, "replace": _replace, "delete": _delete,
    "restore": _restore, "readRelated": _read_related, "listRelated": _list_related,
    "createRelated": _create_related, "link": _link, "unlink": _unlink,
    "changes": _changes,
}


def operation(ir: IR, entity: Entity, route: Route) -> Operation:
    """The OpenAPI operation of one recorded route."""
    relation = entity.relation(route.relation) if route.relation is not None else None
    shape = SHAPES[route.action](Context(ir, entity, relation))
    found: Operation = {"tags": [entity.api.plural], "summary": shape.summary,
                        "operationId": route.operation_id}
    if entity.soft_delete is not None and route.action in ("delete", "bulkDelete"):
        found["description"] = (
            f"Soft delete: sets `{entity.soft_delete}` instead of removing the row; reads leave "
            f"such rows out, and `POST {entity.api.path}/{{key}}/restore` brings one back.")
    # A write takes `Prefer: return=minimal`: its answer then is the contract's (tables).
    minimal = tables.MINIMAL_BY_ACTION.get(route.action)
    counted = route.action in tables.COUNTED_ACTIONS  # a list: `Prefer: count=...`
    targets = conflict_targets(entity) if route.action in tables.UPSERT_ACTIONS else ()
    prefer = PREFER_UPSERT if targets else PREFER
    # `include=` on one row's answer: the list's parameter, of the entity the answer's rows are
    included = (listing.include_refs(ir, ir.entity(relation.target) if relation else entity)
                if route.action in tables.INCLUDED_ACTIONS else [])
    parameters = [*shape.parameters, *included, *([on_conflict(targets)] if targets else []),
                  *([prefer] if minimal is not None else []),
                  *([PREFER_COUNT] if counted else [])]
    if parameters:
        found["parameters"] = parameters
    if shape.body is not None:
        found["requestBody"] = shape.body
    answers = {str(route.status): shape.success, **(shape.extra or {}),
               **responses.problems(route.problems)}
    if minimal is not None and minimal.status != route.status:
        answers[str(minimal.status)] = responses.minimal(minimal)
    if targets:  # an upsert that created no row (merged or ignored every one): 200
        answers["200"] = (responses.created_many(entity) if route.action == "bulkCreate"
                          else responses.row(entity))
    found["responses"] = dict(sorted(answers.items()))
    return found


def paths(ir: IR) -> dict[str, PathItem]:
    """Every entity's own routes first, then the routes under relations, in IR order."""
    found: dict[str, PathItem] = {}
    for related in (False, True):
        for entity in ir.entities.values():
            for route in entity.routes or ():
                if (route.relation is not None) is related:
                    found.setdefault(route.path, {})[route.method.lower()] = operation(
                        ir, entity, route)
    return found


def created_under(entity: Entity) -> list[Relation]:
    """The relations under whose URL a child is created without the fields the URL gives."""
    return [entity.relation(route.relation) for route in entity.routes or ()
            if route.action == "createRelated" and route.relation is not None
            and child_fields(entity.relation(route.relation))]


HEALTH: PathItem = {"get": {
    "tags": ["health"], "summary": "Is the database reachable?", "operationId": "healthz",
    "responses": dict(sorted({
        "200": {"description": "the service and its database answer",
                "content": {"application/json": {"schema": names.ref(names.HEALTH)}}},
        **responses.problems(()),
    }.items()))}}
LIVE: PathItem = {"get": {
    "tags": ["health"], "summary": "Is the process up? (never touches the database)",
    "operationId": "livez",
    "responses": {"200": {"description": "the process answers",
                          "content": {"application/json": {"schema": names.ref(names.LIVE)}}}}}}
READY: PathItem = {"get": {
    "tags": ["health"],
    "summary": "Should traffic come here? The database answers and is at the head of the "
               "project's migrations",
    "operationId": "readyz",
    "responses": dict(sorted({
        "200": {"description": "ready: the database answers and is migrated",
                "content": {"application/json": {"schema": names.ref(names.READY)}}},
        **responses.problems(("not-ready",)),
    }.items()))}}
# Probes: no 4XX (nothing a client sends can be wrong), never rate limited.
PROBES: dict[str, PathItem] = {"/healthz": HEALTH, "/livez": LIVE, "/readyz": READY}

"""The operations of the generated routes, path by path, in IR order.

Which routes exist is the runtime's rule (routing.py, docs/rest-api.md "Routes"): an entity's
``api.operations``; relation routes when the owner exposes ``read`` and the target is exposed;
creating under a to-many relation when the target exposes ``create``; link and unlink for
many-to-many. A create takes one object; an array goes to its own operation, ``…/bulk``, so
each operation has one typed body and one typed answer. Operation ids: ``listUsers``,
``createUser``, ``bulkCreateUsers``, ``getUser``, ``listUserPosts``, ``linkPostTags``.
"""

from __future__ import annotations

from typing import Any

from fastbackend_ir import IR, Entity, Relation
from fastbackend_openapi import listing, names, responses
from fastbackend_openapi.parameters import IF_MATCH, IF_NONE_MATCH, key_ref

Operation = dict[str, Any]
PathItem = dict[str, Operation]
BULK = "bulk"
MAX_BATCH = 1000  # rows in one bulk create (both servers refuse more, with a 422)


def _body(schema_name: str, many: bool = False) -> dict[str, Any]:
    one = names.ref(schema_name)
    schema = {"type": "array", "items": one, "maxItems": MAX_BATCH} if many else one
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _operation(operation_id: str, tag: str, summary: str, parameters: list[dict[str, Any]],
               success: dict[str, Any], problems: dict[str, Any],
               body: dict[str, Any] | None = None) -> Operation:
    operation: Operation = {"tags": [tag], "summary": summary, "operationId": operation_id}
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        operation["requestBody"] = body
    operation["responses"] = dict(sorted({**success, **problems}.items()))
    return operation


def collection(ir: IR, entity: Entity) -> PathItem:
    api, found = entity.api, {}
    if "list" in api.operations:
        found["get"] = _operation(
            f"list{api.plural}", api.plural, f"List {entity.name} rows", listing.refs(ir, entity),
            {"200": responses.page(entity)}, responses.problems("list"))
    if "create" in api.operations:
        found["post"] = _operation(
            f"create{api.singular}", api.plural, f"Create a {entity.name}", [],
            {"201": responses.created(entity)}, responses.problems("create"),
            _body(names.create(entity)))
    return found


def bulk(ir: IR, entity: Entity) -> PathItem:
    """POST {path}/bulk: an array of rows, created in one transaction (all or none)."""
    if "create" not in entity.api.operations:
        return {}
    api = entity.api
    return {"post": _operation(
        f"bulkCreate{api.plural}", api.plural,
        f"Create {entity.name} rows, all or none", [],
        {"201": responses.created_many(entity)}, responses.problems("create"),
        _body(names.create(entity), many=True))}


def query(ir: IR, entity: Entity) -> PathItem:
    """POST {path}/query: a list whose parameters come as a JSON body."""
    if "list" not in entity.api.operations:
        return {}
    api = entity.api
    return {"post": _operation(
        f"query{api.plural}", api.plural, f"List {entity.name} rows, parameters as JSON", [],
        {"200": responses.page(entity)}, responses.problems("query"),
        _body(names.query(entity)))}


def item(ir: IR, entity: Entity) -> PathItem:
    api, found = entity.api, {}
    key = key_ref(entity)
    row = {"200": responses.row(entity)}
    table: list[tuple[str, str, str, str, list[dict[str, Any]], dict[str, Any], str | None]] = [
        ("read", "get", "get", "Read one", [key, IF_NONE_MATCH],
         {**row, "304": responses.NOT_MODIFIED}, None),
        ("update", "patch", "update", "Change the fields sent", [key, IF_MATCH], row,
         names.update(entity)),
        ("replace", "put", "replace", "Replace the whole row", [key, IF_MATCH], row,
         names.create(entity)),
        ("delete", "delete", "delete", "Delete", [key, IF_MATCH], {"204": responses.NO_CONTENT},
         None),
    ]
    for kind, method, verb, summary, parameters, success, body in table:
        if kind in api.operations:
            found[method] = _operation(
                f"{verb}{api.singular}", api.plural, f"{summary} ({entity.name})", parameters,
                success, responses.problems(kind),
                None if body is None else _body(body))
    return found


def relation_paths(ir: IR, entity: Entity, relation: Relation) -> dict[str, PathItem]:
    api, target = entity.api, ir.entity(relation.target)
    path = f"{api.path}/{{key}}/{relation.path}"
    suffix, key = names.relation_suffix(entity, relation), key_ref(entity)
    if not relation.to_many:
        return {path: {"get": _operation(
            f"get{suffix}", api.plural, f"The {relation.name} of a {entity.name}",
            [key, IF_NONE_MATCH], {"200": responses.row(target),
                                   "304": responses.NOT_MODIFIED}, responses.problems("read"))}}
    found: dict[str, PathItem] = {path: {"get": _operation(
        f"list{suffix}", api.plural, f"List the {relation.name} of a {entity.name}",
        [key, *listing.refs(ir, target)],
        {"200": responses.page(target)}, responses.problems("list", nested=True))}}
    if "create" in target.api.operations:
        body = names.create(target, child_fields(entity, relation))
        found[path]["post"] = _operation(
            f"create{suffix}", api.plural, f"Create one of the {relation.name} of a {entity.name}",
            [key], {"201": responses.created(target)},
            responses.problems("create", nested=True), _body(body))
    if relation.kind == "manyToMany":
        link_key = key_ref(target, "target_key")
        done = {"204": responses.NO_CONTENT}
        found[f"{path}/{{target_key}}"] = {
            "put": _operation(f"link{suffix}", api.plural, f"Link a {target.name}", [key, link_key],
                              done, responses.problems("link")),
            "delete": _operation(f"unlink{suffix}", api.plural, f"Unlink a {target.name}",
                                 [key, link_key], done, responses.problems("unlink")),
        }
    return found


def child_fields(entity: Entity, relation: Relation) -> tuple[str, ...]:
    """The foreign key fields a child created under its parent's URL gets from the URL."""
    if relation.kind != "oneToMany" or relation.foreign_key is None:
        return ()
    return relation.foreign_key.fields


def has_relation_routes(ir: IR, entity: Entity, relation: Relation) -> bool:
    return "read" in entity.api.operations and bool(ir.entity(relation.target).api.operations)


HEALTH: PathItem = {"get": _operation(
    "healthz", "health", "Is the database reachable?", [],
    {"200": {"description": "the service and its database answer",
             "content": {"application/json": {"schema": names.ref(names.HEALTH)}}}},
    responses.problems("health"))}
LIVE: PathItem = {"get": _operation(
    "livez", "health", "Is the process up? (never touches the database)", [],
    {"200": {"description": "the process answers",
             "content": {"application/json": {"schema": names.ref(names.LIVE)}}}}, {})}
READY: PathItem = {"get": _operation(
    "readyz", "health", "Should traffic come here? The database answers and is at the head of "
    "the project's migrations", [],
    {"200": {"description": "ready: the database answers and is migrated",
             "content": {"application/json": {"schema": names.ref(names.READY)}}}},
    responses.problems("health"))}
# Probes: no 4XX (nothing a client sends can be wrong), never rate limited.
PROBES: dict[str, PathItem] = {"/healthz": HEALTH, "/livez": LIVE, "/readyz": READY}

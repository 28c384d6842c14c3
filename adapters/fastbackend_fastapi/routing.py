"""Registers every generated route on the app: the routes the IR records (each entity's
``routes``: action, method, path template, operation id), each translated to its endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.convertors import Convertor, register_url_convertor

from fastbackend_contract import tables
from fastbackend_fastapi import auth, prefer
from fastbackend_fastapi.routes import aggregates, bulk, changes, collection, relations
from fastbackend_fastapi.routes import item as items
from fastbackend_fastapi.runtime import Database, EntityRuntime, Runtime
from fastbackend_ir import IR, Entity, Route, contract
from fastbackend_ir.contract import KEY, item_siblings
from fastbackend_ir.nodes import Operation

Endpoint = Callable[[Request], Awaitable[Response]]


class ItemKey(Convertor[str]):
    """An item's key: one path segment, but not a concrete sibling path (``bulk``, ``query``).

    OpenAPI matches a concrete path before a templated one, so ``PUT /posts/bulk`` is a method
    ``/posts/bulk`` lacks (405, ``Allow: POST``), not an update of the post keyed "bulk".
    Subclassed per set of reserved segments (``regex`` is a class attribute)."""

    regex = "[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


def item_path(path: str, reserved: tuple[str, ...]) -> str:
    """``{path}/{key}``, with a convertor that leaves ``reserved`` segments to their routes."""
    if not reserved:
        return f"{path}/{{key}}"
    name = "key_not_" + "_".join(reserved)
    regex = f"(?!(?:{'|'.join(reserved)})$)[^/]+"
    # Registered once per name; the same name always has the same regex.
    register_url_convertor(name, type(name, (ItemKey,), {"regex": regex})())
    return f"{path}/{{key:{name}}}"


def _upsert_guard(guard: auth.Guard, endpoint: Endpoint, path: str,
                  needs: Sequence[auth.Need], entity: str) -> Endpoint:
    """A create that may upsert: with `Prefer: resolution=...` it may update a row, so it runs
    the entity's `update` dependencies beside its `create` ones; without, only those."""
    plain = guard.wrap(endpoint, path, needs)
    upsert = guard.wrap(endpoint, path, [*needs, (entity, "update")])

    async def dispatch(request: Request) -> Response:
        chosen = upsert if prefer.resolution(request) is not None else plain
        return await chosen(request)

    return dispatch


def _add(app: FastAPI, path: str, method: str, endpoint: Endpoint, operation_id: str,
         needs: Sequence[auth.Need] = (), upsert: str | None = None) -> None:
    """A plain Starlette route, hidden from FastAPI's document: the emitter documents it
    (openapi.py says why).

    ``needs`` (entity, operation) say whose auth dependencies and row scope the route runs;
    ``upsert`` names the entity whose create route honours `Prefer: resolution`.
    """
    guard: auth.Guard | None = getattr(app.state, "guard", None)
    if guard is not None:
        endpoint = _upsert_guard(guard, endpoint, path, needs, upsert) if upsert else \
            guard.wrap(endpoint, path, needs)
        guard.needs[(path, method)] = tuple(needs)  # an @override of it keeps its checks
    app.router.add_route(path, endpoint, methods=[method], name=operation_id,
                         include_in_schema=False)


Make = Callable[[], Endpoint]


def _own_endpoints(runtime: Runtime, rt: EntityRuntime, db: Database,
                   scopes: dict[str, tuple[str, ...]]) -> dict[str, tuple[Make, Operation]]:
    """Route action -> (its endpoint, the operation whose auth it runs): a bulk update or
    delete runs the single-row operation's, so its dependencies and row scope."""
    return {
        "bulkUpdate": (lambda: bulk.bulk_update_endpoint(rt, db, scopes), "update"),
        "bulkDelete": (lambda: bulk.bulk_delete_endpoint(rt, db, scopes), "delete"),
        "list": (lambda: collection.list_endpoint(rt, db), "list"),
        "query": (lambda: collection.query_endpoint(rt, db), "list"),
        "aggregate": (lambda: aggregates.aggregate_endpoint(rt, db, scopes), "list"),
        "create": (lambda: collection.create_endpoint(rt, db, nested=runtime.nested), "create"),
        "bulkCreate": (lambda: collection.create_endpoint(rt, db, bulk=True,
                                                               nested=runtime.nested), "create"),
        "read": (lambda: items.read_endpoint(rt, db), "read"),
        "update": (lambda: items.update_endpoint(rt, db, replace=False, nested=runtime.nested),
                   "update"),
        "replace": (lambda: items.update_endpoint(rt, db, replace=True, nested=runtime.nested),
                    "replace"),
        "delete": (lambda: items.delete_endpoint(rt, db), "delete"),
        "changes": (lambda: _changes(rt, db), "list"),
        "restore": (lambda: items.restore_endpoint(rt, db), "delete"),  # soft delete
    }


def _changes(rt: EntityRuntime, db: Database) -> Endpoint:
    """The realtime feed (routes/changes.py): recorded only when the IR's events name it."""
    if db.feed is None or db.outbox is None:
        raise RuntimeError(f"{rt.entity.name}: a changes route without realtime events")
    return changes.changes_endpoint(rt, db, db.feed, db.outbox.events.heartbeat_seconds)


def add_entity_routes(app: FastAPI, runtime: Runtime, entity: Entity) -> None:
    """The entity's own routes, as the IR records them (``routes``, fastbackend_ir.contract)."""
    rt, db, api = runtime.entity(entity.name), runtime.database, entity.api
    rt.lists.related_scopes.update(runtime.related_scopes)
    routes = entity.routes or ()
    item = item_path(api.path, item_siblings(routes, api.path))
    endpoints = _own_endpoints(runtime, rt, db, runtime.related_scopes)
    for route in routes:
        if route.relation is None:
            make, operation = endpoints[route.action]
            path = item if route.path == f"{api.path}/{KEY}" else route.path
            upsert = entity.name if (route.action in tables.UPSERT_ACTIONS
                                     and contract.upserts(entity)) else None
            _add(app, path, route.method, make(), route.operation_id,
                 [(entity.name, operation)], upsert)


def add_relation_routes(app: FastAPI, ir: IR, runtime: Runtime, entity: Entity) -> None:
    """The routes under the entity's relations, as the IR records them."""
    links: dict[str, relations.Link] = {}
    for route in entity.routes or ():
        if route.relation is None:
            continue
        if route.relation not in links:
            links[route.relation] = relations.build_link(
                ir, runtime, entity, entity.relation(route.relation))
        _add_relation(app, runtime, entity, route, links[route.relation])


def _add_relation(app: FastAPI, runtime: Runtime, entity: Entity, route: Route,
                  link: relations.Link) -> None:
    db, owner, other = runtime.database, entity.name, link.target.entity.name
    endpoints: dict[str, tuple[Make, Sequence[auth.Need]]] = {
        "readRelated": (lambda: relations.to_one_endpoint(link, db),
                        [(owner, "read"), (other, "read")]),
        "listRelated": (lambda: relations.to_many_endpoint(link, db, runtime.related_scopes),
                        [(owner, "read"), (other, "list")]),
        "createRelated": (lambda: relations.create_related_endpoint(link, db, runtime.nested),
                          [(owner, "read"), (other, "create")]),
        "link": (lambda: relations.link_endpoint(link, db, unlink=False),
                 [(owner, "update"), (other, "read")]),
        "unlink": (lambda: relations.link_endpoint(link, db, unlink=True),
                   [(owner, "update"), (other, "read")]),
    }
    make, needs = endpoints[route.action]
    _add(app, route.path, route.method, make(), route.operation_id, needs)

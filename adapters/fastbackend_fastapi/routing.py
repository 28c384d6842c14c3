"""Registers every generated route on the app, per the IR's paths and operations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.convertors import Convertor, register_url_convertor

from fastbackend_fastapi import auth
from fastbackend_fastapi.routes import collection, relations
from fastbackend_fastapi.routes import item as items
from fastbackend_fastapi.runtime import Runtime
from fastbackend_ir import IR, Entity

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


def _add(app: FastAPI, path: str, method: str, endpoint: Endpoint, operation_id: str,
         needs: Sequence[auth.Need] = ()) -> None:
    """A plain Starlette route, hidden from FastAPI's document: the emitter documents it
    (openapi.py says why).

    ``needs`` (entity, operation) say whose auth dependencies and row scope the route runs.
    """
    guard: auth.Guard | None = getattr(app.state, "guard", None)
    if guard is not None:
        endpoint = guard.wrap(endpoint, path, needs)
        guard.needs[(path, method)] = tuple(needs)  # an @override of it keeps its checks
    app.router.add_route(path, endpoint, methods=[method], name=operation_id,
                         include_in_schema=False)


def add_entity_routes(app: FastAPI, runtime: Runtime, entity: Entity) -> None:
    rt, db, api = runtime.entity(entity.name), runtime.database, entity.api
    rt.lists.related_scopes.update(runtime.related_scopes)
    operations = set(api.operations)
    reserved = (*(("query",) if "list" in operations else ()),
                *((collection.BULK,) if "create" in operations else ()))
    item = item_path(api.path, reserved)
    table: list[tuple[str, str, str, Callable[[], Endpoint], str]] = [
        ("list", api.path, "GET", lambda: collection.list_endpoint(rt, db), f"list{api.plural}"),
        ("create", api.path, "POST", lambda: collection.create_endpoint(rt, db),
         f"create{api.singular}"),
        ("list", f"{api.path}/query", "POST", lambda: collection.query_endpoint(rt, db),
         f"query{api.plural}"),
        ("create", collection.bulk_path(rt), "POST",
         lambda: collection.create_endpoint(rt, db, bulk=True), f"bulkCreate{api.plural}"),
        ("read", item, "GET", lambda: items.read_endpoint(rt, db), f"get{api.singular}"),
        ("update", item, "PATCH", lambda: items.update_endpoint(rt, db, replace=False),
         f"update{api.singular}"),
        ("replace", item, "PUT", lambda: items.update_endpoint(rt, db, replace=True),
         f"replace{api.singular}"),
        ("delete", item, "DELETE", lambda: items.delete_endpoint(rt, db),
         f"delete{api.singular}"),
    ]
    for operation, path, method, make, operation_id in table:
        if operation in operations:
            _add(app, path, method, make(), operation_id, [(entity.name, operation)])


def add_relation_routes(app: FastAPI, ir: IR, runtime: Runtime, entity: Entity) -> None:
    if "read" not in entity.api.operations:
        return
    for relation in entity.relations:
        target = ir.entity(relation.target)
        if not target.api.operations:
            continue  # the target is not exposed
        link = relations.build_link(ir, runtime, entity, relation)
        _add_relation(app, runtime, entity, link)


def _add_relation(app: FastAPI, runtime: Runtime, entity: Entity, link: relations.Link) -> None:
    db, api, relation = runtime.database, entity.api, link.relation
    path = f"{api.path}/{{key}}/{relation.path}"
    suffix = f"{api.singular}{relation.name[:1].upper()}{relation.name[1:]}"
    owner, other = entity.name, link.target.entity.name
    if not relation.to_many:
        _add(app, path, "GET", relations.to_one_endpoint(link, db), f"get{suffix}",
             [(owner, "read"), (other, "read")])
        return
    listed = relations.to_many_endpoint(link, db, runtime.related_scopes)
    _add(app, path, "GET", listed, f"list{suffix}", [(owner, "read"), (other, "list")])
    if "create" in link.target.entity.api.operations and link.child_schemas is not None:
        _add(app, path, "POST", relations.create_related_endpoint(link, db), f"create{suffix}",
             [(owner, "read"), (other, "create")])
    if relation.kind == "manyToMany":
        link_path = f"{path}/{{target_key}}"
        needs = [(owner, "update"), (other, "read")]
        _add(app, link_path, "PUT", relations.link_endpoint(link, db, unlink=False),
             f"link{suffix}", needs)
        _add(app, link_path, "DELETE", relations.link_endpoint(link, db, unlink=True),
             f"unlink{suffix}", needs)

"""Which route a request is for, before the router runs: its template (`/posts/{key}`), never
the raw path, so metrics and limits have one series per route, and the entity and operation
the route serves (from the routes the IR records)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from fastbackend_contract.tables import traced_operation
from fastbackend_fastapi.dispatch import RouteIndex
from fastbackend_ir import IR

# Scope keys the outermost middleware fills (requests.py) for what runs inside it (tracing).
ROUTE_KEY = "fastbackend.route"
REQUEST_ID_KEY = "fastbackend.request_id"
UNMATCHED = "unmatched"  # no route: one series for every unknown path (no unbounded labels)
CONVERTOR = re.compile(r"\{(\w+):[^}]+\}")  # `{key:key_not_query}`: the template is `{key}`


@dataclass(frozen=True)
class RouteInfo:
    template: str
    name: str | None = None
    entity: str | None = None
    operation: str | None = None


def operations(ir: IR) -> dict[str, tuple[str, str]]:
    """Operation id -> (entity, operation) for every route ``ir`` records (the runtime names
    each route by its recorded operation id: routing.py)."""
    found: dict[str, tuple[str, str]] = {}
    for entity in ir.entities.values():
        for route in entity.routes or ():
            found[route.operation_id] = (entity.name,
                                         traced_operation(route.action, route.relation))
    return found


def match(routes: list[BaseRoute], scope: Scope, known: dict[str, tuple[str, str]],
          index: RouteIndex | None = None) -> RouteInfo:
    """The first route that takes the whole request, else one whose path matched (a 405).
    With the app's route index (dispatch.py), a route that matches fully is found among the
    few that can; only the rest (404s, 405s) try every route."""
    if index is not None and (route := index.matching_route(scope)) is not None:
        return _info(route, known)
    partial: BaseRoute | None = None
    for route in routes:
        found, _ = route.matches(scope)
        if found == Match.FULL:
            return _info(route, known)
        if found == Match.PARTIAL and partial is None:
            partial = route
    return _info(partial, known) if partial is not None else RouteInfo(UNMATCHED)


@lru_cache(maxsize=1024)
def template_of(path: str) -> str:
    return CONVERTOR.sub(r"{\1}", path)


def _info(route: BaseRoute, known: dict[str, tuple[str, str]]) -> RouteInfo:
    template = template_of(getattr(route, "path", None) or UNMATCHED)
    name = getattr(route, "name", None)
    entity, operation = known.get(name or "", (None, None))
    return RouteInfo(template, name, entity, operation)

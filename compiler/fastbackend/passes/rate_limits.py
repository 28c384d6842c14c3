"""Per-route rate-limit policies, decided once: fastbackend.yaml's
`operations.rate_limit.routes` onto the routes the contract records (IR 1.8, `rateLimit`).

    operations:
      rate_limit:
        routes:
          "POST /posts": {requests: 10, window_seconds: 60}

Both servers read a route's policy from its record and name its `RateLimit-Policy` by the
route (`"POST /posts"`). A key that names no route of the API is FB411
at the key: a typo would otherwise leave the route on the default policy, silently. Runs after
the contract pass, which decides the routes.
"""

from __future__ import annotations

from dataclasses import replace

from fastbackend import config
from fastbackend.config import ROUTES_PATH, Document
from fastbackend_ir import IR, RateLimit


def apply(ir: IR, document: Document) -> IR:
    policies = config.rate_limit_routes(document)
    if not policies:
        return ir
    served = {f"{route.method} {route.path}" for entity in ir.entities.values()
              for route in entity.routes or ()}
    by_route = {}
    for name, policy in policies.items():
        route = f"{policy.method} {policy.path}"
        if route not in served or route in by_route:
            problem = ("names the same route as another key" if route in by_route else
                       "is no route of the API (generated routes only, as the OpenAPI "
                       "document writes them: 'POST /posts', 'GET /posts/{key}')")
            raise document.error((*ROUTES_PATH, name), "FB411", f"{name!r} {problem}",
                                 at_key=True)
        by_route[route] = RateLimit(policy.requests, policy.window_seconds)
    entities = {
        entity_name: replace(entity, routes=tuple(
            replace(route, rate_limit=by_route.get(f"{route.method} {route.path}"))
            for route in entity.routes or ())) if entity.routes is not None else entity
        for entity_name, entity in ir.entities.items()}
    return replace(ir, entities=entities)

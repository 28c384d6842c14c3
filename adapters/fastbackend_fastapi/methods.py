"""The methods of a path: 405's ``Allow`` header and the answer to OPTIONS.

Each generated route serves one method, so Starlette's own 405 named only the methods of the
first route it tried (``DELETE /posts`` -> ``Allow: GET, HEAD``). Here every route that matches
the path counts, custom routes and overrides included, in one fixed order the Express server
uses too.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import Scope

from fastbackend_fastapi import problems

ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route serves on the request's path, and OPTIONS. A path that a route
    names literally (`/posts/bulk`, `/posts/query`) is that route's only, not also a key of the
    `/posts/{key}` routes: a key that spells `bulk` cannot be addressed (docs/rest-api.md)."""
    matching = [route for route in app.router.routes if getattr(route, "methods", None)
                and route.matches(scope)[0] is not Match.NONE]
    literal = [route for route in matching if "{" not in getattr(route, "path", "{")]
    methods = {"OPTIONS"}
    for route in literal or matching:
        methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods, key=lambda method: (ORDER.index(method) if method in ORDER
                                               else len(ORDER), method))


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    allow = ", ".join(allowed_methods(request.app, request.scope))
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allow})
    problem = problems.Problem(405, "method-not-allowed",
                               f"{request.method} is not allowed here; use {allow}",
                               headers={"Allow": allow})
    return problems.render(problem, request.url.path)


def install(app: FastAPI) -> None:
    app.add_exception_handler(405, _method_not_allowed)

"""Route lookup by the path's first segment and the method, in front of FastAPI's router.

Starlette and FastAPI try every route in order until one matches: each entity adds a dozen
or more routes, so a request for the last entity's rows tried every earlier one's regular
expression first (34 µs of a read by id on the blog's 74 routes, and linear in the entities).

`RouteIndex` gives the same answer with fewer tries. A plain route (Starlette's `Route`,
FastAPI's `APIRoute`) whose path begins with a literal segment (`/posts/{key}`: `posts`) can
only match a path with that first segment, and fully only a method it lists; every other kind
of route (mounts, included routers, a path that begins with a parameter, a route class of
someone else's that may match otherwise) is tried for every request, in its place. The first
route of that subset that matches fully is the first of the whole list that does, since no
route left out could match at all. It is then handled by FastAPI's own router code, given the
one route (so scope, telemetry and form limits are FastAPI's doing). A request that no route
of the subset matches fully (404, 405, another scope type) goes to FastAPI's router as it is.

The index is rebuilt whenever the router's list of routes is not the one it was built from
(compared element by element, by identity: custom routes included later, an override that
replaced a generated route).

A generated endpoint may come with a direct answer (`answer_directly`: a read by id's,
routes/item.py): the index then calls it with the matched scope, as Starlette's `Route.handle`
would call the endpoint, without building a Request or FastAPI's per-request routing work
(the middlewares have run as for every request: their headers are the same). It answers only
when it can give what the endpoint gives, byte for byte (else it returns False and the
request goes the ordinary way), and an exception it raises goes through the app's exception
handlers as one from the endpoint does (`handled`). Only the endpoint object that was marked
has it: an @override, an auth guard's wrapper or a custom route in front is another endpoint,
served the ordinary way; so is a request that FastAPI's own telemetry follows (it records the
route in FastAPI's routing code).
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, APIRouter
from starlette.convertors import FloatConvertor, IntegerConvertor, StringConvertor, UUIDConvertor
from starlette.requests import Request
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

logger = logging.getLogger("fastbackend_fastapi.dispatch")

KEYED_TYPES = (Route, APIRoute)  # their matches() is the path's regex, then the method
# Parameters whose values never hold a slash: `path` (the catch-all) may
SLASHLESS = (StringConvertor, IntegerConvertor, FloatConvertor, UUIDConvertor)
DIRECT = "fastbackend_direct_answer"
# An endpoint's direct answer: True when it answered, False to be served the ordinary way.
DirectAnswer = Callable[[Scope, Receive, Send], Awaitable[bool]]


def answer_directly(endpoint: Callable[..., Any], answer: DirectAnswer) -> None:
    """Gives a generated endpoint a direct answer (module docstring)."""
    setattr(endpoint, DIRECT, answer)


async def handled(error: Exception, scope: Scope, receive: Receive, send: Send) -> None:
    """``error``, raised by a direct answer before it sent anything, answered as Starlette's
    `request_response` answers one raised by an endpoint: by the app's exception handlers,
    else raised on (ServerErrorMiddleware's 500)."""
    async def raising(scope: Scope, receive: Receive, send: Send) -> None:
        raise error

    handling = _handling()
    assert handling is not None  # (`install` checked it is there)
    await handling(raising, Request(scope, receive, send))(scope, receive, send)


def _handling() -> Callable[..., Any] | None:
    """Starlette's `wrap_app_handling_exceptions` (private: `_probe` checks it), or None."""
    try:
        module = importlib.import_module("starlette._exception_handler")
    except ImportError:
        return None
    found: Callable[..., Any] | None = getattr(module, "wrap_app_handling_exceptions", None)
    return found


class _OneRoute:
    """FastAPI's router seen with one route: ``APIRouter.app`` handles it as its own."""

    __slots__ = ("_router", "routes")

    def __init__(self, router: APIRouter, route: BaseRoute) -> None:
        self._router = router
        self.routes = [route]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._router, name)


# (route, its handler, its direct answer, the path it must be, the slashes its path must have)
Candidates = tuple[tuple[BaseRoute, _OneRoute, DirectAnswer | None, str | None, int | None], ...]


class RouteIndex:
    def __init__(self, router: APIRouter, route_path: Callable[[Scope], str]) -> None:
        self.router = router
        self._route_path = route_path  # starlette._utils.get_route_path (`install` checks it)
        self._built_from: list[BaseRoute] = []
        self._by_key: dict[tuple[str, str], Candidates] = {}
        self._segments: frozenset[str] = frozenset()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._first_full(scope) if scope["type"] == "http" else None
        if found is None:
            await self.router.app(scope, receive, send)
            return
        _, handler, answer, child = found
        scope.setdefault("router", self.router)
        if (answer is not None and scope["method"] == "GET"
                and scope.get("fastapi.telemetry") is None):
            scope.update(child)  # (FastAPI's _update_scope: a plain Route's has no own key)
            if await answer(scope, receive, send):
                return
        await APIRouter.app(handler, scope, receive, send)  # type: ignore[arg-type]

    def route_for(self, scope: Scope) -> _OneRoute | None:
        """The route that FastAPI's router would handle ``scope`` with, when one matches
        fully; None otherwise."""
        found = self._first_full(scope)
        return found[1] if found is not None else None

    def matching_route(self, scope: Scope) -> BaseRoute | None:
        """The first of the router's routes that matches ``scope`` fully, or None (what the
        operations' middleware names a request by, before the router runs)."""
        found = self._first_full(scope)
        return found[0] if found is not None else None

    def _first_full(self, scope: Scope
                    ) -> tuple[BaseRoute, _OneRoute, DirectAnswer | None, Scope] | None:
        path = self._route_path(scope)
        segment = path.split("/", 2)[1] if path.startswith("/") else None
        slashes = path.count("/")
        for route, handler, answer, exact, depth in self.candidates(segment, scope["method"]):
            if (exact is not None and exact != path) or (depth is not None and depth != slashes):
                continue  # (what its regular expression would say, for less)
            match, child = route.matches(scope)
            if match is Match.FULL:
                return route, handler, answer, child
        return None

    def candidates(self, segment: str | None, method: str) -> Candidates:
        routes = self.router.routes
        if routes != self._built_from:  # identity first: the same objects compare at once
            self._built_from = list(routes)
            self._by_key = {}
            self._segments = frozenset(filter(None, map(_segment, routes)))
        key = (segment if segment in self._segments else "", method)
        found = self._by_key.get(key)
        if found is None:  # (known segments and a request's method: bounded by the routes)
            if len(self._by_key) > 4 * len(routes) + 64:
                self._by_key.clear()
            found = self._by_key[key] = tuple(
                (route, _OneRoute(self.router, route), _direct(route), *_shape(route))
                for route in self._built_from if _may_match(route, key[0], method))
        return found


def _direct(route: BaseRoute) -> DirectAnswer | None:
    """A plain Starlette route's endpoint's direct answer (`answer_directly`), if it has one."""
    if type(route) is not Route:
        return None
    answer: DirectAnswer | None = getattr(route.endpoint, DIRECT, None)
    return answer


def _shape(route: BaseRoute) -> tuple[str | None, int | None]:
    """What a path must be to match ``route``, known without its regular expression: the
    path itself for a keyed route without parameters, else the number of its slashes when no
    parameter can hold one; None where only the route can tell."""
    if type(route) not in KEYED_TYPES:
        return None, None
    path: str = route.path  # type: ignore[attr-defined]
    convertors = route.param_convertors.values()  # type: ignore[attr-defined]
    if not convertors:
        return path, None
    if all(type(convertor) in SLASHLESS for convertor in convertors):
        return None, path.count("/")
    return None, None


def _segment(route: BaseRoute) -> str | None:
    """The literal first segment of a keyed route's path; None for a route tried always."""
    if type(route) not in KEYED_TYPES:
        return None
    path = route.path  # type: ignore[attr-defined]
    first = path.split("/", 2)[1] if path.startswith("/") else "{"
    return None if "{" in first or not first else first


def _may_match(route: BaseRoute, segment: str, method: str) -> bool:
    literal = _segment(route)
    if literal is None:
        return True
    methods = route.methods  # type: ignore[attr-defined]
    return literal == segment and (not methods or method in methods)


def install(app: FastAPI) -> None:
    """Put the index in front of the app's router, unless the router has its own middleware
    or Starlette's and FastAPI's internals are not the ones the index uses (then the router
    runs as it is; the latter is logged once)."""
    router = app.router
    route_path, reason = _probe()
    if reason is not None:
        if not _WARNED:
            _WARNED.append(reason)
            logger.warning("routes are found by FastAPI's router alone: the installed "
                           "Starlette/FastAPI is not what the route index expects (%s)", reason)
        return
    if router.middleware_stack == router.app:
        router.middleware_stack = RouteIndex(router, route_path)


_WARNED: list[str] = []


def _probe() -> tuple[Callable[[Scope], str], str | None]:
    """Starlette's helper for a request's route path, and why the index cannot be trusted
    with the installed Starlette and FastAPI (their private parts it uses), or None."""
    route_path = getattr(importlib.import_module("starlette._utils"), "get_route_path", None)
    missing = [] if callable(route_path) else ["starlette._utils.get_route_path"]
    handler = vars(APIRouter).get("app")  # FastAPI's own, handed one route (_OneRoute)
    if handler is None or list(inspect.signature(handler).parameters) != [
            "self", "scope", "receive", "send"]:
        missing.append("APIRouter.app(self, scope, receive, send)")
    missing += [f"{kind.__name__}.matches" for kind in KEYED_TYPES
                if not callable(getattr(kind, "matches", None))]
    if not hasattr(Match, "FULL"):
        missing.append("Match.FULL")
    if not callable(_handling()):  # (the direct answers' exceptions: `handled`)
        missing.append("starlette._exception_handler.wrap_app_handling_exceptions")
    return route_path or _no_path, ", ".join(missing) or None


def _no_path(scope: Scope) -> str:
    raise AssertionError("the index is not installed without get_route_path")

"""The outermost middleware: the request id, the route a request is for, rate limits, the
access log and the request metrics, around everything else (error pages included).

It wraps the app's whole middleware stack (``build_middleware_stack``, as the OpenTelemetry
instrumentation does), outside Starlette's ServerErrorMiddleware, so a 500 also carries the id
and is counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastbackend_contract.tables import REQUEST_ID_HEADER
from fastbackend_fastapi import problems
from fastbackend_fastapi.dispatch import RouteIndex
from fastbackend_fastapi.operations import logs, requestid, routes
from fastbackend_fastapi.operations.ratelimit import Limiter
from fastbackend_fastapi.operations.routes import REQUEST_ID_KEY, ROUTE_KEY

HEADER = REQUEST_ID_HEADER.lower().encode("latin-1")
Observe = Callable[[str, str, int, float], None]


@dataclass(frozen=True)
class Features:
    """What each request pays for: only what is switched on."""

    access_log: bool = False
    observe: Observe | None = None
    limiter: Limiter | None = None
    routes_known: bool = False  # tracing needs the route (and its entity) in the scope

    @property
    def needs_route(self) -> bool:
        return (self.access_log or self.observe is not None or self.limiter is not None
                or self.routes_known)


class RequestContext:
    def __init__(self, app: ASGIApp, owner: FastAPI, features: Features,
                 known: dict[str, tuple[str, str]]) -> None:
        self.app, self.owner, self.features, self.known = app, owner, features, known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = requestid.choose(scope.get("headers") or [])
        requestid.use(request_id)
        scope[REQUEST_ID_KEY] = request_id
        router = self.owner.router
        index = router.middleware_stack if isinstance(router.middleware_stack, RouteIndex) else None
        info = (routes.match(router.routes, scope, self.known, index)
                if self.features.needs_route else None)
        scope[ROUTE_KEY] = info
        extra: list[tuple[bytes, bytes]] = [(HEADER, request_id.encode("latin-1"))]
        status = 500  # what the client gets when the app fails before it answers

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        try:
            if info is not None and self.features.limiter is not None:
                decision = await self.features.limiter.decide(scope, scope["method"],
                                                              info.template)
                if decision is not None:
                    extra.extend(decision.headers)
                    if not decision.allowed:
                        await self._refuse(scope, receive, send_with_headers, decision.retry_after)
                        return
            await self.app(scope, receive, send_with_headers)
        finally:
            self._after(scope, info, status, time.perf_counter() - started)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, retry_after: int) -> None:
        problem = problems.Problem(429, "too-many-requests",
                                   f"this client's requests to this route are limited; retry "
                                   f"in {retry_after} s")
        await problems.render(problem, scope["path"])(scope, receive, send)

    def _after(self, scope: Scope, info: routes.RouteInfo | None, status: int,
               seconds: float) -> None:
        template = info.template if info is not None else routes.UNMATCHED
        if self.features.observe is not None:
            self.features.observe(scope["method"], template, status, seconds)
        if self.features.access_log:
            logs.access(scope["method"], scope["path"], template, status, seconds)


def install(app: FastAPI, features: Features, known: dict[str, tuple[str, str]]) -> None:
    """Last of the operations: wraps whatever stack the app (and tracing) builds."""
    inner = app.build_middleware_stack

    def build() -> Any:
        return RequestContext(inner(), app, features, known)

    app.build_middleware_stack = build  # type: ignore[method-assign]

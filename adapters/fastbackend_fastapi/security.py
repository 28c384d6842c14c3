"""HTTP hardening: CORS, limits on the request's size, security headers; all configurable.

The middlewares are pure ASGI (no BaseHTTPMiddleware): they add no task or body copy per
request. RequestLimits looks at what the server already parsed (the request line and headers)
before any route runs: a URL or headers too long, too many query parameters, a path or query
string that is not UTF-8 or holds a NUL byte (PostgreSQL refuses NUL in text), each a 4xx
problem+json. The body limit is checked on Content-Length first, then counted while the body
streams in (a chunked body has no Content-Length), and answers 413 problem+json either way. A
body that does not arrive in full within the body timeout is a 408: a client that opens a
request and never finishes its body no longer holds a connection (and a database-free
coroutine) for ever.
Limits on what a list query may ask for (QueryLimits) are kept on the app for the routes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastbackend_contract import config
from fastbackend_contract.config import Section
from fastbackend_contract.tables import LIMITS
from fastbackend_fastapi.problems import Problem, render
from fastbackend_fastapi.query.limits import DEFAULT_LIMITS, QueryLimits

# The contract's defaults (fastbackend_contract.tables.LIMITS; docs/configuration.md says why
# each): a 1 MiB body is generous for JSON rows and small enough to refuse abuse; 8 KiB of path
# and query string, as nginx's and Apache's request-line limits (longer filters go in the body
# of POST /{resource}/query); 16 KiB of headers, as Node.js's default; 100 query parameters;
# 30 s for a whole body to arrive from its first read (a 1 MiB body needs 35 kB/s; nginx's
# client_body_timeout is 60 s between two reads, which a trickle of one byte a minute passes).
_DEFAULT = {limit.key: limit.default for limit in LIMITS}
DEFAULT_MAX_BODY = _DEFAULT["max_body_bytes"]
DEFAULT_MAX_URL = _DEFAULT["max_url_bytes"]
DEFAULT_MAX_HEADERS = _DEFAULT["max_header_bytes"]
DEFAULT_MAX_PARAMS = _DEFAULT["max_query_params"]
DEFAULT_BODY_TIMEOUT = _DEFAULT["body_timeout_seconds"]
DEFAULT_MAX_BULK_ROWS = int(_DEFAULT["max_bulk_rows"])
DEFAULT_MAX_GROUPS = int(_DEFAULT["max_groups"])
DEFAULT_MAX_NESTED_DEPTH = int(_DEFAULT["max_nested_depth"])
DEFAULT_MAX_BATCH_OPERATIONS = int(_DEFAULT["max_batch_operations"])
DEFAULT_AGGREGATE_TIMEOUT = float(_DEFAULT["aggregate_timeout_seconds"])
# Headers the runtime itself reads: their values must be printable ASCII (ETags, media types).
READ_HEADERS = {b"content-type": "Content-Type", b"if-match": "If-Match",
                b"if-none-match": "If-None-Match"}


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")
    allow_headers: tuple[str, ...] = ("Authorization", "Content-Type", "If-Match",
                                      "If-None-Match", "Prefer")
    expose_headers: tuple[str, ...] = ("ETag", "Location", "Preference-Applied")
    allow_credentials: bool = False
    max_age: int = 600


@dataclass(frozen=True)
class Headers:
    content_type_options: bool = True
    frame_options: str | None = "DENY"
    content_security_policy: str | None = "frame-ancestors 'none'"
    referrer_policy: str | None = "no-referrer"
    hsts_max_age: int | None = None  # seconds; only over HTTPS, so off unless asked for

    def pairs(self) -> list[tuple[bytes, bytes]]:
        found = [("x-content-type-options", "nosniff" if self.content_type_options else None),
                 ("x-frame-options", self.frame_options),
                 ("content-security-policy", self.content_security_policy),
                 ("referrer-policy", self.referrer_policy),
                 ("strict-transport-security",
                  None if self.hsts_max_age is None
                  else f"max-age={self.hsts_max_age}; includeSubDomains")]
        return [(name.encode(), value.encode()) for name, value in found if value]


@dataclass(frozen=True)
class Security:
    cors: Cors | None = None  # None: no CORS headers (same-origin only)
    max_body_bytes: int = DEFAULT_MAX_BODY
    headers: Headers = field(default_factory=Headers)
    max_url_bytes: int = DEFAULT_MAX_URL
    max_header_bytes: int = DEFAULT_MAX_HEADERS
    max_query_params: int = DEFAULT_MAX_PARAMS
    query: QueryLimits = DEFAULT_LIMITS
    body_timeout: float = DEFAULT_BODY_TIMEOUT  # seconds
    max_bulk_rows: int = DEFAULT_MAX_BULK_ROWS  # rows one bulk update or delete may touch
    max_groups: int = DEFAULT_MAX_GROUPS  # groups one aggregate request answers
    max_nested_depth: int = DEFAULT_MAX_NESTED_DEPTH  # relation levels of one nested write
    max_batch_operations: int = DEFAULT_MAX_BATCH_OPERATIONS  # operations of one atomic batch
    aggregate_timeout: float = DEFAULT_AGGREGATE_TIMEOUT  # seconds one aggregate may run


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int, timeout: float = DEFAULT_BODY_TIMEOUT) -> None:
        self.app, self.limit, self.timeout = app, limit, timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, chunked = _body_headers(scope)
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(scope, send)
            return
        if length is None and not chunked and scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)  # no body can follow: nothing to count
            return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count a streamed body; past the limit, drop the app's answer and send a 413; past
        the body timeout, a 408."""
        received, refused, started, complete = 0, False, False, False
        deadline: float | None = None
        timed_out = False
        loop = asyncio.get_running_loop()

        async def counted() -> Message:
            nonlocal received, refused, complete, deadline, timed_out
            if complete:  # after the body, receive() waits for a disconnect: no deadline
                return await receive()
            deadline = deadline if deadline is not None else loop.time() + self.timeout
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0))
            except TimeoutError:
                refused = timed_out = True
                raise _TimedOut from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            received += len(message.get("body", b""))
            if received > self.limit:
                refused = True
                raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if not refused:
                started = True
                await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except Exception:
            # Whatever the app made of the interrupted body (FastAPI turns it into a 400).
            if not refused or started:
                raise
        if refused and not started and timed_out:
            await _answer(Problem(408, "request-timeout",
                                  f"the request body did not arrive within {self.timeout:g} s",
                                  headers={"Connection": "close"}), scope, send)
        elif refused and not started:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        """The body is not read: the connection closes after the answer."""
        problem = Problem(413, "payload-too-large",
                          f"the request body is larger than {self.limit} bytes",
                          headers={"Connection": "close"})
        await _answer(problem, scope, send)


def _body_headers(scope: Scope) -> tuple[bytes | None, bool]:
    length, chunked = None, False
    for name, value in scope["headers"]:
        if name == b"content-length":
            length = value
        elif name == b"transfer-encoding":
            chunked = True
    return length, chunked


class _TooLarge(Exception):
    """Raised from receive() when a streamed body passes the limit."""


class _TimedOut(Exception):
    """Raised from receive() when the body has not arrived by the body timeout."""


class RequestLimits:
    """Refuse what the request line and headers already show to be too big or malformed."""

    def __init__(self, app: ASGIApp, security: Security) -> None:
        self.app, self.security = app, security

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = _check(scope, self.security) if scope["type"] == "http" else None
        if problem is None:
            await self.app(scope, receive, send)
            return
        await _answer(problem, scope, send)


async def _answer(problem: Problem, scope: Scope, send: Send) -> None:
    """The problem as the routes render it; ``instance`` is the path unless it is huge."""
    path = scope["path"]
    if problem.type == "malformed-url":  # the decoded path is not text: the URI as sent (%ff)
        path = (scope.get("raw_path") or b"").decode("latin-1")
    instance = path if len(path) <= 512 else ""
    await render(problem, instance)(scope, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}  # a Response never reads the request


def _check(scope: Scope, security: Security) -> Problem | None:
    path: bytes = scope.get("raw_path") or scope["path"].encode()
    query: bytes = scope["query_string"]
    if len(path) + len(query) > security.max_url_bytes:
        return Problem(414, "url-too-long", f"the URL is longer than {security.max_url_bytes} "
                                            "bytes; send long filters to POST .../query")
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    if sum(len(name) + len(value) for name, value in headers) > security.max_header_bytes:
        return Problem(431, "headers-too-large",
                       f"the headers are longer than {security.max_header_bytes} bytes")
    if sum(1 for part in query.split(b"&") if part) > security.max_query_params:
        return Problem(400, "too-many-parameters",
                       f"more than {security.max_query_params} query parameters")
    for what, raw in (("path", path), ("query string", query.replace(b"+", b" "))):
        message = _malformed(unquote_to_bytes(raw))
        if message is not None:
            return Problem(400, "malformed-url", f"the URL's {what} {message}")
    for name, value in headers:
        if name in READ_HEADERS and not _printable(value):
            return Problem(400, "malformed-header",
                           f"the {READ_HEADERS[name]} header is not printable ASCII")
    return None


def _malformed(decoded: bytes) -> str | None:
    if b"\0" in decoded:
        return "holds a NUL byte (%00)"
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return "is not UTF-8 once percent-decoded"
    return None


def _printable(value: bytes) -> bool:
    return value.isascii() and all(32 <= byte < 127 or byte == 9 for byte in value)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, headers: Headers) -> None:
        self.app, self.pairs = app, headers.pairs()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.pairs:
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.pairs if n not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


def install(app: FastAPI, security: Security) -> None:
    """Outermost first: headers on every answer (4xx refusals and CORS preflights included)."""
    if security.cors is not None:
        cors = security.cors
        app.add_middleware(CORSMiddleware, allow_origins=list(cors.allow_origins),
                           allow_methods=list(cors.allow_methods),
                           allow_headers=list(cors.allow_headers),
                           expose_headers=list(cors.expose_headers),
                           allow_credentials=cors.allow_credentials, max_age=cors.max_age)
    app.add_middleware(BodyLimit, limit=security.max_body_bytes, timeout=security.body_timeout)
    app.add_middleware(RequestLimits, security=security)
    app.add_middleware(SecurityHeaders, headers=security.headers)
    app.state.query_limits = security.query  # read by the list routes (routes/common.py)
    app.state.max_bulk_rows = security.max_bulk_rows  # read by routes/bulk.py
    app.state.max_groups = security.max_groups  # read by routes/aggregates.py
    app.state.max_nested_depth = security.max_nested_depth  # read by routes/nested.py
    app.state.max_batch_operations = security.max_batch_operations  # read by routes/batch.py
    app.state.aggregate_timeout = security.aggregate_timeout


CORS_KEYS = {"allow_origins": "origins", "allow_methods": "methods",
             "allow_headers": "headers", "expose_headers": "headers",
             "allow_credentials": "a boolean", "max_age": "seconds"}
HEADER_KEYS = {"content_type_options": "a boolean", "frame_options": "a string or null",
               "content_security_policy": "a string or null",
               "referrer_policy": "a string or null", "hsts_max_age": "seconds or null"}


@dataclass(frozen=True)
class PageSizes:
    """List pages: rows when no `limit` is given, and the largest `limit`."""

    default: int = _DEFAULT["default_limit"]
    maximum: int = _DEFAULT["max_page_size"]


def from_config(root: Section) -> tuple[Security, PageSizes]:
    """The `cors`, `limits` and `headers` sections of fastbackend.yaml; every limit of the
    contract's table is its environment variable, else the file's value, else its default."""
    limits = config.limits(root.child("limits"))
    query = QueryLimits(**{name: int(limits[name]) for name in QueryLimits.__dataclass_fields__})
    security = Security(
        cors=_cors(root.child("cors")), headers=_headers(root.child("headers")),
        max_body_bytes=int(limits["max_body_bytes"]), max_url_bytes=int(limits["max_url_bytes"]),
        max_header_bytes=int(limits["max_header_bytes"]),
        max_query_params=int(limits["max_query_params"]),
        body_timeout=float(limits["body_timeout_seconds"]), query=query,
        max_bulk_rows=int(limits["max_bulk_rows"]), max_groups=int(limits["max_groups"]),
        max_nested_depth=int(limits["max_nested_depth"]),
        max_batch_operations=int(limits["max_batch_operations"]),
        aggregate_timeout=float(limits["aggregate_timeout_seconds"]))
    return security, PageSizes(int(limits["default_limit"]), int(limits["max_page_size"]))


def _cors(section: Section) -> Cors | None:
    if not section.mapping():
        return None
    section.check_keys(CORS_KEYS)
    default = Cors()
    return Cors(
        allow_origins=section.strings("allow_origins"),
        allow_methods=section.strings("allow_methods", default.allow_methods),
        allow_headers=section.strings("allow_headers", default.allow_headers),
        expose_headers=section.strings("expose_headers", default.expose_headers),
        allow_credentials=section.value("allow_credentials", bool, "true or false", False),
        max_age=section.value("max_age", int, "a number of seconds", default.max_age))


def _headers(section: Section) -> Headers:
    section.check_keys(HEADER_KEYS)
    default = Headers()
    text = (str, type(None))
    return Headers(
        content_type_options=section.value("content_type_options", bool, "true or false", True),
        frame_options=section.value("frame_options", text, "a string or null",
                                    default.frame_options),
        content_security_policy=section.value("content_security_policy", text,
                                              "a string or null",
                                              default.content_security_policy),
        referrer_policy=section.value("referrer_policy", text, "a string or null",
                                      default.referrer_policy),
        hsts_max_age=section.value("hsts_max_age", (int, type(None)), "seconds or null", None))

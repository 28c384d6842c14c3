"""HTTP hardening: CORS, a request body size limit, security headers; all configurable.

Both middlewares are pure ASGI (no BaseHTTPMiddleware): they add no task or body copy per
request. The body limit is checked on Content-Length first, then counted while the body streams
in (a chunked body has no Content-Length), and answers 413 problem+json either way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastbackend_fastapi.config import Section

DEFAULT_MAX_BODY = 1024 * 1024  # 1 MiB: generous for JSON rows, small enough to refuse abuse


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")
    allow_headers: tuple[str, ...] = ("Authorization", "Content-Type", "If-Match",
                                      "If-None-Match")
    expose_headers: tuple[str, ...] = ("ETag", "Location")
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


def _too_large(limit: int) -> bytes:
    return json.dumps({
        "type": "https://fastbackend.dev/problems/payload-too-large",
        "title": "Content Too Large", "status": 413,
        "detail": f"the request body is larger than {limit} bytes"}).encode()


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

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
        """Count a streamed body; past the limit, drop the app's answer and send a 413."""
        received, refused, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, refused
            message = await receive()
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
        if refused and not started:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = _too_large(self.limit)
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


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
    """Outermost first: headers on every answer (413s and CORS preflights included)."""
    if security.cors is not None:
        cors = security.cors
        app.add_middleware(CORSMiddleware, allow_origins=list(cors.allow_origins),
                           allow_methods=list(cors.allow_methods),
                           allow_headers=list(cors.allow_headers),
                           expose_headers=list(cors.expose_headers),
                           allow_credentials=cors.allow_credentials, max_age=cors.max_age)
    app.add_middleware(BodyLimit, limit=security.max_body_bytes)
    app.add_middleware(SecurityHeaders, headers=security.headers)


CORS_KEYS = {"allow_origins": "origins", "allow_methods": "methods",
             "allow_headers": "headers", "expose_headers": "headers",
             "allow_credentials": "a boolean", "max_age": "seconds"}
HEADER_KEYS = {"content_type_options": "a boolean", "frame_options": "a string or null",
               "content_security_policy": "a string or null",
               "referrer_policy": "a string or null", "hsts_max_age": "seconds or null"}


def from_config(root: Section) -> Security:
    """The `cors`, `limits` and `headers` sections of fastbackend.yaml."""
    limits = root.child("limits")
    limits.check_keys({"max_body_bytes": "bytes"})
    max_body = limits.value("max_body_bytes", int, "a number of bytes", DEFAULT_MAX_BODY)
    return Security(cors=_cors(root.child("cors")), max_body_bytes=max_body,
                    headers=_headers(root.child("headers")))


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

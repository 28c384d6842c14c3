"""Rate limits: a token bucket per client and route, in this process or in Redis.

A bucket holds `requests` tokens and refills at `requests / window_seconds` per second; a
request takes one, and a request that finds none gets a 429 problem with `Retry-After`. Every
answer of a limited route carries the IETF draft's fields (draft-ietf-httpapi-ratelimit-headers,
the -09/-10 names): `RateLimit-Policy: "default";q=100;w=60` and `RateLimit: "default";r=99;t=1`
(remaining tokens; seconds until the bucket is full again).

With `storage: redis` every instance takes from the same buckets: one Lua script reads, refills
and takes atomically, on Redis's own clock (TIME), so instances with skewed clocks agree. When
Redis does not answer, requests pass (fail open) and a warning is logged: an outage of the
limiter must not become an outage of the API.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.types import Scope

from fastbackend_contract.ratelimit import TOKEN_BUCKET
from fastbackend_fastapi.operations.config import Operations
from fastbackend_ir import IR, RateLimit

logger = logging.getLogger("fastbackend_fastapi.ratelimit")
MEMORY_BUCKETS = 100_000  # least recently used buckets beyond this are forgotten (a full bucket)
DEFAULT_POLICY = "default"
# Probes and scrapes are never limited: an orchestrator must always see the instance.
EXEMPT = frozenset({"/healthz", "/livez", "/readyz"})


@dataclass(frozen=True)
class Decision:
    allowed: bool
    headers: list[tuple[bytes, bytes]]
    retry_after: int = 0


class Buckets(Protocol):
    async def take(self, key: str, capacity: int, rate: float) -> tuple[bool, float]: ...

    async def close(self) -> None: ...


class MemoryBuckets:
    """One process's buckets (an event loop serves them: no lock is needed)."""

    def __init__(self, size: int = MEMORY_BUCKETS) -> None:
        self.size = size
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def take(self, key: str, capacity: int, rate: float) -> tuple[bool, float]:
        now = time.monotonic()
        tokens, last = self.buckets.pop(key, (float(capacity), now))
        tokens = min(float(capacity), tokens + (now - last) * rate)
        allowed = tokens >= 1
        tokens -= 1 if allowed else 0
        self.buckets[key] = (tokens, now)
        if len(self.buckets) > self.size:
            self.buckets.popitem(last=False)
        return allowed, tokens

    async def close(self) -> None:
        self.buckets.clear()


class RedisBuckets:
    """Buckets in Redis, shared by every instance (redis-py's asyncio client, one script)."""

    def __init__(self, url: str) -> None:
        import redis.asyncio  # only with `storage: redis`

        self.client: Any = redis.asyncio.from_url(url)
        self.script = self.client.register_script(TOKEN_BUCKET)
        self.errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)

    async def take(self, key: str, capacity: int, rate: float) -> tuple[bool, float]:
        try:
            allowed, tokens = await self.script(keys=[key], args=[capacity, repr(rate)])
        except self.errors as error:
            logger.warning("rate limit not applied: Redis did not answer (%s)", error)
            return True, float(capacity)
        return bool(allowed), float(tokens)

    async def close(self) -> None:
        await self.client.aclose()


def route_policies(ir: IR) -> dict[str, RateLimit]:
    """The routes' own buckets, by `METHOD /route/{template}`: what the compiler recorded from
    fastbackend.yaml's `operations.rate_limit.routes` (IR 1.8)."""
    return {f"{route.method} {route.path}": route.rate_limit for entity in ir.entities.values()
            for route in entity.routes or () if route.rate_limit is not None}


class Limiter:
    def __init__(self, config: Operations, buckets: Buckets,
                 routes: Mapping[str, RateLimit] | None = None) -> None:
        self.buckets = buckets
        self.default = RateLimit(config["rate_limit.requests"],
                                 config["rate_limit.window_seconds"])
        self.routes = routes or {}
        self.client = config["rate_limit.client"]
        self.api_key_header = config["rate_limit.api_key_header"].lower().encode("latin-1")
        self.prefix = config["rate_limit.key_prefix"]

    async def decide(self, scope: Scope, method: str, template: str) -> Decision | None:
        """None for a route that is not limited; else whether to serve, with the headers."""
        if template in EXEMPT:
            return None
        route = f"{method} {template}"
        name, policy = ((route, self.routes[route]) if route in self.routes
                        else (DEFAULT_POLICY, self.default))
        rate = policy.requests / policy.window_seconds
        key = f"{self.prefix}:{route}:{client_id(scope, self.client, self.api_key_header)}"
        allowed, tokens = await self.buckets.take(key, policy.requests, rate)
        label = json.dumps(name)  # a structured-field string
        reset = math.ceil((policy.requests - tokens) / rate) if tokens < policy.requests else 0
        headers = [(b"ratelimit-policy",
                    f"{label};q={policy.requests};w={_seconds(policy.window_seconds)}".encode()),
                   (b"ratelimit", f"{label};r={max(0, math.floor(tokens))};t={reset}".encode())]
        if allowed:
            return Decision(True, headers)
        retry_after = max(1, math.ceil((1 - tokens) / rate))
        return Decision(False, [*headers, (b"retry-after", str(retry_after).encode())],
                        retry_after)


def _seconds(window: float) -> str:
    return str(int(window)) if window == int(window) else str(math.ceil(window))


def client_id(scope: Scope, kind: str, api_key_header: bytes) -> str:
    """`ip:…`, `key:…` (a hash: keys are never stored) or `sub:…`; the IP when the request has
    no key or token. The JWT's subject is read, not verified: pair `jwt_subject` with auth that
    refuses bad tokens (a forged subject only gets a bucket of its own, then the 401)."""
    headers = dict(scope.get("headers") or ())
    if kind == "api_key" and headers.get(api_key_header):
        return "key:" + hashlib.sha256(headers[api_key_header]).hexdigest()[:32]
    if kind == "jwt_subject":
        subject = _subject(headers.get(b"authorization", b""))
        if subject is not None:
            return "sub:" + hashlib.sha256(subject.encode()).hexdigest()[:32]
    client = scope.get("client")
    return "ip:" + (client[0] if client else "unknown")


def _subject(authorization: bytes) -> str | None:
    scheme, _, token = authorization.decode("latin-1").partition(" ")
    parts = token.strip().split(".")
    if scheme.lower() != "bearer" or len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    subject = payload.get("sub") if isinstance(payload, dict) else None
    return subject if isinstance(subject, str) and subject else None


def build(config: Operations, ir: IR) -> Limiter:
    storage = config["rate_limit.storage"]
    buckets: Buckets = (RedisBuckets(config["rate_limit.redis_url"]) if storage == "redis"
                        else MemoryBuckets())
    return Limiter(config, buckets, route_policies(ir))

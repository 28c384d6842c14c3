"""The request id: accepted from `X-Request-ID` or a W3C `traceparent`, else generated; echoed
in the response header and in every problem body (problems.render reads ``current``).

The Express server follows the same rule (src/request-id.ts): an `X-Request-ID` of 1 to 128
visible ASCII characters is kept as sent; else the trace id of a valid `traceparent`; else 32
random hex digits.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar

from fastbackend_contract.tables import REQUEST_ID_HEADER

HEADER = REQUEST_ID_HEADER.lower().encode("latin-1")
ACCEPTED = re.compile(r"[\x21-\x7e]{1,128}")
# version 00: 2 hex, trace id (32 hex, not all zero), parent id (16 hex), flags (2 hex)
TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")
_current: ContextVar[str | None] = ContextVar("fastbackend_request_id", default=None)


def current() -> str | None:
    """The id of the request being served (None outside a request)."""
    return _current.get()


def use(request_id: str) -> None:
    """Set for the rest of this request's task (each request is served in its own context)."""
    _current.set(request_id)


def choose(headers: list[tuple[bytes, bytes]]) -> str:
    sent = traceparent = None
    for name, value in headers:
        if name == HEADER and sent is None:
            sent = value.decode("latin-1")
        elif name == b"traceparent" and traceparent is None:
            traceparent = value.decode("latin-1")
    if sent is not None and ACCEPTED.fullmatch(sent):
        return sent
    found = TRACEPARENT.fullmatch(traceparent.strip()) if traceparent is not None else None
    if found is not None and found.group(1) != "0" * 32:
        return found.group(1)
    return os.urandom(16).hex()  # (uuid4().hex costs 4x as much)

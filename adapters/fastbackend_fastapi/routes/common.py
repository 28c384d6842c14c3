"""Helpers shared by the generated routes: bodies in, JSON and problems out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import TypeAdapter, ValidationError
from pydantic_core import from_json

from fastbackend_fastapi import prefer
from fastbackend_fastapi.etags import if_none_match_hits
from fastbackend_fastapi.problems import Problem, from_validation_error
from fastbackend_fastapi.query.limits import DEFAULT_LIMITS, QueryLimits
from fastbackend_fastapi.runtime import EntityRuntime

JSON = "application/json"


def parse_json(body: bytes) -> Any:
    """A JSON body as Python values, or a 400 malformed-json; pydantic-core's parser takes 200
    levels at most, so a deeply nested body is that 400, never a RecursionError."""
    try:
        return from_json(body)
    except ValueError as error:
        raise Problem(400, "malformed-json",
                      f"the request body is not valid JSON: {error}") from None


async def json_body(request: Request) -> bytes:
    """The body of a JSON request; 415 for any other media type, and for none: a body
    without a Content-Type is not known to be JSON (docs/rest-api.md)."""
    header = request.headers.get("content-type")
    if header is None:
        raise Problem(415, "unsupported-media-type",
                      "send the body as application/json: the request has no Content-Type")
    content_type = header.split(";")[0].strip().lower()
    if content_type != JSON and not content_type.endswith("+json"):
        raise Problem(415, "unsupported-media-type",
                      f"send the body as application/json, not {content_type}")
    return await request.body()


def query_limits(request: Request) -> QueryLimits:
    """The app's limits on list queries (fastbackend.yaml's `limits`, set by security.py)."""
    limits = getattr(request.app.state, "query_limits", DEFAULT_LIMITS)
    assert isinstance(limits, QueryLimits)
    return limits


def validate(adapter: TypeAdapter[Any], body: bytes, read_only: frozenset[str],
             prefix: Sequence[str | int] = ()) -> Any:
    try:
        return adapter.validate_json(body)
    except ValidationError as error:
        raise from_validation_error(error, prefix, read_only) from None


def is_array(body: bytes) -> bool:
    return body.lstrip()[:1] == b"["


def json_response(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type=JSON, headers=headers)


def representation_response(request: Request, runtime: EntityRuntime, row: Any,
                            included: bytes | None = None) -> Response:
    """One row read, with its ETag; honours If-None-Match on GET (writes: written_response).
    ``included``: the body with `include=`'s rows (routes/included.py), which the row's own
    ETag does not cover, so If-None-Match is not honoured with it (never a stale 304)."""
    body, etag = runtime.representation.body_and_etag(row)
    headers = {"ETag": etag}
    if included is not None:
        return json_response(included, 200, headers)
    if request.method == "GET" and if_none_match_hits(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return json_response(body, 200, headers)


def written_response(request: Request, runtime: EntityRuntime, row: Any, action: str,
                     status: int = 200, location: str | None = None,
                     included: bytes | None = None) -> Response:
    """One written row: its representation (the default; ``included``: the body with
    `include=`'s rows, routes/included.py), or with `Prefer: return=minimal` the contract's
    status and headers and no body (prefer.py). The ETag is the row's own either way."""
    body, etag = runtime.representation.body_and_etag(row)
    body = body if included is None else included
    headers = {"ETag": etag}
    if location is not None:
        headers["Location"] = location
    if prefer.wants_minimal(request):
        return prefer.minimal_response(request, action, headers)
    return json_response(body, status, {**headers, **prefer.applied(request, action)})


def no_content(request: Request, action: str) -> Response:
    """204 for a write that never has a body (delete, link, unlink)."""
    return Response(status_code=204, headers=prefer.applied(request, action))


def item_path(runtime: EntityRuntime, row: Any) -> str:
    key = runtime.store.key_of(row)
    return f"{runtime.entity.api.path}/{runtime.keys.format(key)}"

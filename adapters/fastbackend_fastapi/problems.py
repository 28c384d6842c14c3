"""RFC 9457 problem details: the one shape of every error response.

Handlers installed here turn FastAPI's own errors (validation, 404, 405) and any unexpected
exception into problem+json as well, so no request ever sees an HTML page or a traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from fastbackend_contract import tables
from fastbackend_fastapi.operations import requestid

MEDIA_TYPE = tables.PROBLEM_MEDIA_TYPE
MAX_LISTED = tables.MAX_LISTED_ERRORS  # listed in one problem; the detail still counts them all
TYPE_BASE = tables.PROBLEM_TYPE_BASE
logger = logging.getLogger("fastbackend_fastapi")

if TYPE_CHECKING:
    # FastAPI only where handlers are installed: the database layer raises these problems, and
    # `fastbackend migrate` imports it without serving anything (FastAPI is ~0.6 s of CPU).
    from fastapi import FastAPI

TITLES = tables.TITLES  # a problem's title is its status's (docs/rest-api.md, "Errors")

# HTTPException statuses -> problem types; auth dependencies raise 401 and 403 this way.
HTTP_KINDS = {401: "unauthorized", 403: "forbidden", 404: "not-found",
              405: "method-not-allowed"}


@dataclass(frozen=True)
class FieldError:
    pointer: str
    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"pointer": self.pointer, "code": self.code, "message": self.message}


@dataclass
class Problem(Exception):
    """Raise anywhere below a route; the handler renders it."""

    status: int
    type: str
    detail: str
    errors: Sequence[FieldError] = field(default_factory=tuple)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.type}: {self.detail}"


def pointer(location: Sequence[str | int]) -> str:
    """An RFC 6901 JSON Pointer for a path into the request body."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in location)
    return "".join("/" + part for part in escaped)


def render(problem: Problem, instance: str) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + problem.type,
        "title": TITLES.get(problem.status, "Error"),
        "status": problem.status,
        "detail": problem.detail,
        "instance": instance,
    }
    if problem.errors:
        body["errors"] = [error.as_json() for error in problem.errors]
    request_id = requestid.current()
    if request_id is not None:  # set by the outermost middleware (operations/requests.py)
        body[tables.REQUEST_ID_FIELD] = request_id
    return Response(json.dumps(body), status_code=problem.status, media_type=MEDIA_TYPE,
                    headers=problem.headers)


def validation_problem(errors: Sequence[FieldError], detail: str | None = None,
                       count: int | None = None) -> Problem:
    """A 422 listing at most MAX_LISTED of the ``count`` errors (default: all of ``errors``)."""
    count = len(errors) if count is None else count
    if detail is None:
        detail = f"{count} field{'s' if count != 1 else ''} did not validate"
        if count > MAX_LISTED:
            detail += f" (the first {MAX_LISTED} are listed)"
    return Problem(422, "validation-error", detail, errors[:MAX_LISTED])


def from_validation_error(error: ValidationError, prefix: Sequence[str | int] = (),
                          read_only: frozenset[str] = frozenset()) -> Problem:
    """pydantic errors -> a 422 with a pointer per field, or a 400 for malformed JSON."""
    details = error.errors(include_url=False, include_context=False, include_input=False)
    if any(item["type"] == "json_invalid" for item in details):
        message = next(item["msg"] for item in details if item["type"] == "json_invalid")
        return Problem(400, "malformed-json", f"the request body is not valid JSON: {message}")
    listed = [_field_error(item, prefix, read_only) for item in details[:MAX_LISTED]]
    return validation_problem(listed, count=len(details))


def _field_error(item: Any, prefix: Sequence[str | int], read_only: frozenset[str]) -> FieldError:
    location = [*prefix, *item["loc"]]
    name = location[-1] if location else ""
    if item["type"] == "extra_forbidden" and name in read_only:
        return FieldError(pointer(location), "read_only", f"{name} is read-only")
    if item["type"] == "extra_forbidden":
        return FieldError(pointer(location), "unknown_field", f"{name} is not a known field")
    return FieldError(pointer(location), item["type"], item["msg"])


async def _problem_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return render(exc, request.url.path)


async def _request_validation_handler(request: Request, exc: Exception) -> Response:
    from fastapi.exceptions import RequestValidationError

    assert isinstance(exc, RequestValidationError)
    errors = []
    for item in exc.errors():
        if item.get("type") == "json_invalid":
            problem = Problem(400, "malformed-json", "the request body is not valid JSON")
            return render(problem, request.url.path)
        location = list(item.get("loc", ()))
        errors.append(FieldError(pointer(location), str(item.get("type")), str(item.get("msg"))))
    return render(validation_problem(errors), request.url.path)


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    kind = HTTP_KINDS.get(exc.status_code, "http-error")
    detail = str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":  # Starlette's: no route has this path
        detail = f"no route for {request.method} {request.url.path}"
    problem = Problem(exc.status_code, kind, detail, headers=dict(exc.headers or {}))
    return render(problem, request.url.path)


async def _client_disconnect_handler(request: Request, exc: Exception) -> Response:
    """The client went away before its body arrived: nothing failed here, and nobody reads the
    answer. One line at info, no traceback (it was logged as an unexpected error)."""
    logger.info("client disconnected before sending the whole body of %s %s",
                request.method, request.url.path)
    return render(Problem(400, "client-disconnected", "the client disconnected"),
                  request.url.path)


async def _unexpected_handler(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    problem = Problem(500, "internal-error", "the server failed to handle this request")
    return render(problem, request.url.path)


def install(app: FastAPI) -> None:
    from fastapi.exceptions import RequestValidationError

    app.add_exception_handler(Problem, _problem_handler)
    app.add_exception_handler(RequestValidationError, _request_validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(ClientDisconnect, _client_disconnect_handler)
    app.add_exception_handler(Exception, _unexpected_handler)

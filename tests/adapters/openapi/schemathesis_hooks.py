"""schemathesis hooks for test_schemathesis_cli.py: the failures that are not the server's fault.

Loaded by the CLI with ``SCHEMATHESIS_HOOKS=tests.adapters.openapi.schemathesis_hooks``.
``positive_data_acceptance`` (ST202, "schema-valid request rejected") has false positives, and
each excuse below drops one exact shape of it, for a reason no OpenAPI document can state
(docs/openapi.md, "Checked against the live runtime"); so has ``negative_data_rejection``
(ST201) in one shape: a URL past the runtime's length limit is refused with 414, which that
check's list of rejections lacks. Every other check, and every other
refusal of a schema-valid request, still fails the run; schemathesis counts the dropped ones in
its summary ("dropped by `filter_failure`").
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from typing import Any

import schemathesis
from jsonschema import Draft202012Validator
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.openapi.checks import RejectedPositiveData


def _problem(response: Any) -> dict[str, Any]:
    try:
        body = json.loads(response.content or b"")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _parameter(case: Any, name: str) -> Any:
    """The value sent for list parameter ``name``, in the query string or a /query body."""
    if case.query and name in case.query:
        return case.query[name]
    if isinstance(case.body, dict) and name in case.body:
        return case.body[name]
    return None


# The runtime names the parameter with Python's repr: 'where at /AND/0', or "where at /x'"
# when the name holds a single quote.
NAMED = re.compile(r"""query parameter ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")


def _named(response: Any) -> str | None:
    """The parameter a 400 names (``where``, or ``where at /AND/0`` inside it)."""
    match = NAMED.match(str(_problem(response).get("detail", "")))
    if response.status_code != 400 or match is None:
        return None
    name = ast.literal_eval(match.group(1))
    return name if isinstance(name, str) else None


def _refuses(response: Any, parameter: str, reason: str = "") -> bool:
    """A 400 naming ``parameter`` (or a place inside it), whose detail says ``reason``."""
    name = _named(response)
    named = name is not None and (name == parameter or name.startswith(f"{parameter} at "))
    return named and reason in str(_problem(response).get("detail", ""))


def missing_reference(case: Any, response: Any) -> bool:
    """422 whose every error is a foreign key to a row that does not exist: the document types
    `post_id`, it cannot say which ids exist (docs/rest-api.md: 422, code `foreign_key`)."""
    errors = _problem(response).get("errors") or []
    return response.status_code == 422 and bool(errors) and all(
        isinstance(error, dict) and error.get("code") == "foreign_key" for error in errors)


def stale_precondition(case: Any, response: Any) -> bool:
    """412 to a generated If-Match: only the row's current ETag matches, which no schema knows."""
    headers = {name.lower() for name in (case.headers or {})}
    return response.status_code == 412 and "if-match" in headers


def foreign_cursor(case: Any, response: Any) -> bool:
    """400 on `cursor`: a cursor is an opaque, signed token the server issued (`next_cursor`),
    and comes without `offset` (its description says so; a parameter list cannot)."""
    return _parameter(case, "cursor") is not None and _refuses(response, "cursor")


def repeated_sort_key(case: Any, response: Any) -> bool:
    """400 on a `sort` naming a field twice (`id,-id` is ambiguous): its pattern lists the
    names, a regular expression cannot forbid repeating one."""
    return _parameter(case, "sort") is not None and _refuses(response, "sort", "appears twice")


def where_text_outside_its_schema(case: Any, response: Any) -> bool:
    """400 on `where=` text that is not JSON valid against the parameter's `contentSchema`:
    JSON Schema makes `contentMediaType`/`contentSchema` annotations, and schemathesis
    generates any string. A `where` that is valid against it and still refused fails."""
    text = (case.query or {}).get("where")
    if text is None or not _refuses(response, "where"):
        return False
    try:
        document = json.loads(text)
    except ValueError:
        return True
    return not _content_validator(case).is_valid(document)


def inside_a_nested_where(case: Any, response: Any) -> bool:
    """400 on `where` content nested in AND / OR / NOT or a relation filter: the document types
    those as objects only (a typed recursive schema stalls schemathesis' generators,
    fastbackend_openapi/where.py), the servers check them. The pointer says where: errors
    of the top level (`/title/contains`) still fail."""
    name = _named(response) or ""
    if not name.startswith("where at /"):
        return False
    segments = name.removeprefix("where at /").split("/")
    return len(segments) >= 3 or (len(segments) == 2 and segments[0] in ("AND", "OR", "NOT"))


def bulk_write_without_a_filter(case: Any, response: Any) -> bool:
    """400 `filter-required` to a PATCH or DELETE by filter that names no filter and not
    `all=true`: a safety refusal (docs/rest-api.md, "Bulk update and delete by filter") that
    needs "at least one of these parameters", which an OpenAPI parameter list cannot state.
    Only the request that really names none is excused."""
    type_ = str(_problem(response).get("type", ""))
    query = case.query or {}
    named = any(name not in ("all", "where") for name in query) or query.get("where") not in (
        None, "{}")
    return (response.status_code == 400 and type_.endswith("/filter-required")
            and not named and str(query.get("all", "false")).lower() != "true")


def _content_validator(case: Any) -> Draft202012Validator:
    raw = case.operation.schema.raw_schema
    for parameter in case.operation.definition.raw.get("parameters", []):
        if "$ref" in parameter:
            parameter = raw["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        if parameter.get("name") == "where":
            content = parameter["schema"]["contentSchema"]
            return Draft202012Validator({**content, "components": raw["components"]})
    raise AssertionError(f"{case.operation.label} sends `where` but documents none")


EXCUSES: tuple[Callable[[Any, Any], bool], ...] = (
    missing_reference, stale_precondition, foreign_cursor, repeated_sort_key,
    where_text_outside_its_schema, inside_a_nested_where, bulk_write_without_a_filter)


def url_too_long(response: Any) -> bool:
    """A URL longer than the runtime's limit (docs/rest-api.md, url-too-long) is refused for its
    length before any parameter is read: RFC 9110's 414, a rejection the check does not list."""
    return (response.status_code == 414
            and str(_problem(response).get("type", "")).endswith("/url-too-long"))


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but a positive_data_acceptance one that an excuse explains and a
    negative_data_rejection one answered 414 for the URL's length."""
    if isinstance(failure, AcceptedNegativeData):
        return not url_too_long(response)
    if not isinstance(failure, RejectedPositiveData):
        return True
    return not any(excuse(case, response) for excuse in EXCUSES)

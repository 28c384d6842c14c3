"""Responses: every status code the runtime returns for each kind of operation, with its body.

The statuses are the runtime's (docs/rest-api.md, "Errors"); each problem is a reusable
response in ``components.responses``, each header one in ``components.headers``.
"""

from __future__ import annotations

from typing import Any

from fastbackend_contract import tables
from fastbackend_ir import IR, Entity
from fastbackend_openapi import names

Response = dict[str, Any]
PROBLEM_MEDIA_TYPE = tables.PROBLEM_MEDIA_TYPE
JSON = "application/json"
RESPONSE_REF = "#/components/responses/{name}"
HEADER_REF = "#/components/headers/{name}"

# status -> (component name, description)
PROBLEMS: dict[str, tuple[str, str]] = {
    "401": ("Unauthorized", "credentials are missing or wrong (an auth dependency refused)"),
    "403": ("Forbidden", "these credentials may not do this (an auth dependency refused)"),
    "400": ("BadRequest", "malformed JSON, or a bad list parameter (named in `detail`)"),
    "404": ("NotFound", "no row for the key (or the key cannot name one), or no related row"),
    "409": ("Conflict", "a unique constraint, dependent rows, or another refusal by the database"),
    "412": ("PreconditionFailed", "If-Match does not match the row's ETag"),
    "413": ("ContentTooLarge", "the body is larger than the server's limit"),
    "415": ("UnsupportedMediaType", "the body is not application/json"),
    "422": ("ValidationFailed", "the body failed validation: one error per field, with a "
                                "JSON Pointer; or a foreign key to a missing row"),
    "503": ("Unavailable", "the database is busy or unavailable; retry after `Retry-After`"),
}

# Problem type slug -> its status (the contract's catalogue).
STATUSES: dict[str, int] = {problem.slug: problem.status for problem in tables.PROBLEMS}


GUARDED = ("401", "403")
CLIENT_PROBLEMS = "a problem (RFC 9457; `type` names it): " + "; ".join(
    f"{status} {description}" for status, (_, description) in sorted(PROBLEMS.items())
    if status.startswith("4")) + ("; 429 too many requests, when the server limits rates "
                                  "(with `Retry-After`, `RateLimit` and `RateLimit-Policy`)")


def response_ref(name: str) -> Response:
    return {"$ref": RESPONSE_REF.format(name=name)}


def header_ref(name: str) -> dict[str, str]:
    return {"$ref": HEADER_REF.format(name=name)}


CLIENT_ERROR = "ClientError"


def problems(slugs: tuple[str, ...]) -> dict[str, Response]:
    """The problem responses of an operation whose route can answer ``slugs`` (the IR records
    them per route), and the database's, which every route can: one shared ``4XX`` (every 4xx
    problem has the same body; docs/openapi.md) and ``503`` (its own header, Retry-After). One
    entry per status made the problem list a sixth of the document; schemathesis still checks
    each status is a 4XX or 503 problem."""
    statuses = {STATUSES[slug] for slug in (*slugs, *tables.DATABASE_PROBLEMS)}
    found = {}
    if any(400 <= status < 500 for status in statuses):
        found["4XX"] = response_ref(CLIENT_ERROR)
    if 503 in statuses:
        found["503"] = response_ref(PROBLEMS["503"][0])
    return found


def _json(schema: dict[str, Any], description: str, media_type: str = JSON,
          headers: dict[str, Any] | None = None) -> Response:
    response: Response = {"description": description}
    if headers:
        response["headers"] = headers
    response["content"] = {media_type: {"schema": schema}}
    return response


APPLIED = tables.PREFERENCE_APPLIED_HEADER


def _row(read: str) -> Response:
    return _json(names.ref(read), "the row",
                 headers={"ETag": header_ref("ETag"), APPLIED: header_ref(APPLIED)})


def _created(read: str) -> Response:
    headers = {"ETag": header_ref("ETag"), "Location": header_ref("Location"),
               APPLIED: header_ref(APPLIED)}
    return _json(names.ref(read), "created: the row", headers=headers)


def _created_many(read: str) -> Response:
    return _json({"type": "array", "items": names.ref(read)},
                 "created: the rows, in order",
                 headers={APPLIED: header_ref(APPLIED)})


def minimal(answer: tables.MinimalAnswer) -> Response:
    """A write's answer to `Prefer: return=minimal` where its status differs from the route's
    (a create's or an update's 204): no body, the headers the contract keeps."""
    headers = {name: header_ref(name) for name in (*answer.headers, APPLIED)}
    return {"description": "done, no body (`Prefer: return=minimal`)", "headers": headers}


def _changed(read: str) -> Response:
    schema = {"type": "object", "required": ["count"], "additionalProperties": False,
              "properties": {"count": {"type": "integer", "minimum": 0},
                             "data": {"type": "array", "items": names.ref(read)}}}
    return _json(schema, "the number of rows changed; with `Prefer: return=representation`, "
                         "the rows too (`data`, in key order)",
                 headers={APPLIED: header_ref(APPLIED)})


def _page(entity: Entity) -> Response:
    return _json(names.ref(names.page(entity)), "a page of rows",
                 headers={APPLIED: header_ref(APPLIED)})


def entity_responses(entity: Entity) -> dict[str, Response]:
    """An entity's success answers, defined once and referenced by every route giving one."""
    read = names.read(entity)
    return {row_name(entity): _row(read), created_name(entity): _created(read),
            created_many_name(entity): _created_many(read), page_name(entity): _page(entity),
            changed_name(entity): _changed(read)}


def changed_name(entity: Entity) -> str:
    return f"{entity.api.plural}Changed"


def changed(entity: Entity) -> Response:
    return response_ref(changed_name(entity))


def row_name(entity: Entity) -> str:
    return f"{entity.api.singular}Row"


def created_name(entity: Entity) -> str:
    return f"{entity.api.singular}Created"


def created_many_name(entity: Entity) -> str:
    return f"{entity.api.plural}Created"


def page_name(entity: Entity) -> str:
    return f"{entity.api.plural}Page"


def row(entity: Entity) -> Response:
    return response_ref(row_name(entity))


def created(entity: Entity) -> Response:
    return response_ref(created_name(entity))


def created_many(entity: Entity) -> Response:
    return response_ref(created_many_name(entity))


def page(entity: Entity) -> Response:
    return response_ref(page_name(entity))


PLAIN: dict[str, Response] = {
    "NotModified": {"description": "not modified (If-None-Match matched)",
                    "headers": {"ETag": header_ref("ETag")}},
    "NoContent": {"description": "done; no body",
                  "headers": {APPLIED: header_ref(APPLIED)}},
}
NOT_MODIFIED = response_ref("NotModified")
NO_CONTENT = response_ref("NoContent")



def components(ir: IR) -> tuple[dict[str, Response], dict[str, Any]]:
    """``components.responses`` and ``components.headers``."""
    retry = {"Retry-After": header_ref("Retry-After")}
    found = {name: _json(names.ref(names.PROBLEM), description, PROBLEM_MEDIA_TYPE,
                         retry if status == "503" else None)
             for status, (name, description) in PROBLEMS.items()}
    headers = {
        "ETag": {"description": "a strong tag of the row's content, for If-Match / If-None-Match",
                 "schema": {"type": "string"}},
        "Location": {"description": "the created row's URL",
                     "schema": {"type": "string"}},
        APPLIED: {"description": "the preferences of `Prefer` the server honoured "
                           "(`return=minimal`, `return=representation`; on lists "
                           "`count=<method>`, the method that counted)",
                   "schema": {"type": "string"}},
        "Retry-After": {"description": "seconds to wait before retrying", "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9]+$"}},
    }
    found[CLIENT_ERROR] = _json(names.ref(names.PROBLEM), CLIENT_PROBLEMS, PROBLEM_MEDIA_TYPE)
    found.update(PLAIN)
    for entity in ir.entities.values():
        if entity.api.operations:
            found.update(entity_responses(entity))
    return dict(sorted(found.items())), headers

"""Path and header parameters, and the list parameters every entity shares (paging).

The per-entity list parameters (filters, where, sort, fields, include) are in listing.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastbackend_contract import scalars, tables
from fastbackend_contract.tables import LIMITS
from fastbackend_ir import IR, Entity
from fastbackend_openapi import jsontypes

Parameter = dict[str, Any]
INT64_MAX = scalars.INT64[1]
PARAMETER_REF = "#/components/parameters/{name}"
_COMPONENT_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_PAGE_SIZES = {limit.key: int(limit.default) for limit in LIMITS}


@dataclass(frozen=True)
class Limits:
    """The server's page sizes: the contract's limits default_limit and max_page_size; and
    the operations one atomic batch may carry (max_batch_operations)."""

    default: int = _PAGE_SIZES["default_limit"]
    maximum: int = _PAGE_SIZES["max_page_size"]
    batch: int = _PAGE_SIZES["max_batch_operations"]


def query(name: str, schema: dict[str, Any], description: str) -> Parameter:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


def parameter_ref(name: str) -> Parameter:
    return {"$ref": PARAMETER_REF.format(name=name)}


def component_name(*parts: str) -> str:
    # Component keys allow only [A-Za-z0-9._-]; field and model names may be any identifier.
    return _COMPONENT_UNSAFE.sub(lambda m: f"_{ord(m.group()):04X}", ".".join(parts))


def paging(limits: Limits) -> dict[str, Parameter]:
    """limit, offset, cursor and count: the same for every list, defined once. Their defaults
    are told, not declared: generators send a declared default with every call, and an
    ``offset`` beside a ``cursor`` is a 400."""
    return {
        "limit": query("limit", {"type": "integer", "minimum": 1, "maximum": limits.maximum},
                       f"rows per page (default {limits.default}; above the maximum: 400)"),
        "offset": query("offset", {"type": "integer", "minimum": 0, "maximum": INT64_MAX},
                        "rows to skip (default 0; not with `cursor`)"),
        # NUL anywhere in a query string is a 400 (malformed-url) on both servers
        "cursor": query("cursor", {"type": "string", "pattern": scalars.NO_NUL},
                        "`meta.next_cursor` of the previous page (not with `offset`)"),
        "count": query("count", {"type": "string", "enum": list(tables.COUNT_METHOD_NAMES)},
                       "how `meta.total` is counted: `exact` (`count(*)`), `planned` (the "
                       "planner's estimate), `estimated` (exact when the estimate is small), "
                       "`none` (null); default `exact` on offset pages, `none` on cursor pages. "
                       "Wins over `Prefer: count=...`"),
    }


BULK_ALL = "BulkAll"


def bulk_all() -> Parameter:
    return query(tables.BULK_ALL_PARAMETER, {"type": "boolean"},
                 "`true` lets a bulk update or delete name no filter (every row); with no "
                 "filter and without it (or `false`), 400 `filter-required`")


def key_schema(ir: IR, entity: Entity) -> dict[str, Any]:
    """A one-field key is typed as its field; a composite key is its parts joined by commas.

    A key of a type the API cannot type (``unsupported``) is the text of the URL segment."""
    if len(entity.api.key) == 1:
        field = entity.field(entity.api.key[0])
        if jsontypes.typed(field):
            return jsontypes.scalar(field, ir)
    return {"type": "string"}


def key_parameter(ir: IR, entity: Entity, name: str = "key") -> Parameter:
    fields = ",".join(entity.api.key)
    return {"name": name, "in": "path", "required": True, "schema": key_schema(ir, entity),
            "description": f"the {entity.name}'s {fields}" + (
                " (comma-separated, in this order)" if len(entity.api.key) > 1 else "")}


def key_ref(entity: Entity, name: str = "key") -> Parameter:
    return parameter_ref(component_name(entity.api.plural, name))


def key_components(ir: IR) -> dict[str, Parameter]:
    """Every exposed entity's key, as `key` (its own URLs) and `target_key` (link routes)."""
    return {component_name(entity.api.plural, name): key_parameter(ir, entity, name)
            for entity in ir.entities.values() if entity.api.operations
            for name in ("key", "target_key")}


def header(name: str, description: str) -> Parameter:
    return {"name": name, "in": "header", "required": False, "description": description,
            "schema": {"type": "string"}}


HEADERS = {
    "If-Match": header("If-Match",
                       "apply only when the row's current ETag is one of these (else 412)"),
    "If-None-Match": header("If-None-Match", "answer 304 without a body when the ETag matches"),
    # RFC 7240; the servers read `return` (fastbackend_contract.tables, "Prefer") and ignore
    # what they do not know, so the value is any text rather than an enum.
    "Prefer": {**header("Prefer", "`return=minimal`: answer without a body (a create keeps "
                                  "`Location` and `ETag`, an update its `ETag`); "
                                  "`return=representation` (the default): the row(s). What was "
                                  "honoured comes back in `Preference-Applied`"),
               "examples": {"minimal": {"value": "return=minimal"},
                            "representation": {"value": "return=representation"}}},
    # A create's, on an entity that upserts: `return` and `resolution` (PostgREST's upsert).
    "PreferUpsert": {**header("Prefer", "`return=minimal`: answer without a body (`Location` "
                                        "and `ETag` kept); `return=representation` (the "
                                        "default): the row(s). `resolution=merge-duplicates`: "
                                        "a row whose `on_conflict` fields another row holds "
                                        "updates that row with the fields sent (200 when no "
                                        "row was created); `resolution=ignore-duplicates`: "
                                        "answers that row as it is. What was honoured comes "
                                        "back in `Preference-Applied`"),
                     "examples": {
                         "minimal": {"value": "return=minimal"},
                         "merge": {"value": f"{tables.RESOLUTION_PREFERENCE}="
                                            f"{tables.MERGE_DUPLICATES}"},
                         "ignore": {"value": f"{tables.RESOLUTION_PREFERENCE}="
                                             f"{tables.IGNORE_DUPLICATES}"}}},
    # A list's `Prefer: count=...` (fastbackend_contract.tables, "Prefer: count").
    "PreferCount": {**header("Prefer", "`count=exact|planned|estimated|none`: how `meta.total` "
                                       "is counted, as the `count` parameter (which wins when "
                                       "both are given). What was honoured comes back in "
                                       "`Preference-Applied` (`count=exact` where the database "
                                       "could not plan)"),
                    "examples": {name: {"value": f"count={name}"}
                                 for name in tables.COUNT_METHOD_NAMES}},
}
IF_MATCH = parameter_ref("If-Match")
IF_NONE_MATCH = parameter_ref("If-None-Match")
PREFER = parameter_ref("Prefer")
PREFER_COUNT = parameter_ref("PreferCount")
PREFER_UPSERT = parameter_ref("PreferUpsert")


def on_conflict(targets: tuple[tuple[str, ...], ...]) -> Parameter:
    """An upsert's target: the primary key (the default) or one unique constraint, as the
    fields comma-separated (fastbackend_ir.contract.conflict_targets)."""
    names = [",".join(fields) for fields in targets]
    return {"name": tables.ON_CONFLICT_PARAMETER, "in": "query", "required": False,
            "description": "with `Prefer: resolution=...`: the fields whose values name the row "
                           "to merge into or keep (the primary key by default; a unique "
                           "constraint's fields in any order)",
            "schema": {"type": "string", "enum": names, "default": names[0]}}

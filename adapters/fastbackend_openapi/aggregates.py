"""The aggregate route (`GET /posts/aggregate`) as an OpenAPI operation: the list's filters,
the aggregate parameters (docs/query-language.md, "Aggregates") with the fields each takes as
the IR records them (`roles.groupable`, `roles.aggregates`), and the groups' answer."""

from __future__ import annotations

import re
from typing import Any

from fastbackend_contract import scalars, tables
from fastbackend_ir import Entity
from fastbackend_ir.contract import roles

Schema = dict[str, Any]


MAX_GROUPS = next(limit.default for limit in tables.LIMITS if limit.key == "max_groups")
COUNTS = ("count", "count_distinct")


def _query(name: str, description: str, schema: Schema, *, listed: bool = False) -> Schema:
    found = {"name": name, "in": "query", "required": False, "description": description,
             "schema": schema}
    return {**found, "style": "form", "explode": False} if listed else found


def _names(names: list[str], *, unique: bool = False) -> Schema:
    """A comma-separated list of these names (`style: form, explode: false`): unique for
    group_by (a field named twice is a 400), not for a function (a repeated field is one)."""
    schema: Schema = {"type": "array", "items": {"enum": names}}
    return {**schema, "uniqueItems": True} if unique else schema


def _one_of(parts: list[str]) -> str:
    return "(" + "|".join(parts) + ")"


def _measures(entity: Entity) -> dict[str, list[str]]:
    """Function -> the fields it takes (`*` first for count)."""
    fields = [f for f in entity.fields if f.roles is not None]
    found = {a.name: [f.name for f in fields if a.name in roles(f).aggregates]
             for a in tables.AGGREGATES}
    found["count"] = [tables.AGGREGATE_ROWS, *found["count"]]
    return found


def _terms(measures: dict[str, list[str]], functions: tuple[str, ...]) -> str | None:
    """A regular expression of `function.field` for these functions, None when none applies."""
    parts = [name + r"\." + _one_of([re.escape(field) for field in fields])
             for name, fields in measures.items() if name in functions and fields]
    return _one_of(parts) if parts else None


def parameters(entity: Entity) -> list[Schema]:
    """group_by, one parameter per function, having, sort, limit, offset, cursor. The schemas name
    the entity's own fields (to-one relation paths such as `author.name` are accepted as
    well, not enumerated); `having` and `sort` are described by patterns of what always
    holds (counts, sums and means compared with numbers; one sort key), empty meaning none."""
    groupable = [f.name for f in entity.fields if f.roles is not None and roles(f).groupable]
    measures = _measures(entity)
    # A parameter no field of the entity takes is left out (an empty `enum` is invalid).
    found = [_query("group_by", "Fields (or to-one relation paths such as `author.name`) to "
                    "group by, comma-separated", _names(groupable, unique=True), listed=True)
             ] if groupable else []
    for aggregate in tables.AGGREGATES:
        if measures[aggregate.name]:
            found.append(_query(aggregate.name, f"{aggregate.meaning}: fields, comma-separated",
                                _names(measures[aggregate.name]), listed=True))
    numeric = _terms(measures, (*COUNTS, "sum", "avg"))
    if numeric is not None:
        term = f"{numeric}__(eq|ne|gt|gte|lt|lte)=-?[0-9]{{1,15}}"
        found.append(_query("having", "Conditions on the groups, ANDed: "
                            "`count.*__gte=2,sum.views__gt=100` (min and max too, with a value "
                            "of the field)", {"type": "string", "pattern": f"^({term}(,{term})*)?$"}))
    every = _terms(measures, tuple(measures))
    if every is not None:
        found.append(_query("sort", "The order of the groups: aggregates and group_by "
                            "entries, comma-separated, `-` descending (default: the group_by "
                            "entries)", {"type": "string", "pattern": f"^(-?{every})?$"}))
    if entity.search is not None:  # IR 1.4: the list's full-text search, as a filter
        searched = ", ".join(f"`{name}`" for name in entity.search.fields)
        found.append(_query("search", f"full-text search in {searched} (the list's syntax): "
                            "aggregate only the matching rows, ANDed with the filters",
                            {"type": "string", "minLength": 1, "pattern": scalars.NO_NUL}))
    found.append(_query("limit", f"Groups to answer, at most limits.max_groups ({MAX_GROUPS}); "
                        "without it, more groups than that is a 400 too-many-groups",
                        {"type": "integer", "minimum": 1, "maximum": MAX_GROUPS}))
    found.append(_query("offset", "Groups to skip (not with `cursor`)",
                        {"type": "integer", "minimum": 0, "maximum": 2**53 - 1}))
    if groupable:
        found.append(_query("cursor", "`meta.next_cursor` of the previous page of groups: the "
                            "same filters, group_by, having, sort and search, a `limit`, no "
                            "`offset`", {"type": "string", "pattern": scalars.NO_NUL}))
    return found


def _values() -> Schema:
    return {"type": "object", "additionalProperties": {}}


def answer() -> Schema:
    """`{"data": [{"group": {...}, "count": {"*": n}, "sum": {"views": x}}], "meta": {...}}`."""
    group: Schema = {"type": "object", "properties": {
        "group": {"type": "object", "additionalProperties": {},
                  "description": "each group_by entry's value"},
        **{a.name: {**_values(), "description": f"{a.name} per field: {a.result}"}
           for a in tables.AGGREGATES}}}
    meta: Schema = {"type": "object", "required": ["limit", "offset", "next_cursor"],
                    "properties": {
        "limit": {"type": ["integer", "null"]},
        "offset": {"type": ["integer", "null"], "description": "null on a cursor page"},
        "next_cursor": {"type": ["string", "null"],
                        "description": "send as `cursor` (with the same query) for the next "
                                       "page of groups; null on the last page"}}}
    schema: Schema = {"type": "object", "required": ["data", "meta"], "properties": {
        "data": {"type": "array", "items": group}, "meta": meta}}
    return {"description": "The groups, in the order asked for",
            "content": {"application/json": {"schema": schema}}}

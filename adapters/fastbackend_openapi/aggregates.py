"""The aggregate route (`GET /posts/aggregate`) as an OpenAPI operation: the list's filters,
the aggregate parameters (docs/query-language.md, "Aggregates") with the fields each takes as
the IR records them (`roles.groupable`, `roles.aggregates`), and the groups' answer."""

from __future__ import annotations

from typing import Any

from fastbackend_contract import tables
from fastbackend_ir import Entity
from fastbackend_ir.contract import roles

Schema = dict[str, Any]


def _query(name: str, description: str, schema: Schema | None = None) -> Schema:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def parameters(entity: Entity) -> list[Schema]:
    """group_by, one parameter per function, having, sort, limit, offset; the names each
    takes (to-one relation paths to the target's fields also work, as the runtime checks)."""
    fields = [f for f in entity.fields if f.roles is not None]
    groupable = [f.name for f in fields if roles(f).groupable]
    found = [_query("group_by", "Comma-separated fields (or to-one relation paths such as "
                    "`author.name`) to group by; groupable here: "
                    + (", ".join(groupable) or "none"))]
    for aggregate in tables.AGGREGATES:
        names = [f.name for f in fields if aggregate.name in roles(f).aggregates]
        if aggregate.name == "count":
            names = [tables.AGGREGATE_ROWS, *names]
        found.append(_query(aggregate.name, f"{aggregate.meaning}: comma-separated fields; "
                            f"here: {', '.join(names) or 'none'}"))
    for parameter in tables.AGGREGATE_PARAMETERS:
        if parameter.name == "group_by":
            continue
        schema: Schema = ({"type": "integer", "minimum": 1 if parameter.name == "limit" else 0}
                          if parameter.name in ("limit", "offset") else {"type": "string"})
        found.append(_query(parameter.name, parameter.syntax.replace("`", ""), schema))
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
    meta: Schema = {"type": "object", "required": ["limit", "offset"], "properties": {
        "limit": {"type": ["integer", "null"]}, "offset": {"type": "integer"}}}
    schema: Schema = {"type": "object", "required": ["data", "meta"], "properties": {
        "data": {"type": "array", "items": group}, "meta": meta}}
    return {"description": "The groups, in the order asked for",
            "content": {"application/json": {"schema": schema}}}

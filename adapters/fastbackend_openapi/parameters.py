"""Path, header and list query parameters, typed from the IR.

List parameters follow DESIGN.md's query language: ``field`` and ``field__op`` per operator
valid for the field's type, ``where`` (JSON), ``sort``, ``limit``, ``offset``, ``cursor``,
``count``, ``fields`` and ``include``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastbackend_ir import IR, Entity, Field
from fastbackend_openapi import jsontypes, names
from fastbackend_openapi.components import readable
from fastbackend_openapi.operators import DESCRIPTIONS, operators

Parameter = dict[str, Any]
INT64_MAX = jsontypes.INT64[1]
# List parameters of their own: a field with one of these names is filtered on as `name__eq`.
RESERVED = frozenset({"where", "sort", "limit", "offset", "cursor", "count", "fields", "include"})


@dataclass(frozen=True)
class Limits:
    """The runtime's page sizes (FASTBACKEND_DEFAULT_LIMIT, FASTBACKEND_MAX_LIMIT)."""

    default: int = 50
    maximum: int = 200


def _query(name: str, schema: dict[str, Any], description: str,
           explode: bool | None = None) -> Parameter:
    parameter: Parameter = {"name": name, "in": "query", "required": False,
                            "description": description, "schema": schema}
    if explode is not None:
        parameter.update(style="form", explode=explode)
    return parameter


def key_schema(ir: IR, entity: Entity) -> dict[str, Any]:
    """A one-field key is typed as its field; a composite key is its parts joined by commas."""
    if len(entity.api.key) == 1:
        return jsontypes.scalar(entity.field(entity.api.key[0]), ir)
    return {"type": "string"}


def key_parameter(ir: IR, entity: Entity, name: str = "key") -> Parameter:
    fields = ",".join(entity.api.key)
    return {"name": name, "in": "path", "required": True, "schema": key_schema(ir, entity),
            "description": f"the {entity.name}'s {fields}" + (
                " (comma-separated, in this order)" if len(entity.api.key) > 1 else "")}


def header(name: str, description: str) -> Parameter:
    return {"name": name, "in": "header", "required": False, "description": description,
            "schema": {"type": "string"}}


IF_MATCH = header("If-Match", "apply only when the row's current ETag is one of these (else 412)")
IF_NONE_MATCH = header("If-None-Match", "answer 304 without a body when the ETag matches")


def _filters(ir: IR, field: Field) -> list[Parameter]:
    ops = operators(field)
    if not ops or not jsontypes.exposed(field):
        return []
    value = jsontypes.scalar(field, ir)
    equality = ops and field.name not in RESERVED
    found = [_query(field.name, value, f"{field.name} equal to this")] if equality else []
    for op in ops:
        schema: dict[str, Any] = value
        explode = None
        if op in ("in", "notin"):
            schema, explode = {"type": "array", "items": value, "minItems": 1}, False
        elif op == "isnull":
            schema = {"type": "boolean"}
        found.append(_query(f"{field.name}__{op}", schema, f"{field.name} {DESCRIPTIONS[op]}",
                            explode))
    return found


def _sort(entity: Entity) -> Parameter:
    keys = [f.name for f in entity.fields if operators(f)]
    choices = [form for key in keys for form in (key, f"-{key}")]
    return _query("sort", {"type": "array", "items": {"type": "string", "enum": choices}},
                  "fields to sort on, `-` for descending; the key fields end the order", False)


def _projection(ir: IR, entity: Entity) -> list[Parameter]:
    fields = [f.name for f in entity.fields if readable(f)]
    relations = [r.name for r in entity.relations if ir.entity(r.target).api.operations]
    found = [_query("fields", {"type": "array",
                               "items": {"type": "string", "enum": fields + relations}},
                    "return only these fields; a relation named here is included", False)]
    if relations:
        found.append(_query("include", {"type": "array",
                                        "items": {"type": "string", "enum": relations}},
                            "nest these related rows in each item", False))
    return found


def list_parameters(ir: IR, entity: Entity, limits: Limits) -> list[Parameter]:
    where = {"name": "where", "in": "query", "required": False,
             "description": "a filter in Prisma's `where` shape, as JSON",
             "content": {"application/json": {"schema": names.ref(names.where(entity))}}}
    paging = [
        _query("limit", {"type": "integer", "minimum": 1, "maximum": limits.maximum,
                         "default": limits.default}, "rows per page (above the maximum: 400)"),
        _query("offset", {"type": "integer", "minimum": 0, "maximum": INT64_MAX, "default": 0},
               "rows to skip"),
        _query("cursor", {"type": "string"}, "`meta.next_cursor` of the previous page"),
        _query("count", {"type": "string", "enum": ["exact", "none"], "default": "exact"},
               "`none` skips counting (`meta.total` is null)"),
    ]
    filters = [p for field in entity.fields for p in _filters(ir, field)]
    return [*filters, where, _sort(entity), *paging, *_projection(ir, entity)]


PARAMETER_REF = "#/components/parameters/{name}"
_COMPONENT_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
# Typed the same in a query body as in the query string (the rest are text there too).
BODY_AS_IS = frozenset({"fields", "include", "limit", "offset", "count", "cursor"})


def component_name(entity: Entity, parameter: Parameter) -> str:
    # Component keys allow only [A-Za-z0-9._-]; field names may be any identifier (crème).
    return _COMPONENT_UNSAFE.sub(lambda m: f"_{ord(m.group()):04X}",
                                 f"{entity.api.plural}.{parameter['name']}")


def list_components(ir: IR, entity: Entity, limits: Limits) -> dict[str, Parameter]:
    """The list parameters as reusable components: a collection and every relation route
    listing the same entity refer to one definition."""
    return {component_name(entity, p): p for p in list_parameters(ir, entity, limits)}


def list_refs(ir: IR, entity: Entity, limits: Limits) -> list[Parameter]:
    return [{"$ref": PARAMETER_REF.format(name=name)}
            for name in list_components(ir, entity, limits)]


def query_body(ir: IR, entity: Entity, limits: Limits) -> dict[str, Any]:
    """POST {path}/query: the list parameters as one JSON object (for filters too long for a
    URL). Filters keep their query-string text (`"1,2"` for `id__in`); `where` is an object."""
    properties: dict[str, Any] = {}
    for parameter in list_parameters(ir, entity, limits):
        name, schema = parameter["name"], parameter.get("schema")
        if name == "where":
            properties[name] = names.ref(names.where(entity))
        elif name in BODY_AS_IS:
            properties[name] = schema
        else:
            properties[name] = {"type": "string", "description": parameter["description"]}
    return {"type": "object", "description": "the list parameters, as in the query string",
            "properties": properties, "additionalProperties": False}

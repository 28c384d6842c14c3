"""An entity's list parameters, defined once in components.parameters and referenced by its
collection and every relation route that lists it.

Shaped for real client generators (docs/openapi.md, "Client generators"):

- ``filters``: one object parameter, ``style: form, explode: true``, so its properties are the
  query string's own ``field=value`` and ``field__op=value`` pairs. Its schema is inline in the
  parameter component: @hey-api/openapi-ts serialises an object parameter as ``form`` only when
  it sees ``type: object`` there (a ``$ref`` gets ``deepObject``, ``filters[title]=...``).
  ``in``/``notin`` take lists, which generators send as repeated keys (``id__in=1&id__in=2``,
  refused by the server): typed lists go in ``where`` (``{"id": {"in": [1, 2]}}``).
- ``where``: a string holding JSON (``contentMediaType`` + ``contentSchema``): every generator
  sends a string; a ``content:`` parameter made openapi-python-client drop the operation.
- ``sort``, ``fields``, ``include``: comma-separated text with a pattern of the valid names (an
  array would be sent as repeated keys by openapi-python-client).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fastbackend_contract import scalars, tables
from fastbackend_ir import IR, Entity, Field
from fastbackend_ir.contract import exposed, roles
from fastbackend_openapi import names, where
from fastbackend_openapi.components import readable
from fastbackend_openapi.operators import LISTED, operators
from fastbackend_openapi.parameters import (
    BULK_ALL,
    HEADERS,
    Limits,
    Parameter,
    bulk_all,
    component_name,
    key_components,
    paging,
    parameter_ref,
    query,
)

Schema = dict[str, Any]
# List parameters of their own: a field with one of these names is filtered on as `name__eq`.
RESERVED = frozenset(tables.RESERVED_PARAMETERS)
PAGING = ("limit", "offset", "cursor", "count")
FILTERS_DESCRIPTION = ("`field=value` (equal) and `field__op=value`, ANDed "
                       "(docs/query-language.md); lists (`in`) and the rest: `where`")


def _operand(op: str, value: Schema) -> Schema:
    return {"type": "boolean"} if op == "isnull" else value


def _field_filters(field: Field, ir: IR) -> dict[str, Schema]:
    ops = [op for op in operators(field) if op not in LISTED]
    if not ops or not roles(field).filterable:
        return {}
    value = where.value_ref(field)
    if field.name in RESERVED:  # `count=` is paging: the field's equality is spelled `count__eq`
        return {f"{field.name}__{op}": _operand(op, value) for op in ops}
    # `name=value` is equality; `name__eq=value`, the same, is accepted but not listed.
    found = {field.name: value}
    found.update({f"{field.name}__{op}": _operand(op, value) for op in ops if op != "eq"})
    return found


def filters_schema(ir: IR, entity: Entity) -> Schema:
    properties: Schema = {}
    for field in entity.fields:
        properties.update(_field_filters(field, ir))
    return {"title": names.filters(entity), "type": "object", "properties": properties,
            "additionalProperties": False}


def names_pattern(choices: Iterable[str], prefix: str = "", empty: bool = False) -> str:
    """Comma-separated names out of ``choices``, each optionally after ``prefix``; ``empty``:
    the empty text too."""
    one = f"{prefix}(?:{'|'.join(re.escape(choice) for choice in choices)})"
    return f"^({one}(?:,{one})*)?$" if empty else f"^{one}(?:,{one})*$"


def _text_list(name: str, choices: list[str], description: str, prefix: str = "",
               empty: bool = False) -> Parameter:
    return query(name, {"type": "string", "pattern": names_pattern(choices, prefix, empty)},
                 description)


def sortable(entity: Entity) -> list[str]:
    return [f.name for f in entity.fields if roles(f).sortable]


def relations(ir: IR, entity: Entity) -> list[str]:
    return [r.name for r in entity.relations if exposed(r)]


def where_parameter(entity: Entity) -> Parameter:
    schema = {"type": "string", "pattern": scalars.NO_NUL,  # NUL: 400 malformed-url
              "contentMediaType": "application/json",
              "contentSchema": names.ref(names.where(entity))}
    return query("where", schema, f"Prisma's `where` as JSON text ({names.where(entity)})")


def search_parameter(entity: Entity) -> Parameter:
    searched = ", ".join(f"`{name}`" for name in entity.search.fields) if entity.search else ""
    schema = {"type": "string", "minLength": 1, "pattern": scalars.NO_NUL}
    return query("search", schema, f"full-text search in {searched}: words (all must match), "
                 "`\"a phrase\"`, `or` between two words, `-word` to exclude; ordered by rank "
                 "(best first) unless `sort` is given, and then paged by `offset` only")


def deleted_parameter(entity: Entity) -> Parameter:
    schema = {"type": "string", "enum": ["only", "include"]}
    return query("deleted", schema, f"soft delete: `only` lists the rows whose "
                 f"`{entity.soft_delete}` is set (deleted), `include` lists them beside the live "
                 "ones; without it, deleted rows are left out")


def entity_parameters(ir: IR, entity: Entity) -> dict[str, Parameter]:
    """The entity's own list parameters, by parameter name."""
    found: dict[str, Parameter] = {}
    filters = filters_schema(ir, entity)
    if filters["properties"]:
        found["filters"] = {"name": "filters", "in": "query", "required": False,
                            "description": FILTERS_DESCRIPTION, "style": "form",
                            "explode": True, "schema": filters}
    found["where"] = where_parameter(entity)
    if entity.search is not None:  # IR 1.4: only entities that declare full-text search
        found["search"] = search_parameter(entity)
    if entity.soft_delete is not None:  # IR 1.6: only entities that soft-delete
        found["deleted"] = deleted_parameter(entity)
    keys = sortable(entity)
    if keys:
        # Empty is the default order on both servers; a field named twice is a 400.
        found["sort"] = _text_list("sort", keys, "fields to sort on, comma-separated, each once, "
                                   "`-` for descending; the key fields end the order",
                                   prefix="-?", empty=True)
    readable_fields = [f.name for f in entity.fields if readable(f)]
    if readable_fields:
        found["fields"] = _text_list("fields", readable_fields + relations(ir, entity),
                                     "return only these fields (comma-separated); a relation "
                                     "named here is included")
    if relations(ir, entity):
        counted = [f"_count.{r.name}" for r in entity.relations if exposed(r) and r.to_many]
        found["include"] = _text_list("include", relations(ir, entity) + counted,
                                      "nest these related rows in each item (comma-separated); "
                                      "`_count.<relation>` counts a to-many relation's rows "
                                      "instead, under `_count`")
    return found


def components(ir: IR, limits: Limits) -> dict[str, Parameter]:
    """components.parameters: the shared paging parameters, then each entity's own."""
    found: dict[str, Parameter] = {**paging(limits), **HEADERS, **key_components(ir),
                                   BULK_ALL: bulk_all()}
    for entity in ir.entities.values():
        if entity.api.operations:
            for name, parameter in entity_parameters(ir, entity).items():
                found[component_name(entity.api.plural, name)] = parameter
    return found


def refs(ir: IR, entity: Entity) -> list[Parameter]:
    """The parameters of a list of ``entity``'s rows, as references."""
    own = [component_name(entity.api.plural, name) for name in _parameter_names(ir, entity)]
    return [parameter_ref(name) for name in (*own, *PAGING)]


def include_refs(ir: IR, entity: Entity) -> list[Parameter]:
    """`include=` on one row's answer (tables.INCLUDED_ACTIONS): the list's own parameter,
    when ``entity`` has a relation to include."""
    if tables.INCLUDE_PARAMETER not in _parameter_names(ir, entity):
        return []
    return [parameter_ref(component_name(entity.api.plural, tables.INCLUDE_PARAMETER))]


def filter_refs(ir: IR, entity: Entity) -> list[Parameter]:
    """The filters of a bulk update or delete (the list's `filters` and `where`), and `all`."""
    own = [component_name(entity.api.plural, name) for name in _parameter_names(ir, entity)
           if name in tables.BULK_PARAMETERS or name == "filters"]
    return [*(parameter_ref(name) for name in own), parameter_ref(BULK_ALL)]


# The last IR emitted and, per entity (by identity: IR nodes are frozen), the names of its
# list parameters. refs() is asked for every list path and every relation to an entity;
# building the filter schemas again each time was a third of emit() (issue #19).
_names: tuple[IR | None, dict[int, tuple[Entity, tuple[str, ...]]]] = (None, {})


def _parameter_names(ir: IR, entity: Entity) -> tuple[str, ...]:
    global _names
    known_ir, by_entity = _names
    if known_ir is not ir:
        by_entity = {}
        _names = (ir, by_entity)
    known = by_entity.get(id(entity))
    if known is None or known[0] is not entity:
        known = by_entity[id(entity)] = (entity, tuple(entity_parameters(ir, entity)))
    return known[1]


def query_body(ir: IR, entity: Entity, limits: Limits) -> Schema:
    """POST {path}/query: the list parameters as one JSON object, for filters too long for a
    URL; the filter is the `where` object itself."""
    properties: Schema = {"where": names.ref(names.where(entity))}
    for name, parameter in entity_parameters(ir, entity).items():
        if name not in ("filters", "where"):
            properties[name] = parameter["schema"]
    for name, parameter in paging(limits).items():
        properties[name] = parameter["schema"]
    return {"type": "object", "description": "the list parameters, `where` as an object",
            "properties": properties, "additionalProperties": False}

"""`where`, in Prisma's shape: one schema per entity (its fields, its relations, AND / OR / NOT),
and one filter schema per kind of value, shared by every field of that kind (``StringFilter``,
``Int32Filter``, ``StatusFilter`` for an enum), as Prisma's own client types do. Shared filters
keep the document linear in the number of fields (a field costs one ``$ref``).

Nested documents (the items of AND / OR / NOT, and relation filters: ``some``/``every``/``none``,
``is``/``isNot``) are described as a ``…FieldsWhere``: the entity's fields only. The runtime
accepts deeper documents (up to its query limits, docs/query-language.md); the document stops
one level down because a recursive schema (``UserWhere`` in its own ``AND``, or through
User -> posts -> author -> User) is one schemathesis' generators never finished on, whose
smallest example its health check finds too large.
"""

from __future__ import annotations

from typing import Any

from fastbackend_ir import IR, Entity, Field
from fastbackend_openapi import jsontypes, names
from fastbackend_openapi.operators import PRISMA_NAMES, operators

Schema = dict[str, Any]
KINDS = {"string": "String", "integer": "Int32", "bigint": "Int64", "float": "Float",
         "decimal": "Decimal", "boolean": "Boolean", "date": "Date", "time": "Time",
         "interval": "Interval", "uuid": "Uuid"}


def filterable(field: Field) -> bool:
    return bool(operators(field)) and jsontypes.exposed(field)


def kind(field: Field) -> str:
    """The name of the field's kind of value: ``String``, ``LocalDateTime``, an enum's name."""
    if field.type == "enum":
        return str(field.enum)
    if field.type == "datetime":
        return "DateTime" if field.db is not None and field.db.timezone else "LocalDateTime"
    return KINDS[field.type]


def filter_name(field: Field) -> str:
    return f"{kind(field)}Filter"


def value_name(field: Field) -> str:
    """The component of a value to compare the field with (an enum's own component)."""
    return kind(field) if field.type == "enum" else f"{kind(field)}Value"


def value_ref(field: Field) -> Schema:
    return names.ref(value_name(field))


def operand(field: Field, ir: IR) -> Schema:
    """A value to compare the field with: its type, not its length (a longer text simply
    matches nothing)."""
    schema = jsontypes.scalar(field, ir)
    schema.pop("maxLength", None)
    return schema


def _object(properties: Schema) -> Schema:
    return {"type": "object", "properties": properties, "additionalProperties": False}


def filter_schema(field: Field) -> Schema:
    """A value (equals), or an object of Prisma's operators."""
    value = value_ref(field)
    ops = operators(field)
    properties: Schema = {}
    for op in ops:
        if op in ("in", "notin"):
            properties[PRISMA_NAMES[op]] = {"type": "array", "items": value}
        elif op in PRISMA_NAMES:
            properties[PRISMA_NAMES[op]] = jsontypes.nullable(value) if op in ("eq", "ne") else value
    if "icontains" in ops:
        properties["mode"] = {"enum": ["default", "insensitive"],
                              "description": "insensitive: every operator beside it ignores case"}
    return {"anyOf": [jsontypes.nullable(value), _object(properties)]}


def filter_schemas(ir: IR) -> dict[str, Schema]:
    """Every filter and value schema a filter of an exposed entity refers to."""
    found: dict[str, Schema] = {}
    for entity in ir.entities.values():
        for field in entity.fields if entity.api.operations else ():
            if filterable(field) and filter_name(field) not in found:
                found[filter_name(field)] = filter_schema(field)
                if field.type != "enum":
                    found[value_name(field)] = operand(field, ir)
    return found


def _relation_filter(entity: Entity, to_many: bool) -> Schema:
    target = names.ref(names.fields_where(entity))
    keys = ("some", "every", "none") if to_many else ("is", "isNot")
    return _object(dict.fromkeys(keys, target))


def _field_filters(entity: Entity) -> Schema:
    return {field.name: names.ref(filter_name(field)) for field in entity.fields
            if filterable(field)}


def where_schema(ir: IR, entity: Entity) -> Schema:
    """Prisma's `where` shape: field filters, relation filters, AND / OR / NOT."""
    own = names.ref(names.fields_where(entity))
    either = {"anyOf": [own, {"type": "array", "items": own}]}
    properties: Schema = {"AND": either, "OR": {"type": "array", "items": own}, "NOT": either}
    properties.update(_field_filters(entity))
    for relation in entity.relations:
        target = ir.entity(relation.target)
        if target.api.operations:
            properties[relation.name] = _relation_filter(target, relation.to_many)
    return {"type": "object", "description": f"Rows of {entity.name} to keep (Prisma's `where` "
            "shape)", **_object(properties)}


def fields_where_schema(entity: Entity) -> Schema:
    """A nested filter in the document: the entity's fields only (the module says why)."""
    return {"type": "object", "description": f"{entity.name} rows to match, by their fields "
            f"(nested in a {names.where(entity)}; the server takes a whole one here)",
            **_object(_field_filters(entity))}



"""`where`, in Prisma's shape: one schema per entity (its fields, its relations, AND / OR / NOT),
and one filter schema per kind of value, shared by every field of that kind (``StringFilter``,
``Int32Filter``, ``StatusFilter`` for an enum), as Prisma's own client types do. Shared filters
keep the document linear in the number of fields (a field costs one ``$ref``).

Nested documents (the items of AND / OR / NOT, and relation filters: ``some``/``every``/
``none``, ``is``/``isNot``) are typed as objects only: they hold the same shape (the related
entity's, for a relation), which the servers check (a 400 naming the JSON Pointer). A typed
recursive schema (``UserWhere`` in its own ``AND``, or User -> posts -> author -> User) is one
schemathesis' generators never finished on; typed one level down, its coverage phase still
sent ~10,000 requests per query operation. Client types stay open there, not wrong.
"""

from __future__ import annotations

from typing import Any

from fastbackend_contract import scalars
from fastbackend_ir import IR, Entity, Field
from fastbackend_ir.contract import exposed, roles
from fastbackend_openapi import jsontypes, names
from fastbackend_openapi.operators import LISTED, PRISMA_NAMES, operators

Schema = dict[str, Any]


def filterable(field: Field) -> bool:
    return roles(field).filterable


def kind(field: Field) -> str:
    """The name of the field's kind of value: ``String``, ``LocalDateTime``, an enum's name."""
    if field.type == "enum":
        return str(field.enum)
    if field.type == "datetime":
        return "DateTime" if field.db is not None and field.db.timezone else "LocalDateTime"
    stem = scalars.BY_NAME[field.type].filter
    if stem is None:
        raise ValueError(f"{field.type} fields cannot be filtered on")
    return stem


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
        if op in LISTED:
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


NESTED: Schema = {"type": "object"}  # a where document, checked by the server (module doc)
# Shared by every entity: what AND / NOT take (one document or several), and relation filters.
NESTED_WHERES = "NestedWheres"
TO_ONE_FILTER = "ToOneFilter"
TO_MANY_FILTER = "ToManyFilter"


def nested_schemas() -> dict[str, Schema]:
    """The shapes nested documents are given (typed as objects only, see the module doc)."""
    return {
        NESTED_WHERES: {"anyOf": [NESTED, {"type": "array", "items": NESTED}],
                        "description": "a where document of the same entity, or a list of them"},
        TO_ONE_FILTER: {"description": "rows whose related row matches (`is`) or does not "
                                       "(`isNot`) this where document of the related entity",
                        **_object(dict.fromkeys(("is", "isNot"), NESTED))},
        TO_MANY_FILTER: {"description": "rows with some, every or none of their related rows "
                                        "matching this where document of the related entity",
                         **_object(dict.fromkeys(("some", "every", "none"), NESTED))},
    }


def where_schema(ir: IR, entity: Entity) -> Schema:
    """Prisma's `where` shape: field filters, relation filters, AND / OR / NOT."""
    properties: Schema = {"AND": names.ref(NESTED_WHERES), "OR": {"type": "array", "items": NESTED},
                          "NOT": names.ref(NESTED_WHERES)}
    for field in entity.fields:
        if filterable(field):
            properties[field.name] = names.ref(filter_name(field))
    for relation in entity.relations:
        if exposed(relation):
            properties[relation.name] = names.ref(TO_MANY_FILTER if relation.to_many
                                                  else TO_ONE_FILTER)
    return {"type": "object", "description": f"Rows of {entity.name} to keep (Prisma's `where` "
            "shape)", **_object(properties)}

"""The nested create bodies (docs/rest-api.md "Nested writes"): a create's body with, on each
relation the contract lets it nest (fastbackend_ir.contract.nested_operations), an object of
Prisma's operations. One schema per entity and set of fields its place leaves out (a child's
key under a one-to-many), reached from the create operations' bodies, so generated clients
type every level:

    PostCreateNested       the fields of PostCreate (author_id optional), author, comments, tags
    PostAuthorNested       {create: UserCreateNested} | {connect: UserWhereUnique} | ...
    CommentWithoutPostIdCreateNested   a comment created under a post

An update's bodies (fastbackend_ir.contract.nested_update_operations) add `set` and
`disconnect`: PostUpdateNested (PATCH: PostUpdate's fields), PostReplaceNested (PUT:
PostCreate's), PostTagsUpdateNested (its relation's operations).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastbackend_ir import IR, Entity, Relation
from fastbackend_ir.contract import (
    child_fields,
    holds_key,
    nested_operations,
    nested_update_operations,
    roles,
)
from fastbackend_openapi import components, jsontypes, names

Schema = dict[str, Any]
Place = tuple[str, tuple[str, ...]]  # an entity, and the fields its place leaves out


def edges(ir: IR, entity: Entity,
          excluded: tuple[str, ...] = ()) -> list[tuple[Relation, tuple[str, ...]]]:
    """The relations a create of ``entity`` may nest, with their operations; not the one back
    to the owner a row created under a relation takes its ``excluded`` key from."""
    found = []
    for relation in entity.relations:
        operations = nested_operations(ir, entity, relation)
        back = holds_key(entity, relation) and set(relation.local_fields) & set(excluded)
        if operations and not back:
            found.append((relation, operations))
    return found


def update_edges(ir: IR, entity: Entity) -> list[tuple[Relation, tuple[str, ...]]]:
    """The relations an update of ``entity`` may nest, with their operations."""
    return [(relation, operations) for relation in entity.relations
            if (operations := nested_update_operations(ir, entity, relation))]


def update_name(entity: Entity, replace: bool = False) -> str:
    return f"{entity.api.singular}{'Replace' if replace else 'Update'}Nested"


def relation_update_name(entity: Entity, relation: Relation) -> str:
    return f"{names.relation_suffix(entity, relation)}UpdateNested"


def create_name(entity: Entity, excluded: tuple[str, ...] = ()) -> str:
    return f"{names.create(entity, excluded)}Nested"


def where_name(entity: Entity) -> str:
    return f"{entity.api.singular}WhereUnique"


def relation_name(entity: Entity, relation: Relation) -> str:
    return f"{names.relation_suffix(entity, relation)}Nested"


def schemas(ir: IR, server_set: dict[str, tuple[str, ...]]) -> dict[str, Schema]:
    """Every nested schema the create operations' bodies reach."""
    found: dict[str, Schema] = {}
    pending: list[Place] = [(name, ()) for name, entity in ir.entities.items()
                            if "create" in entity.api.operations and edges(ir, entity)]
    for entity in ir.entities.values():  # a child created under its owner's URL
        for route in entity.routes or ():
            if route.action == "createRelated" and route.relation is not None:
                relation = entity.relation(route.relation)
                given = child_fields(relation)
                if edges(ir, ir.entity(relation.target), given):
                    pending.append((relation.target, given))
    for entity in ir.entities.values():
        nestable = update_edges(ir, entity)
        if not nestable:
            continue
        own = server_set.get(entity.name, ())
        for replace, operation in ((False, "update"), (True, "replace")):
            if operation in entity.api.operations:
                found[update_name(entity, replace)] = _update(ir, entity, own, nestable,
                                                              replace)
        for relation, operations in nestable:
            target = ir.entity(relation.target)
            child = () if holds_key(entity, relation) else child_fields(relation)
            found[relation_update_name(entity, relation)] = _relation(
                relation, target, operations, child)
            if "connect" in operations or (relation.to_many and "disconnect" in operations):
                found[where_name(target)] = _where(ir, target)
            if "create" in operations:
                pending.append((target.name, child))
    while pending:
        name, excluded = pending.pop()
        entity = ir.entity(name)
        key = create_name(entity, excluded)
        if key in found:
            continue
        found[key] = _create(ir, entity, excluded, server_set)
        for relation, operations in edges(ir, entity, excluded):
            target = ir.entity(relation.target)
            child = () if holds_key(entity, relation) else child_fields(relation)
            found[relation_name(entity, relation)] = _relation(relation, target, operations,
                                                               child)
            if "connect" in operations:
                found[where_name(target)] = _where(ir, target)
            if "create" in operations:
                pending.append((target.name, child))
    return found


def _create(ir: IR, entity: Entity, excluded: tuple[str, ...],
            server_set: dict[str, tuple[str, ...]]) -> Schema:
    """The entity's create schema with its nestable relations."""
    schema = components.create_schema(ir, entity, (*excluded, *server_set.get(entity.name, ())))
    nestable = edges(ir, entity, excluded)
    return _nesting(entity, schema, nestable, relation_name, (
        f"a {entity.name} to create, with related rows to create or connect on its relations "
        "(limits.max_nested_depth levels deep)"))


def _update(ir: IR, entity: Entity, own: tuple[str, ...],
            nestable: list[tuple[Relation, tuple[str, ...]]], replace: bool) -> Schema:
    """PATCH's (PUT's: ``replace``) body with the relations an update may nest."""
    schema = (components.create_schema if replace else components.update_schema)(
        ir, entity, own)
    return _nesting(entity, schema, nestable, relation_update_name, (
        f"the {entity.name}'s fields to {'replace' if replace else 'change'}, with related rows "
        "to set, disconnect, connect or create on its relations "
        "(limits.max_nested_depth levels deep)"))


def _nesting(entity: Entity, schema: Schema, nestable: list[tuple[Relation, tuple[str, ...]]],
             relation_schema: Callable[[Entity, Relation], str], description: str) -> Schema:
    """``schema`` with a property per nestable relation (``relation_schema`` names its body). A
    key field a to-one relation can give is no longer required: the field, or its relation,
    not both."""
    given = {name for relation, _ in nestable if holds_key(entity, relation)
             for name in relation.local_fields}
    required = [name for name in schema.get("required", []) if name not in given]
    properties = dict(schema["properties"])
    for relation, _ in nestable:
        properties[relation.name] = names.ref(relation_schema(entity, relation))
    nested: Schema = {"type": "object", "properties": properties}
    if required:
        nested["required"] = required
    either = [{"anyOf": [{"required": [name]}, {"required": [relation.name]}]}
              for relation, _ in nestable if holds_key(entity, relation)
              for name in relation.local_fields if name in schema.get("required", [])]
    if either:
        nested["allOf"] = either
    nested["additionalProperties"] = False
    nested["description"] = description
    return nested


def _relation(relation: Relation, target: Entity, operations: tuple[str, ...],
              child: tuple[str, ...]) -> Schema:
    where = names.ref(where_name(target))
    one: dict[str, Schema] = {
        "set": {"type": "array", "items": where},
        "disconnect": where if relation.to_many else {
            "type": "boolean", "description": "true: the row holds no related row"},
        "create": names.ref(create_name(target, child)),
        "connect": names.ref(where_name(target)),
        "connectOrCreate": {"type": "object", "properties": {
            "where": names.ref(where_name(target)),
            "create": names.ref(create_name(target, child))},
            "required": ["where", "create"], "additionalProperties": False},
    }
    properties = {op: (_one_or_many(one[op]) if relation.to_many and op != "set" else one[op])
                  for op in operations}
    schema: Schema = {"type": "object", "properties": properties, "minProperties": 1}
    if not relation.to_many:
        schema["maxProperties"] = 1
    schema["additionalProperties"] = False
    return schema


def _one_or_many(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "array", "items": schema}]}


def _where(ir: IR, entity: Entity) -> Schema:
    """One row by its key's fields, or by one unique field."""
    fields = {field.name: field for field in entity.fields}
    key = list(entity.api.key)
    choices = [components.closed_object(
        {name: jsontypes.value(fields[name], ir, False) for name in key}, key)]
    for field in entity.fields:
        if field.unique and roles(field).readable and field.name not in key:
            choices.append(components.closed_object(
                {field.name: jsontypes.value(field, ir, False)}, [field.name]))
    return choices[0] if len(choices) == 1 else {"oneOf": choices}

"""What the query language may name, per entity: readable fields and exposed relations.

Which fields are readable, filterable and sortable, with which operators, and which fields
link a relation's rows are the IR's records (roles, localFields/remoteFields), not worked out
here.

Built once per IR. Hidden and write-only fields, and relations to unexposed entities, are simply
absent, so naming them is the same 400 as naming something that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from pydantic import TypeAdapter

from fastbackend_fastapi import pytypes
from fastbackend_ir import IR, Entity, Field, Relation, Search, contract
from fastbackend_ir.contract import roles


@dataclass(eq=False)
class FieldInfo:
    """One field the query language knows; compared by identity (it is part of cache keys)."""

    entity: str
    field: Field
    python_type: Any  # the type a value in a query is parsed to
    annotation: Any  # the type in a response (None allowed when nullable)

    @cached_property
    def adapter(self) -> TypeAdapter[Any]:
        """Built on first use: one pydantic adapter per field of every entity at startup was a
        large share of a big schema's start-up time."""
        return TypeAdapter(self.python_type, config=pytypes.JSON_CONFIG)

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def type(self) -> str:
        return self.field.type

    @property
    def filterable(self) -> bool:
        return roles(self.field).filterable

    @property
    def sortable(self) -> bool:
        return roles(self.field).sortable

    @property
    def operators(self) -> tuple[str, ...]:
        return roles(self.field).operators


@dataclass(eq=False)
class RelationInfo:
    """Target rows whose ``target_fields`` equal this row's ``this_fields``, maybe via a join
    table (``join_columns`` match this row, ``inverse_join_columns`` the target)."""

    name: str
    to_many: bool
    target: str
    target_table: tuple[str | None, str]  # (schema, table name)
    target_columns: tuple[str, ...]  # every field of the target: what an include selects
    target_key: tuple[str, ...]
    this_fields: tuple[str, ...]
    target_fields: tuple[str, ...]
    join_table: tuple[str | None, str] | None = None  # (schema, table name)
    join_columns: tuple[str, ...] = ()
    inverse_join_columns: tuple[str, ...] = ()


@dataclass(eq=False)
class EntityVocabulary:
    name: str
    table: tuple[str | None, str]  # (schema, table name)
    key: tuple[str, ...]
    fields: dict[str, FieldInfo]  # readable ones only
    keys: dict[str, FieldInfo]  # the key fields, which always end the sort order
    all_fields: tuple[str, ...]  # every field, hidden ones too: the SELECT list
    relations: dict[str, RelationInfo] = field(default_factory=dict)
    search: Search | None = None  # IR 1.4: what `search=` reads (query/search.py)
    soft_delete: str | None = None  # IR 1.6: the stamp field `deleted=` reads (query/parse.py)


@dataclass(eq=False)
class Vocabulary:
    entities: dict[str, EntityVocabulary]

    def entity(self, name: str) -> EntityVocabulary:
        return self.entities[name]


def build_vocabulary(ir: IR) -> Vocabulary:
    entities = {name: _entity(ir, entity) for name, entity in ir.entities.items()}
    for name, entity in ir.entities.items():
        entities[name].relations = {r.name: _relation(ir, entity, r) for r in entity.relations
                                    if contract.exposed(r)}
    return Vocabulary(entities)


def _field_info(ir: IR, entity: Entity, f: Field) -> FieldInfo:
    # An operand is compared, never stored: a text longer than the column simply matches
    # nothing (`name__lt=` a long text is a fair question), as on the Express server.
    operand = replace(f, db=replace(f.db, length=None)) if f.db is not None else f
    # A key of a type the API cannot carry (its entity has no routes: routable.py) is text.
    python_type = str if f.type == "unsupported" else pytypes.python_type(operand, ir)
    return FieldInfo(entity.name, f, python_type,
                     python_type | None if f.nullable else python_type)


def _entity(ir: IR, entity: Entity) -> EntityVocabulary:
    fields = {f.name: _field_info(ir, entity, f) for f in entity.fields if roles(f).readable}
    keys = {name: fields.get(name) or _field_info(ir, entity, entity.field(name))
            for name in entity.api.key}
    return EntityVocabulary(entity.name, (entity.schema, entity.table), entity.api.key, fields,
                            keys, tuple(f.name for f in entity.fields), search=entity.search,
                            soft_delete=entity.soft_delete)


def _relation(ir: IR, entity: Entity, relation: Relation) -> RelationInfo:
    target = ir.entity(relation.target)
    about = (relation.name, relation.to_many, relation.target, (target.schema, target.table),
             tuple(f.name for f in target.fields), target.api.key)
    if relation.kind == "manyToMany":
        join = ir.join_tables[relation.join_table or ""]
        return RelationInfo(
            *about, this_fields=relation.local_fields, target_fields=relation.remote_fields,
            join_table=(join.schema, join.table), join_columns=relation.join_columns,
            inverse_join_columns=relation.inverse_join_columns)
    # the IR's linking fields (localFields/remoteFields: fastbackend_ir.contract)
    return RelationInfo(*about, relation.local_fields, relation.remote_fields)

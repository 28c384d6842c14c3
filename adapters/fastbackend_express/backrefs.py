"""Relation ends the IR leaves out, which Prisma needs anyway.

A SQLAlchemy model may declare a relationship on one side only (``Order.buyer`` with nothing on
``Person``); Prisma refuses a relation field without its opposite. For each relation without an
inverse, the target model gets a field named ``<relation>_of_<entity>``: in the schema only, never
in the API (the meta and routes list the IR's relations), except that a many-to-many relation uses
it to scope the target's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend_express.memo import once_per_ir
from fastbackend_express.names import camel
from fastbackend_ir import IR, Entity, Relation


@dataclass(frozen=True)
class MissingEnd:
    owner: str  # the model that gets the field
    name: str
    entity: Entity  # the entity declaring the one-sided relation
    relation: Relation


@once_per_ir  # asked once per model and per one-sided relation
def missing_ends(ir: IR) -> tuple[MissingEnd, ...]:
    taken = {entity.name: {f.name for f in entity.fields} | {r.name for r in entity.relations}
             for entity in ir.entities.values()}
    ends = []
    for entity in ir.entities.values():
        for relation in entity.relations:
            if relation.inverse is not None:
                continue
            name = f"{relation.name}_of_{camel(entity.name)}"
            while name in taken[relation.target]:
                name += "_"
            taken[relation.target].add(name)
            ends.append(MissingEnd(relation.target, name, entity, relation))
    return tuple(ends)


def inverse_of(ir: IR, entity: Entity, relation: Relation) -> str | None:
    """The name of the opposite field on the target: the IR's inverse, else the synthesized one."""
    if relation.inverse is not None:
        return relation.inverse
    for end in missing_ends(ir):
        if end.entity.name == entity.name and end.relation.name == relation.name:
            return end.name
    return None

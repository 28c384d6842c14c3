"""IR relations -> Prisma relation fields: @relation names, fields/references, actions, and the
many-to-many ends (implicit lists, explicit join models, ends the IR leaves out)."""

from __future__ import annotations

import json

from fastbackend_express.backrefs import MissingEnd
from fastbackend_express.joins import JoinSide, implicit_relation_name, is_implicit, join_models
from fastbackend_express.memo import once_per_ir
from fastbackend_ir import IR, Entity, JoinColumn, JoinTable, Relation

ACTIONS: dict[str, str] = {
    "cascade": "Cascade", "restrict": "Restrict", "noAction": "NoAction",
    "setNull": "SetNull", "setDefault": "SetDefault",
}


def relation_row(ir: IR, entity: Entity, relation: Relation) -> list[str]:
    if relation.kind == "manyToMany":
        return _many_to_many_row(ir, entity, relation)
    key = relation.foreign_key
    holds = holds_key(entity, relation)
    arguments = _relation_name_argument(ir, entity, relation)
    if holds and key is not None:
        arguments += [f"fields: [{', '.join(key.fields)}]", f"references: [{', '.join(key.references)}]"]
        arguments += _actions(entity, key.fields)
    attribute = f"@relation({', '.join(arguments)})" if arguments else ""
    if relation.kind == "oneToMany":
        kind = f"{relation.target}[]"
    elif holds:
        kind = relation.target + ("?" if relation.nullable else "")
    else:
        kind = relation.target + "?"  # the side without the foreign key is always optional
    return [relation.name, kind, attribute]


def missing_end_row(ir: IR, end: MissingEnd) -> list[str]:
    """The opposite field of a relation the IR declares on one side only (see backrefs.py)."""
    entity, relation = end.entity, end.relation
    if relation.kind == "manyToMany":
        return _missing_many_to_many_row(ir, end)
    named = _relation_name_argument(ir, entity, relation)
    key = relation.foreign_key
    if holds_key(entity, relation) or key is None:
        kind = f"{entity.name}[]" if relation.kind == "manyToOne" else f"{entity.name}?"
        return [end.name, kind, f"@relation({named[0]})" if named else ""]
    owner = ir.entity(end.owner)
    nullable = any(owner.field(name).nullable for name in key.fields)
    arguments = [*named, f"fields: [{', '.join(key.fields)}]", f"references: [{', '.join(key.references)}]"]
    arguments += _actions(owner, key.fields)
    return [end.name, entity.name + ("?" if nullable else ""), f"@relation({', '.join(arguments)})"]


def _missing_many_to_many_row(ir: IR, end: MissingEnd) -> list[str]:
    return _join_row(ir, end.name, end.entity.name, end.relation, declared=False)


def _implicit_attribute(ir: IR, table: str) -> str:
    """@relation("Name") for an implicit many-to-many, left out where Prisma's default names it."""
    join = ir.join_tables[table]
    name = implicit_relation_name(join)
    pair = sorted(column.references.entity for column in join.columns)
    same_pair = [t for t in ir.join_tables.values() if is_implicit(ir, t)
                 and sorted(c.references.entity for c in t.columns) == pair]
    is_default = name == f"{pair[0]}To{pair[1]}" and len(same_pair) == 1
    return "" if is_default else f"@relation({json.dumps(name)})"


def holds_key(entity: Entity, relation: Relation) -> bool:
    """Whether this end carries ``fields``/``references`` (for a self-relation: the to-one end
    declared first)."""
    key = relation.foreign_key
    if key is None or key.entity != entity.name or relation.kind == "oneToMany":
        return False
    if relation.target != entity.name or relation.kind == "manyToOne":
        return True
    first = next(r for r in entity.relations if r.foreign_key == key and r.kind == "oneToOne")
    return first.name == relation.name


def _relation_name_argument(ir: IR, entity: Entity, relation: Relation) -> list[str]:
    """A name only where Prisma needs one: several relations between the same two models."""
    if relation.relation_name is not None:
        return [json.dumps(relation.relation_name)]
    if entity.name == relation.target or _pair_count(ir, entity, relation) > 1:
        key = relation.foreign_key
        if key is not None:
            return [json.dumps(f"{key.entity}_{'_'.join(key.fields)}")]
    return []


def _pair_count(ir: IR, entity: Entity, relation: Relation) -> int:
    """How many foreign keys link the two models of ``relation`` (in either direction)."""
    return len(_keys_by_pair(ir).get(frozenset((entity.name, relation.target)), ()))


@once_per_ir  # scanning every model for every relation grew with the square of the models
def _keys_by_pair(ir: IR) -> dict[frozenset[str], set[tuple[str, tuple[str, ...]]]]:
    """The IR's foreign keys by the pair of models they link."""
    found: dict[frozenset[str], set[tuple[str, tuple[str, ...]]]] = {}
    for e in ir.entities.values():
        for fk in e.foreign_keys:
            found.setdefault(frozenset((e.name, fk.references.entity)), set()).add(
                (e.name, fk.fields))
    return found


def _actions(entity: Entity, fields: tuple[str, ...]) -> list[str]:
    for key in entity.foreign_keys:
        if key.fields == fields:
            actions = [f"onDelete: {ACTIONS[key.on_delete]}"] if key.on_delete else []
            actions += [f"onUpdate: {ACTIONS[key.on_update]}"] if key.on_update else []
            if key.name is not None and entity.kind != "view":  # a view holds no constraint
                actions.append(f"map: {json.dumps(key.name)}")
            return actions
    return []


def _many_to_many_row(ir: IR, entity: Entity, relation: Relation) -> list[str]:
    return _join_row(ir, relation.name, relation.target, relation, declared=True)


def _join_row(ir: IR, name: str, target: str, relation: Relation, declared: bool) -> list[str]:
    """A many-to-many field: through an explicit join model when the IR has one, else Prisma's
    implicit table. ``declared``: the field is the relation the IR declares; else it is the
    back reference Prisma needs, which stands on the join table's other side."""
    table = relation.join_table or ""
    join = join_models(ir).get(table)
    if join is None:
        return [name, f"{target}[]", _implicit_attribute(ir, table)]
    from_source = relation.join_columns == join.source.columns
    side = join.source if from_source == declared else join.target
    return [name, f"{join.model}[]", f"@relation({json.dumps(side.relation_name)})"]


def join_relation_row(table: JoinTable, side: JoinSide) -> list[str]:
    columns = [_join_column(table, side, name) for name in side.columns]
    arguments = [json.dumps(side.relation_name), f"fields: [{', '.join(side.columns)}]",
                 f"references: [{', '.join(c.references.field for c in columns)}]"]
    first = columns[0]
    arguments += [f"onDelete: {ACTIONS[first.on_delete]}"] if first.on_delete else []
    arguments += [f"onUpdate: {ACTIONS[first.on_update]}"] if first.on_update else []
    if len(columns) == 1 and first.foreign_key_name:  # the IR keeps one key per column
        arguments.append(f"map: {json.dumps(first.foreign_key_name)}")
    return [side.relation_field, side.entity, f"@relation({', '.join(arguments)})"]


def _join_column(table: JoinTable, side: JoinSide, name: str) -> JoinColumn:
    for column in table.columns:
        if column.name == name and column.references.entity == side.entity:
            return column
    raise KeyError(f"join column {name!r} of {table.table!r} does not reference {side.entity!r}")

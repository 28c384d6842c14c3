"""How each many-to-many join table appears in Prisma: implicit, or an explicit join model.

Prisma's implicit many-to-many needs a table named ``_Name`` with exactly two columns ``A`` and
``B``, where ``A`` references the model whose name sorts first. A join table that follows that
convention (typically one that came from a Prisma schema) stays implicit, so the database does not
change. Any other join table (``post_tags(post_id, tag_id)`` from SQLAlchemy) becomes an explicit
join model named after the table, and each side's relation field lists rows of that model.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend_express.names import delegate, pascal
from fastbackend_ir import IR, JoinTable, Relation


@dataclass(frozen=True)
class JoinSide:
    """One end of an explicit join model: the columns that reference ``entity``."""

    entity: str
    columns: tuple[str, ...]
    relation_field: str  # the join model's field that points at ``entity``
    relation_name: str  # the @relation("...") name shared with the entity's list field


@dataclass(frozen=True)
class JoinModel:
    table: str
    model: str
    delegate: str
    source: JoinSide  # the side of the relation that lists ``joinColumns``
    target: JoinSide


def is_implicit(ir: IR, join: JoinTable) -> bool:
    names = [column.name for column in join.columns]
    if not join.table.startswith("_") or names != ["A", "B"] or join.schema is not None:
        return False
    first, second = (column.references.entity for column in join.columns)
    return first <= second


def implicit_relation_name(join: JoinTable) -> str:
    return join.table[1:]


def join_models(ir: IR) -> dict[str, JoinModel]:
    """Explicit join models keyed by join table name (implicit join tables are absent)."""
    models: dict[str, JoinModel] = {}
    for entity in ir.entities.values():
        for relation in entity.relations:
            table = relation.join_table
            if table is None or table in models or is_implicit(ir, ir.join_tables[table]):
                continue
            models[table] = _join_model(ir, entity.name, relation, table)
    return models


def _join_model(ir: IR, entity: str, relation: Relation, table: str) -> JoinModel:
    model = _model_name(ir, table)
    source = _side(model, entity, relation.join_columns)
    target = _side(model, relation.target, relation.inverse_join_columns)
    if source.relation_field == target.relation_field:
        target = JoinSide(target.entity, target.columns, target.relation_field + "_target",
                          target.relation_name)
    return JoinModel(table, model, delegate(model), source, target)


def _side(model: str, entity: str, columns: tuple[str, ...]) -> JoinSide:
    first = columns[0]
    field = first[: -len("_id")] if first.endswith("_id") and len(first) > 3 else f"{first}_ref"
    return JoinSide(entity, columns, field, f"{model}_{'_'.join(columns)}")


def _model_name(ir: IR, table: str) -> str:
    name = pascal(table)
    while name in ir.entities or name in ir.enums:
        name += "Link"
    return name


def join_model_for(ir: IR, relation: Relation) -> JoinModel | None:
    if relation.join_table is None:
        return None
    return join_models(ir).get(relation.join_table)


def sides_for(join: JoinModel, relation: Relation) -> tuple[JoinSide, JoinSide]:
    """(this entity's side, the target's side) of ``join`` for ``relation``."""
    if relation.join_columns == join.source.columns:
        return join.source, join.target
    return join.target, join.source

"""Lower paired relation fields to IR relations, foreign keys and implicit join tables.

Referential actions are recorded as Prisma applies them, explicit or not: onDelete defaults to
SetNull when every foreign-key field is optional, else Restrict (NoAction on SQL Server, which has
no Restrict); onUpdate defaults to Cascade. Implicit many-to-many tables are Prisma's `_<Name>` with
columns A and B (A references the model whose name sorts first), both cascading, keyed as Prisma's
schema engine keys them.
"""

from __future__ import annotations

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.relations import RelationEnd, RelationPair
from fastbackend.frontends.prisma.symbols import SymbolTable, string_argument
from fastbackend.frontends.prisma.types import ACTIONS
from fastbackend.passes.constraint_names import PrismaNames, clip
from fastbackend_ir import (
    ColumnReference,
    ForeignKey,
    JoinColumn,
    JoinTable,
    References,
    Relation,
    RelationForeignKey,
)
from fastbackend_ir.nodes import ReferentialAction, RelationKind


def relation_kind(pair: RelationPair) -> RelationKind:
    end, other = pair.end, pair.opposite
    if end.is_list and other.is_list:
        return "manyToMany"
    if end.is_list:
        return "oneToMany"
    if other.is_list:
        return "manyToOne"
    return "oneToOne"


def owning_end(pair: RelationPair) -> RelationEnd:
    """The end that holds `fields:`/`references:` (the foreign key)."""
    return pair.end if pair.end.fields else pair.opposite


def lower_relation(pair: RelationPair, join_table: str | None) -> Relation:
    """One end of a relation. When the other end is `@ignore`d, the relation is one-sided."""
    kind = relation_kind(pair)
    owner = owning_end(pair)
    foreign_key = None
    if kind != "manyToMany":
        foreign_key = RelationForeignKey(owner.model, owner.fields, owner.references)
    columns = join_columns(pair) if kind == "manyToMany" else ((), ())
    return Relation(
        name=pair.end.field.name,
        target=pair.end.target,
        kind=kind,
        path=pair.end.field.name.lower(),
        nullable=kind in ("manyToOne", "oneToOne") and not _required(pair.end),
        inverse=None if pair.opposite.field.attribute("ignore") else pair.opposite.field.name,
        relation_name=pair.explicit_name,
        foreign_key=foreign_key,
        join_table=join_table,
        join_columns=columns[0],
        inverse_join_columns=columns[1],
        description=pair.end.field.documentation,
    )


def _required(end: RelationEnd) -> bool:
    return end.field.type is not None and end.field.type.modifier == "required"


def effective_actions(
    owner: RelationEnd, symbols: SymbolTable
) -> tuple[ReferentialAction, ReferentialAction]:
    attribute = owner.attribute
    model = symbols.models[owner.model]
    optional = all(
        (decl := model.field(name)) is not None and decl.type is not None
        and decl.type.modifier == "optional" for name in owner.fields
    )
    restrict: ReferentialAction = "noAction" if symbols.provider == "sqlserver" else "restrict"
    on_delete: ReferentialAction = "setNull" if optional else restrict
    on_update: ReferentialAction = "cascade"
    return (_action(attribute, "onDelete") or on_delete, _action(attribute, "onUpdate") or on_update)


def _action(attribute: ast.Attribute | None, key: str) -> ReferentialAction | None:
    argument = attribute.named(key) if attribute else None
    if argument is not None and isinstance(argument.value, ast.PathValue):
        return ACTIONS.get(argument.value.text)
    return None


def lower_foreign_key(pair: RelationPair, symbols: SymbolTable) -> ForeignKey:
    owner = pair.end
    on_delete, on_update = effective_actions(owner, symbols)
    return ForeignKey(
        fields=owner.fields,
        references=References(owner.target, owner.references),
        name=string_argument(owner.attribute, "map"),
        on_delete=on_delete,
        on_update=on_update,
    )


def join_table_name(pair: RelationPair, provider: str | None) -> str:
    """`_RelationName`, cut to the provider's identifier length as Prisma's engine cuts it."""
    return clip(f"_{pair.name}", PrismaNames(provider).limit)


def _a_side_is_end(pair: RelationPair) -> bool:
    end, other = pair.end, pair.opposite
    if end.model != other.model:
        return end.model.encode() < other.model.encode()
    return end.field.name.encode() < other.field.name.encode()


def join_columns(pair: RelationPair) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (("A",), ("B",)) if _a_side_is_end(pair) else (("B",), ("A",))


def lower_join_table(
    pair: RelationPair, symbols: SymbolTable, schema: str | None, source: str
) -> JoinTable:
    a, b = (pair.end, pair.opposite) if _a_side_is_end(pair) else (pair.opposite, pair.end)
    columns = tuple(
        JoinColumn(name, ColumnReference(end.model, single_id(symbols, end.model)),
                   on_delete="cascade", on_update="cascade")
        for name, end in (("A", a), ("B", b))
    )
    # Prisma's schema engine keys the table on PostgreSQL only (since Prisma 6); CockroachDB and
    # the others get a unique index on (A, B).
    keyed = symbols.provider == "postgresql"
    return JoinTable(
        table=join_table_name(pair, symbols.provider), columns=columns, schema=schema, source=source,
        primary_key=("A", "B") if keyed else (),
        uniques=() if keyed else (("A", "B"),),
        indexes=(("B",),),
    )


def single_id(symbols: SymbolTable, model: str) -> str:
    block = symbols.models[model]
    for decl in block.fields:
        if decl.attribute("id") is not None:
            return decl.name
    return block.fields[0].name if block.fields else "id"

"""Query nodes -> SQLAlchemy expressions: filters, relation paths (EXISTS), sort, keyset.

Values are bound parameters named in depth-first order (p0, p1, ... for filters, k0, k1, ...
for the cursor), so one built statement serves every request of the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from fastbackend_fastapi import scope
from fastbackend_fastapi.database.dialects import Dialect
from fastbackend_fastapi.query import operators
from fastbackend_fastapi.query.nodes import All, AnyOf, Compare, Node, Not, Related, SortKey
from fastbackend_fastapi.query.vocabulary import RelationInfo

Expression = sa.ColumnElement[Any]


def table_key(schema_and_name: tuple[str | None, str]) -> str:
    schema, name = schema_and_name
    return f"{schema}.{name}" if schema else name


def related_scope(entity: str, fields: tuple[str, ...], table: sa.FromClause,
                  metadata: sa.MetaData) -> list[sa.ColumnElement[bool]]:
    """Row scope (scope.py) on a related entity's rows: its own parameter names, since two
    entities may scope fields of the same name; and its soft-deleted rows left out."""
    return [*(table.c[name] == sa.bindparam(f"related_scope_{entity}_{name}") for name in fields),
            *scope.live(metadata, entity, table)]


def related_scope_parameters(entities: tuple[str, ...],
                             scopes: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """This request's values for them; scope.py refuses (403) a scope it did not resolve."""
    parameters = {}
    for entity in entities:
        values = scope.filter_parameters(entity, scopes[entity])
        parameters.update({f"related_scope_{entity}_{name}": values[scope.parameter(name)]
                           for name in scopes[entity]})
    return parameters


@dataclass
class Compiler:
    metadata: sa.MetaData
    dialect: Dialect
    scopes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # entity -> scope fields
    parameters: int = field(default=0)
    scoped: set[str] = field(default_factory=set)  # related scoped entities the SQL reaches

    def scope_of(self, entity: str, table: sa.FromClause) -> list[sa.ColumnElement[bool]]:
        """Row scope of ``entity``'s rows in ``table`` (an alias reached through a relation),
        remembered in ``scoped`` so the caller binds its parameters
        (related_scope_parameters)."""
        fields = self.scopes.get(entity, ())
        if fields:
            self.scoped.add(entity)
        return related_scope(entity, fields, table, self.metadata)

    def table(self, schema_and_name: tuple[str | None, str]) -> sa.Table:
        return self.metadata.tables[table_key(schema_and_name)]

    # filters ---------------------------------------------------------------------------
    def condition(self, node: Node, outer: sa.FromClause) -> sa.ColumnElement[bool]:
        if isinstance(node, Compare):
            return self._compare(node, outer)
        if isinstance(node, Related):
            return self._related(node, outer)
        if isinstance(node, Not):  # a comparison with NULL is false, so its negation is true
            return sa.not_(sa.func.coalesce(self.condition(node.inner, outer),
                                            sa.false()))
        parts = [self.condition(item, outer) for item in node.items]
        if isinstance(node, AnyOf):
            return sa.or_(sa.false(), *parts)
        assert isinstance(node, All)
        return sa.and_(sa.true(), *parts)

    def _compare(self, node: Compare, outer: sa.FromClause) -> sa.ColumnElement[bool]:
        column = outer.c[node.field.name]
        if node.op == "isnull":
            return operators.null_test(column, bool(node.value))
        name = f"p{self.parameters}"
        self.parameters += 1
        return operators.by_name(node.op).build(column, name, node.field, self.dialect)

    def _related(self, node: Related, outer: sa.FromClause) -> sa.ColumnElement[bool]:
        relation = node.relation
        inner_table = self.table(relation.target_table).alias()
        source, link = self.link(relation, outer, inner_table)
        inner = self.condition(node.inner, inner_table)
        if node.quantifier == "every":  # no related row fails the condition
            inner = sa.not_(sa.func.coalesce(inner, sa.false()))
        exists = (sa.select(sa.literal(1)).select_from(source)
                  .where(link, inner, *self.scope_of(relation.target, inner_table)).exists())
        return exists if node.quantifier in ("some", "is") else sa.not_(exists)

    def link(self, relation: RelationInfo, outer: sa.FromClause,
             target: sa.FromClause) -> tuple[sa.FromClause, sa.ColumnElement[bool]]:
        """The FROM of the related rows and the condition tying them to ``outer``'s row."""
        if relation.join_table is None:
            return target, sa.and_(*(target.c[tf] == outer.c[this] for this, tf in zip(
                relation.this_fields, relation.target_fields, strict=True)))
        join = self.table(relation.join_table).alias()
        on = sa.and_(*(join.c[ic] == target.c[tf] for ic, tf in zip(
            relation.inverse_join_columns, relation.target_fields, strict=True)))
        link = sa.and_(*(join.c[jc] == outer.c[this] for jc, this in zip(
            relation.join_columns, relation.this_fields, strict=True)))
        return join.join(target, on), link

    # order -----------------------------------------------------------------------------
    def sort_value(self, key: SortKey, outer: sa.FromClause) -> Expression:
        """The sort key's value for ``outer``'s row: a column, or a scalar subquery along
        to-one relations."""
        if not key.path:
            return outer.c[key.field.name]
        relation = key.path[0]
        target = self.table(relation.target_table).alias()
        _, link = self.link(relation, outer, target)
        inner = self.sort_value(SortKey(key.path[1:], key.field, key.descending), target)
        scoped = self.scope_of(relation.target, target)
        return sa.select(inner).where(link, *scoped).limit(1).scalar_subquery()

    def ordered(self, key: SortKey, value: Expression) -> Expression:
        return self.dialect.ordered(value, key.field.type)

    def order_by(self, key: SortKey, value: Expression) -> Any:
        """NULLs sort after every value ascending, before every value descending, on every
        database (Dialect.order)."""
        return self.dialect.order(self.ordered(key, value), key.descending, nullable(key))

    def after(self, keys: tuple[SortKey, ...], values: list[Expression],
              nulls: tuple[bool, ...]) -> sa.ColumnElement[bool]:
        """Rows strictly after the cursor in this order: the row-value comparison
        (a, b, c) > (x, y, z) expanded, since directions and NULLs may differ per key."""
        branches = []
        for i, key in enumerate(keys):
            step = self._step_after(key, values[i], i, nulls[i])
            if step is not None:
                equal = [self._equal(keys[j], values[j], j, nulls[j]) for j in range(i)]
                branches.append(sa.and_(*equal, step))
        return sa.or_(sa.false(), *branches)

    def _cursor_param(self, key: SortKey, value: Expression, i: int) -> Expression:
        return self.ordered(key, sa.bindparam(f"k{i}", type_=value.type))

    def _equal(self, key: SortKey, value: Expression, i: int, null: bool) -> Any:
        if null:
            return value.is_(None)
        return self.ordered(key, value) == self._cursor_param(key, value, i)

    def _step_after(self, key: SortKey, value: Expression, i: int, null: bool) -> Any:
        ordered = self.ordered(key, value)
        if key.descending:
            return value.is_not(None) if null else ordered < self._cursor_param(key, value, i)
        if null:
            return None  # NULLs come last ascending: nothing after them
        later = ordered > self._cursor_param(key, value, i)
        return sa.or_(later, value.is_(None)) if nullable(key) else later


def nullable(key: SortKey) -> bool:
    return bool(key.path) or key.field.field.nullable

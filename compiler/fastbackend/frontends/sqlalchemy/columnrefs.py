"""Resolve a column reference as written (``"users.id"``, ``User.id``, ``users.c.id``, ``id``
inside the class, ``"Comment.id"`` in a string) to the column it names."""

from __future__ import annotations

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.evaluate import Evaluator
from fastbackend.frontends.sqlalchemy.index import ColumnAt, TableIndex
from fastbackend.frontends.sqlalchemy.mapping import Model
from fastbackend.frontends.sqlalchemy.scope import CLS


class ColumnResolver:
    def __init__(self, ctx: Context, index: TableIndex) -> None:
        self.ctx = ctx
        self.index = index

    def resolve(self, value: v.Value, model: Model | None) -> ColumnAt | None:
        if isinstance(value, v.Lit) and isinstance(value.value, str):
            return self._from_string(value.value, value.pos, model)
        if isinstance(value, v.Ref):
            return self._from_ref(value, model)
        return None

    def _from_string(self, text: str, pos: v.Pos, model: Model | None) -> ColumnAt | None:
        """``"users.id"``/``"schema.users.id"`` names a table column; ``"User.id"`` an attribute."""
        table, _, column = text.rpartition(".")
        if table:
            info = self.index.find_table(table)
            if info is not None and column in info.columns:
                return info.columns[column]
        return self._parsed(text, pos, model)

    def _parsed(self, text: str, pos: v.Pos, model: Model | None) -> ColumnAt | None:
        if model is None:
            return None
        module = self.ctx.module(model.cls.fact)
        scope = module.scope.for_class(model.cls.fact.name, frozenset(
            spec.attr for spec in model.columns))
        value = Evaluator(scope, None, pos).parsed(text, pos)
        return self._from_ref(value, model) if isinstance(value, v.Ref) else None

    def _from_ref(self, value: v.Ref, model: Model | None) -> ColumnAt | None:
        qname = self.ctx.canonical(value.qname)
        owner, _, attr = qname.rpartition(".")
        if owner == CLS and model is not None:
            return self.attribute(model, attr)
        if owner.endswith(".c"):
            return self._table_column(owner[:-2], attr)
        found = self.index.model_of_class(owner) if owner else None
        if found is None and model is not None and not owner:
            found = model
        return self.attribute(found, attr) if found is not None else None

    def _table_column(self, variable: str, column: str) -> ColumnAt | None:
        variable = variable.removesuffix(".__table__")
        core = self.index.core_by_variable.get(variable)
        if core is not None:
            return self.index.tables[core.key].columns.get(column)
        model = self.index.model_of_class(variable)
        if model is not None:
            return self.index.tables[self.index.table_key(model)].columns.get(column)
        return None

    def attribute(self, model: Model, attr: str) -> ColumnAt | None:
        """A mapped attribute of ``model`` (or of the class it inherits from)."""
        current: Model | None = model
        while current is not None:
            for spec in current.columns:
                if spec.attr == attr:
                    return ColumnAt(self.index.table_key(current), current.name, spec)
            parent = current.cls.parent
            current = self.index.models.get(parent.qname) if parent is not None else None
        return None

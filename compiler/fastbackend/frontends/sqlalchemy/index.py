"""Where every table and column is: by table name (``"users.id"``) and by class attribute
(``User.id``), across entities, single-table subclasses and Core association tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastbackend.frontends.sqlalchemy.mapping import Model
from fastbackend.frontends.sqlalchemy.specs import ColumnSpec
from fastbackend.frontends.sqlalchemy.tables import CoreTable


@dataclass(frozen=True)
class ColumnAt:
    """A column and who maps it: the entity (None for a Core table) and the table key."""

    table: str
    entity: str | None
    spec: ColumnSpec


@dataclass
class TableInfo:
    key: str
    name: str
    schema: str | None
    root: Model | None = None
    core: CoreTable | None = None
    columns: dict[str, ColumnAt] = field(default_factory=dict)


class TableIndex:
    def __init__(self, models: list[Model], tables: dict[str, CoreTable]) -> None:
        self.models = {m.cls.fact.qname: m for m in models}
        self.by_name = {m.name: m for m in models}
        self.tables: dict[str, TableInfo] = {}
        self.core_by_variable = tables
        self.children: dict[str, list[Model]] = {}
        for model in models:
            self._add_model(model)
            if model.cls.parent is not None:
                self.children.setdefault(model.cls.parent.qname, []).append(model)
        for table in tables.values():
            info = self.tables.setdefault(table.key, TableInfo(table.key, table.name, table.schema))
            info.core = table
            for spec in table.columns:
                info.columns.setdefault(spec.column, ColumnAt(table.key, None, spec))

    def _add_model(self, model: Model) -> None:
        root = self.table_model(model)
        schema = schema_of(root)
        key = f"{schema}.{root.table}" if schema else str(root.table)
        info = self.tables.setdefault(key, TableInfo(key, str(root.table), schema))
        if info.root is None or model is root:
            info.root = root
        for spec in model.columns:
            info.columns.setdefault(spec.column, ColumnAt(key, model.name, spec))

    def table_model(self, model: Model) -> Model:
        """The model whose table holds this model's columns (its own, or an STI ancestor's)."""
        while model.table is None and model.cls.parent is not None:
            parent = self.models.get(model.cls.parent.qname)
            if parent is None:
                break
            model = parent
        return model

    def table_key(self, model: Model) -> str:
        root = self.table_model(model)
        schema = schema_of(root)
        return f"{schema}.{root.table}" if schema else str(root.table)

    def find_table(self, name: str) -> TableInfo | None:
        if name in self.tables:
            return self.tables[name]
        matches = [t for t in self.tables.values() if t.name == name]
        return matches[0] if len(matches) == 1 else None

    def model_of_class(self, qname: str) -> Model | None:
        found = self.models.get(qname)
        if found is None:
            found = self.by_name.get(qname.rsplit(".", 1)[-1])
        return found


def schema_of(model: Model) -> str | None:
    return model.schema

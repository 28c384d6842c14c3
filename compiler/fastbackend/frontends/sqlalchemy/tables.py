"""Core ``Table(...)`` objects assigned at module level: association tables for many-to-many."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.columns import Owner, column_spec
from fastbackend.frontends.sqlalchemy.constraints import (
    KINDS,
    ConstraintSpec,
    constraint,
    metadata_call,
    naming_convention,
)
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.facts import AttributeFact, ModuleFacts
from fastbackend.frontends.sqlalchemy.names import sa_name
from fastbackend.frontends.sqlalchemy.specs import ColumnSpec, ForeignKeySpec


@dataclass(frozen=True)
class CoreTable:
    variable: str  # the qualified name it is assigned to
    name: str
    schema: str | None
    columns: tuple[ColumnSpec, ...]
    constraints: tuple[ConstraintSpec, ...]
    module: ModuleFacts
    pos: v.Pos
    naming: dict[str, str] = field(default_factory=dict)  # its MetaData's naming convention

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


def find_tables(ctx: Context) -> dict[str, CoreTable]:
    tables: dict[str, CoreTable] = {}
    for module in ctx.symbols.modules.values():
        for name, assignment in module.assignments.items():
            value = assignment.value
            if isinstance(value, v.Call) and sa_name(ctx.symbols.ref(value)) == "Table":
                table = core_table(ctx, module, f"{module.name}.{name}", value, assignment.pos)
                if table is not None:
                    tables[table.variable] = table
    return tables


def core_table(ctx: Context, module: ModuleFacts, variable: str, call: v.Call,
               pos: v.Pos | None = None) -> CoreTable | None:
    name = v.literal_str(call.args[0]) if call.args else None
    if name is None:
        return None
    owner = Owner(name, module, {})
    columns: list[ColumnSpec] = []
    constraints: list[ConstraintSpec] = []
    for arg in call.args[1:]:
        kind = sa_name(ctx.symbols.ref(arg)) if isinstance(arg, v.Call) else None
        if kind == "Column" and isinstance(arg, v.Call):
            column_name = v.literal_str(arg.args[0]) if arg.args else None
            spec = column_spec(ctx, owner, AttributeFact(column_name or "?", None, arg, arg.pos))
            if spec is not None:
                columns.append(spec)
        elif kind in KINDS:
            found = constraint(ctx, module, arg)
            if found is not None:
                constraints.append(found)
    columns = _with_table_level_keys(columns, constraints)
    schema = v.literal_str(call.kwarg("schema"))
    metadata = metadata_call(ctx, call.args[1]) if len(call.args) > 1 else None
    if schema is None and metadata is not None:
        schema = v.literal_str(metadata.kwarg("schema"))
    return CoreTable(variable, name, schema, tuple(columns), tuple(constraints), module,
                     pos or call.pos, naming_convention(ctx, metadata))


def _with_table_level_keys(columns: list[ColumnSpec], constraints: list[ConstraintSpec]
                           ) -> list[ColumnSpec]:
    """``ForeignKeyConstraint(["post_id"], ["posts.id"])`` and ``PrimaryKeyConstraint(...)``
    written at table level: the same keys as if each column had declared them."""
    by_name = {spec.column: spec for spec in columns}
    for found in constraints:
        names = [v.literal_str(c) or (c.qname.rsplit(".", 1)[-1] if isinstance(c, v.Ref) else "")
                 for c in found.columns]
        if found.kind == "foreign_key":
            for name, target in zip(names, found.referred, strict=False):
                if name in by_name:
                    key = ForeignKeySpec(target, found.name, found.on_delete, found.on_update,
                                         found.pos)
                    by_name[name] = replace(by_name[name], foreign_keys=(
                        *by_name[name].foreign_keys, key))
        elif found.kind == "primary_key":
            for name in names:
                if name in by_name:
                    by_name[name] = replace(by_name[name], primary_key=True, nullable=False)
    return [by_name[spec.column] for spec in columns]

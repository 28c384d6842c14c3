"""Association tables (a relationship's ``secondary``) as the IR's join tables.

A join table in the IR holds foreign-key columns only. A column that is not a foreign key (a
surrogate ``id``, a ``created_at``) is reported (FB112) and left out, and the table's key is then
its foreign-key columns: the IR never names a key column it does not list (#27).
"""

from __future__ import annotations

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.columnrefs import ColumnResolver
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.entities import ACTIONS
from fastbackend.frontends.sqlalchemy.facts import ModuleFacts
from fastbackend.frontends.sqlalchemy.index import TableInfo
from fastbackend_ir import ColumnReference, JoinColumn, JoinTable, Location, SourceMap


def join_table(ctx: Context, info: TableInfo, resolver: ColumnResolver, source_map: SourceMap
               ) -> JoinTable | None:
    columns = _columns(info, resolver)
    module, pos = _where(ctx, info)
    if module is not None:
        source_map[f"/joinTables/{_escape(info.key)}"] = Location(module.relative, pos.line,
                                                                  pos.column)
    listed = {c.name for c in columns}
    _report_extra_columns(ctx, info, listed)
    constraints = info.core.constraints if info.core is not None else ()
    pk = [c.spec.column for c in info.columns.values() if c.spec.primary_key]
    for found in constraints:
        if found.kind == "primary_key":
            pk = column_names(found.columns)
    uniques: list[tuple[str, ...]] = [(c.spec.column,) for c in info.columns.values()
                                      if c.spec.unique]
    uniques += [tuple(column_names(u.columns)) for u in constraints if u.kind == "unique"]
    indexes: list[tuple[str, ...]] = [(c.spec.column,) for c in info.columns.values()
                                      if c.spec.index]
    indexes += [tuple(column_names(i.columns)) for i in constraints if i.kind == "index"]
    return JoinTable(
        table=info.name,
        columns=tuple(columns),
        schema=info.schema,
        source=module.relative if module is not None else None,
        primary_key=tuple(pk) if set(pk) <= listed else (),  # () : its foreign keys
        uniques=tuple(names for names in uniques if names and set(names) <= listed),
        indexes=tuple(names for names in indexes if names and set(names) <= listed),
    )


def _columns(info: TableInfo, resolver: ColumnResolver) -> list[JoinColumn]:
    columns: list[JoinColumn] = []
    for at in info.columns.values():
        for fk in at.spec.foreign_keys:
            target = resolver.resolve(fk.target, None)
            if target is None or target.entity is None:
                continue
            columns.append(JoinColumn(
                at.spec.column, ColumnReference(target.entity, target.spec.attr),
                ACTIONS.get((fk.on_delete or "").upper()), ACTIONS.get((fk.on_update or "").upper())))
    return columns


def _where(ctx: Context, info: TableInfo) -> tuple[ModuleFacts | None, v.Pos]:
    core = info.core
    if core is not None:
        return core.module, core.pos
    if info.root is not None:
        return ctx.module(info.root.cls.fact), info.root.cls.fact.pos
    return None, v.Pos(1, 1)


def _report_extra_columns(ctx: Context, info: TableInfo, listed: set[str]) -> None:
    if info.core is None:
        return  # an association class's table: the entity holds every column
    for at in info.columns.values():
        if at.spec.column not in listed:
            ctx.warn(info.core.module, at.spec.pos, codes.JOIN_TABLE_COLUMN, f"column "
                     f"{at.spec.column} of association table {info.key} is not a foreign key; "
                     "the IR's join tables hold only foreign-key columns, so it is left out (the "
                     "table's key is its foreign keys)")


def column_names(values: tuple[v.Value, ...]) -> list[str]:
    """``"post_id"`` or ``post_tags.c.post_id`` in an association table's constraint."""
    names: list[str] = []
    for value in values:
        if isinstance(value, v.Lit) and isinstance(value.value, str):
            names.append(value.value)
        elif isinstance(value, v.Ref):
            names.append(value.qname.rsplit(".", 1)[-1])
    return names


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")

"""Association tables (a relationship's ``secondary``) as the IR's join tables.

A join table in the IR holds foreign-key columns only. A column that is not a foreign key (a
surrogate ``id``, a ``created_at``) is reported (FB112) and left out, and the table's key is then
its foreign-key columns: the IR never names a key column it does not list (#27).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.columnrefs import ColumnResolver
from fastbackend.frontends.sqlalchemy.constraints import (
    apply_convention,
    too_long,
    too_long_message,
)
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.entities import ACTIONS
from fastbackend.frontends.sqlalchemy.facts import ModuleFacts
from fastbackend.frontends.sqlalchemy.index import TableInfo
from fastbackend.passes.constraint_names import PostgresDefaultNames
from fastbackend_ir import ColumnReference, JoinColumn, JoinTable, Location, SourceMap


def join_table(ctx: Context, info: TableInfo, resolver: ColumnResolver, source_map: SourceMap
               ) -> JoinTable | None:
    naming = info.core.naming if info.core is not None else (
        info.root.naming if info.root is not None else {})
    columns = _columns(info, resolver, naming)
    _refuse_long_names(ctx, info, naming)
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
    named = partial(apply_convention, naming, table=info.name)
    uniques: list[tuple[tuple[str, ...], str | None]] = [
        ((c.spec.column,), named("uq", columns=[c.spec.column]))
        for c in info.columns.values() if c.spec.unique]
    uniques += [(tuple(names := column_names(u.columns)), named("uq", columns=names, given=u.name))
                for u in constraints if u.kind == "unique"]
    indexes: list[tuple[tuple[str, ...], str | None]] = [
        ((c.spec.column,), named("ix", columns=[c.spec.column]))
        for c in info.columns.values() if c.spec.index]
    indexes += [(tuple(names := column_names(i.columns)), named("ix", columns=names, given=i.name))
                for i in constraints if i.kind == "index"]
    uniques = [(names, name) for names, name in uniques if names and set(names) <= listed]
    indexes = [(names, name) for names, name in indexes if names and set(names) <= listed]
    keyed = set(pk) <= listed
    given_pk = next((c.name for c in constraints if c.kind == "primary_key"), None)
    return JoinTable(
        table=info.name,
        columns=tuple(columns),
        schema=info.schema,
        source=module.relative if module is not None else None,
        primary_key=tuple(pk) if keyed else (),  # () : its foreign keys
        uniques=tuple(names for names, _ in uniques),
        indexes=tuple(names for names, _ in indexes),
        # The names its naming convention or the source gives; the rest are the database's
        # (fastbackend.passes.constraint_names).
        primary_key_name=named("pk", columns=pk, given=given_pk) if keyed else None,
        unique_names=_all_named(uniques, PostgresDefaultNames().unique, info.name),
        index_names=_all_named(indexes, PostgresDefaultNames().index, info.name),
    )


_CONVENTION_KEYS = {"unique": "uq", "index": "ix", "primary_key": "pk", "check": "ck",
                    "foreign_key": "fk"}


def _refuse_long_names(ctx: Context, info: TableInfo, naming: dict[str, str]) -> None:
    """FB115 for a `name=` PostgreSQL cannot hold, as on a mapped class's constraints (an
    association class's own table is its entity's: reported there)."""
    core = info.core
    if core is None:
        return
    given = [(found.name, _CONVENTION_KEYS[found.kind], found.pos) for found in core.constraints]
    given += [(fk.name, "fk", fk.pos) for spec in core.columns for fk in spec.foreign_keys]
    for name, key, pos in given:
        if name is not None and too_long(name, apply_convention(naming, key, info.name, [],
                                                                given=name)):
            ctx.error(core.module, pos, codes.NAME_TOO_LONG, too_long_message(name))


def _all_named(items: list[tuple[tuple[str, ...], str | None]],
               default: Callable[[str, list[str]], str], table: str) -> tuple[str, ...]:
    if all(name is None for _, name in items):
        return ()  # the pass names them all
    return tuple(name or default(table, list(names)) for names, name in items)


def _columns(info: TableInfo, resolver: ColumnResolver, naming: dict[str, str]
             ) -> list[JoinColumn]:
    columns: list[JoinColumn] = []
    for at in info.columns.values():
        for fk in at.spec.foreign_keys:
            target = resolver.resolve(fk.target, None)
            if target is None or target.entity is None:
                continue
            referred = target.table.rsplit(".", 1)[-1]
            columns.append(JoinColumn(
                at.spec.column, ColumnReference(target.entity, target.spec.attr),
                ACTIONS.get((fk.on_delete or "").upper()), ACTIONS.get((fk.on_update or "").upper()),
                apply_convention(naming, "fk", info.name, [at.spec.column], referred, fk.name)))
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

"""Every constraint of an IR with its name: what adapters create tables with and map errors by.

From IR 1.1 the compiler names every primary key, unique constraint, index, check and foreign
key, following the source's own rule (docs/ir.md), and adapters only read those names. A minor
version only adds optional keys, so an IR 1.0 document (or one built in code) may leave names
out: `named` fills each gap with the name FastBackend gave such a constraint before 1.1
(`pk_<table>`, `uq_<table>_<columns>`, `ix_`, `fk_`, `ck_<table>_<n>`, shortened to PostgreSQL's
63 bytes with a hash), so a database created from a 1.0 IR keeps its constraint names. A name the
IR gives is never changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from fastbackend_ir.nodes import IR, Entity, Index, JoinTable, PrimaryKey

LEGACY_MAX = 63  # the 1.0 runtime kept its own names within PostgreSQL's limit


def legacy_name(prefix: str, table: str, columns: tuple[str, ...] | list[str]) -> str:
    """The name the IR 1.0 runtime gave an unnamed constraint."""
    name = "_".join([prefix, table, *columns])
    if len(name) <= LEGACY_MAX:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:LEGACY_MAX - 9]}_{digest}"


def named(ir: IR) -> IR:
    """``ir`` with a name on every constraint (the same object when nothing is missing)."""
    entities = {key: _entity(entity) for key, entity in ir.entities.items()}
    join_tables = {key: _join_table(table) for key, table in ir.join_tables.items()}
    if all(entities[k] is ir.entities[k] for k in entities) and all(
            join_tables[k] is ir.join_tables[k] for k in join_tables):
        return ir
    return replace(ir, entities=entities, join_tables=join_tables)


def unique_index(index: Index) -> bool:
    """A unique index that is a plain unique constraint (no predicate, no expression): created
    as one, so that its violations name its fields."""
    return index.unique and index.where is None and not any(i.expression for i in index.fields)


def primary_key_fields(entity: Entity) -> tuple[str, ...]:
    if entity.primary_key is not None:
        return entity.primary_key.fields
    marked = tuple(f.name for f in entity.fields if f.primary_key)
    return marked or entity.api.key


def _entity(entity: Entity) -> Entity:
    if _complete(entity):
        return entity
    table = entity.table
    columns = {f.name: f.column for f in entity.fields}

    def cols(fields: tuple[str, ...]) -> list[str]:
        return [columns.get(name, name) for name in fields]

    key = entity.primary_key or PrimaryKey(primary_key_fields(entity))
    fields = tuple(replace(f, unique_name=legacy_name("uq", table, [f.column]))
                   if f.unique and f.unique_name is None else f for f in entity.fields)
    uniques = tuple(u if u.name else replace(u, name=legacy_name("uq", table, cols(u.fields)))
                    for u in entity.uniques)
    indexes = tuple(i if i.name else replace(i, name=_legacy_index_name(table, columns, i))
                    for i in entity.indexes)
    checks = tuple(c if c.name else replace(c, name=legacy_name("ck", table, [str(n)]))
                   for n, c in enumerate(entity.checks))
    keys = tuple(k if k.name else replace(k, name=legacy_name("fk", table, cols(k.fields)))
                 for k in entity.foreign_keys)
    return replace(entity, fields=fields, uniques=uniques, indexes=indexes, checks=checks,
                   foreign_keys=keys, primary_key=key if key.name else replace(
                       key, name=legacy_name("pk", table, [])))


def _legacy_index_name(table: str, columns: dict[str, str], index: Index) -> str:
    names = [i.field if i.expression else columns.get(i.field, i.field) for i in index.fields]
    return legacy_name("uq" if unique_index(index) else "ix", table, names)


def _complete(entity: Entity) -> bool:
    return (entity.primary_key is not None and entity.primary_key.name is not None
            and all(f.unique_name for f in entity.fields if f.unique)
            and all(u.name for u in entity.uniques) and all(i.name for i in entity.indexes)
            and all(c.name for c in entity.checks) and all(k.name for k in entity.foreign_keys))


def _join_table(join: JoinTable) -> JoinTable:
    table = join.table
    if (join.primary_key_name and all(c.foreign_key_name for c in join.columns)
            and len(join.unique_names) == len(join.uniques)
            and len(join.index_names) == len(join.indexes)):
        return join
    return replace(
        join,
        primary_key_name=join.primary_key_name or legacy_name("pk", table, []),
        columns=tuple(c if c.foreign_key_name else replace(
            c, foreign_key_name=legacy_name("fk", table, [c.name])) for c in join.columns),
        unique_names=join.unique_names or tuple(legacy_name("uq", table, u) for u in join.uniques),
        index_names=join.index_names or tuple(legacy_name("ix", table, i) for i in join.indexes),
    )

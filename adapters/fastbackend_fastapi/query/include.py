"""include=author,comments.author: related rows for a whole page, one query per include.

Like SQLAlchemy's selectinload: the page's link values go into one ``IN`` list per relation
(and per nesting level), never a query per row. Rows are plain dicts of every field; the
response keeps only readable ones (shapes.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fastbackend_fastapi import scope
from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.query.nodes import Counts, Include
from fastbackend_fastapi.query.sql import (
    Compiler,
    related_scope,
    related_scope_parameters,
    table_key,
)
from fastbackend_fastapi.query.vocabulary import RelationInfo

OWNER = "fastbackend_owner_"  # labels of the join table's columns in a many-to-many load
COUNTED = "fastbackend_count_"  # labels of the counts of include=_count.<relation>
COUNTS = "_count"  # where a row's counts go in the response (Prisma's name)
Key = tuple[Any, ...]


@dataclass
class IncludeLoader:
    """Statements per relation, built on first use and kept."""

    metadata: sa.MetaData
    scopes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # entity -> scope fields
    _statements: dict[int, sa.Select[Any]] = field(default_factory=dict)
    _counts: dict[tuple[Any, ...], tuple[sa.Select[Any], tuple[str, ...]]] = field(
        default_factory=dict)

    def count(self, connection: Connection, rows: Sequence[dict[str, Any]],
              counts: Counts) -> None:
        """Set ``row["_count"]`` to ``{relation: number of related rows}`` on every row, from
        one statement for the whole page: a correlated ``count(*)`` subquery per relation,
        with the related entity's row scope, as its relation route counts."""
        keys = [key for key in (_key(row, counts.key) for row in rows) if key is not None]
        found: dict[Key, tuple[int, ...]] = {}
        if keys:
            statement, scoped = self._count_statement(counts, dialects.of(connection.dialect))
            single = len(counts.key) == 1
            parameters: dict[str, Any] = {"keys": [k[0] for k in keys] if single else keys}
            if scoped:
                parameters.update(related_scope_parameters(scoped, self.scopes))
            width = len(counts.key)
            for result in connection.execute(statement, parameters):
                found[tuple(result[:width])] = tuple(int(n) for n in result[width:])
        names = [relation.name for relation in counts.relations]
        for row in rows:
            numbers = found.get(_key(row, counts.key) or (), (0,) * len(names))
            row[COUNTS] = dict(zip(names, numbers, strict=True))

    def _count_statement(self, counts: Counts, dialect: dialects.Dialect
                         ) -> tuple[sa.Select[Any], tuple[str, ...]]:
        cache_key = (counts, dialect)
        built = self._counts.get(cache_key)
        if built is None:
            compiler = Compiler(self.metadata, dialect, self.scopes)
            owner = compiler.table(counts.table)
            columns: list[Any] = [owner.c[name] for name in counts.key]
            for i, relation in enumerate(counts.relations):
                target = compiler.table(relation.target_table).alias(f"counted{i}")
                source, link = compiler.link(relation, owner, target)
                scoped = compiler.scope_of(relation.target, target)
                columns.append(sa.select(sa.func.count()).select_from(source)
                               .where(link, *scoped).scalar_subquery().label(f"{COUNTED}{i}"))
            statement = sa.select(*columns).where(_in([owner.c[name] for name in counts.key]))
            built = self._counts[cache_key] = (statement, tuple(sorted(compiler.scoped)))
        return built

    def load(self, connection: Connection, rows: Sequence[dict[str, Any]],
             includes: Sequence[Include]) -> None:
        """Set each include's value (a dict, None or a list of dicts) on every row."""
        for include in includes:
            related = self._load_one(connection, rows, include.relation)
            if include.children:
                self.load(connection, related, include.children)

    def _load_one(self, connection: Connection, rows: Sequence[dict[str, Any]],
                  relation: RelationInfo) -> list[dict[str, Any]]:
        keys = {_key(row, relation.this_fields) for row in rows}
        keys.discard(None)
        groups: dict[Key, list[dict[str, Any]]] = {}
        loaded: list[dict[str, Any]] = []
        if keys:
            single = len(relation.this_fields) == 1
            bound = [key[0] for key in keys] if single else list(keys)  # type: ignore[index]
            parameters = {"keys": bound}
            if relation.target in self.scopes:
                parameters.update(related_scope_parameters((relation.target,), self.scopes))
            for found in connection.execute(self._statement(relation), parameters):
                item = dict(found._mapping)
                owner = self._owner(item, relation)
                if not scope.visible(relation.target, item):
                    continue  # another tenant's row, reached through a relation (scope.py)
                groups.setdefault(owner, []).append(item)
                loaded.append(item)
        for row in rows:
            matched = groups.get(_key(row, relation.this_fields) or (), [])
            row[relation.name] = matched if relation.to_many else (matched[0] if matched else None)
        return loaded

    @staticmethod
    def _owner(item: dict[str, Any], relation: RelationInfo) -> Key:
        if relation.join_table is None:
            return tuple(item[name] for name in relation.target_fields)
        return tuple(item.pop(f"{OWNER}{i}") for i in range(len(relation.join_columns)))

    def _statement(self, relation: RelationInfo) -> sa.Select[Any]:
        found = self._statements.get(id(relation))
        if found is None:
            found = self._statements[id(relation)] = self._build(relation)
        return found

    def _build(self, relation: RelationInfo) -> sa.Select[Any]:
        target = self.metadata.tables[table_key(relation.target_table)]
        columns: list[Any] = [target.c[name].label(name) for name in relation.target_columns]
        order = [target.c[name] for name in relation.target_key]
        scoped = related_scope(relation.target, tuple(self.scopes.get(relation.target, ())),
                               target, self.metadata)
        if relation.join_table is None:
            matched = [target.c[name] for name in relation.target_fields]
            return sa.select(*columns).where(_in(matched), *scoped).order_by(*order)
        join = self.metadata.tables[table_key(relation.join_table)]
        on = sa.and_(*(join.c[ic] == target.c[tf] for ic, tf in zip(
            relation.inverse_join_columns, relation.target_fields, strict=True)))
        owners = [join.c[name] for name in relation.join_columns]
        columns += [column.label(f"{OWNER}{i}") for i, column in enumerate(owners)]
        return (sa.select(*columns).select_from(join.join(target, on))
                .where(_in(owners), *scoped).order_by(*order))


def _in(columns: list[sa.Column[Any]]) -> sa.ColumnElement[bool]:
    keys: sa.BindParameter[Any] = sa.bindparam("keys", expanding=True)
    if len(columns) == 1:
        return columns[0].in_(keys)
    return sa.tuple_(*columns).in_(keys)


def _key(row: dict[str, Any], names: tuple[str, ...]) -> Key | None:
    key = tuple(row[name] for name in names)
    return None if any(value is None for value in key) else key

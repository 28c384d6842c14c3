"""List queries: limit/offset, `field=value` equality filters and `sort`.

This is the seam for the full query language (operators, where=JSON, cursor, fields, include):
it replaces ``ListParser.parse`` and ``statements``; the routes only see ListQuery.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError

from fastbackend_fastapi import pytypes
from fastbackend_fastapi.problems import Problem
from fastbackend_fastapi.schemas import readable
from fastbackend_fastapi.settings import Settings
from fastbackend_fastapi.store import EntityStore
from fastbackend_ir import IR, Entity, Field

RESERVED = ("limit", "offset", "sort", "count")
# Equality on these is not meaningful (JSON) or not portable (arrays, bytes in a URL).
NOT_FILTERABLE = ("json", "bytes")


@dataclass(frozen=True)
class ListQuery:
    filters: tuple[tuple[str, Any], ...]
    sort: tuple[tuple[str, bool], ...]  # (field, descending)
    limit: int
    offset: int
    count: bool


def bad_parameter(name: str, message: str) -> Problem:
    return Problem(400, "invalid-parameter", f"query parameter {name!r}: {message}")


@dataclass(frozen=True)
class ListParser:
    filterable: dict[str, TypeAdapter[Any]]
    sortable: frozenset[str]
    settings: Settings

    def parse(self, items: Iterable[tuple[str, str]]) -> ListQuery:
        params: dict[str, str] = {}
        for name, value in items:
            if name in params:
                raise bad_parameter(name, "given more than once")
            params[name] = value
        filters = tuple(self._filter(name, value) for name, value in params.items()
                        if name not in RESERVED)
        return ListQuery(
            filters=filters,
            sort=self._sort(params.get("sort")),
            limit=self._limit(params.get("limit")),
            offset=self._offset(params.get("offset")),
            count=self._count(params.get("count")),
        )

    def _filter(self, name: str, raw: str) -> tuple[str, Any]:
        adapter = self.filterable.get(name)
        if adapter is None:
            raise bad_parameter(name, "not a field that can be filtered on")
        try:
            return name, adapter.validate_strings(raw)
        except ValidationError as error:
            raise bad_parameter(name, error.errors()[0]["msg"]) from None

    def _sort(self, raw: str | None) -> tuple[tuple[str, bool], ...]:
        if not raw:
            return ()
        order = []
        for part in raw.split(","):
            name = part.strip().removeprefix("-")
            if name not in self.sortable:
                raise bad_parameter("sort", f"cannot sort on {name!r}")
            order.append((name, part.strip().startswith("-")))
        return tuple(order)

    def _limit(self, raw: str | None) -> int:
        if raw is None:
            return self.settings.default_limit
        value = _integer("limit", raw)
        if not 1 <= value <= self.settings.max_limit:
            raise bad_parameter("limit", f"must be between 1 and {self.settings.max_limit}")
        return value

    def _offset(self, raw: str | None) -> int:
        value = 0 if raw is None else _integer("offset", raw)
        if value < 0 or value > pytypes.INT64[1]:
            raise bad_parameter("offset", "must be a non-negative integer")
        return value

    def _count(self, raw: str | None) -> bool:
        if raw not in (None, "none", "exact"):
            raise bad_parameter("count", "must be 'exact' (the default) or 'none'")
        return raw != "none"


def _integer(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise bad_parameter(name, "must be an integer") from None


def _filterable(field: Field) -> bool:
    return readable(field) and not field.list and field.type not in NOT_FILTERABLE


def build_parser(ir: IR, entity: Entity, settings: Settings) -> ListParser:
    adapters = {f.name: TypeAdapter(pytypes.python_type(f, ir), config=pytypes.JSON_CONFIG)
                for f in entity.fields if _filterable(f)}
    return ListParser(adapters, frozenset(adapters), settings)


Statements = tuple[sa.Select[Any], sa.Select[Any]]
TOTAL_LABEL = "fastbackend_total"
MAX_SHAPES = 256  # distinct (filters, sort) combinations kept per collection


@dataclass
class ListStatements:
    """The page and count statements of one collection, built once per query shape.

    Values travel as bound parameters, so a shape's statements are reused (with SQLAlchemy's
    compiled cache) by every request of that shape. ``scope`` columns restrict the rows to a
    relation's (compared with parameters scope_0, scope_1, ...); ``source`` adds a join.
    """

    store: EntityStore
    scope: tuple[sa.ColumnElement[Any], ...] = ()
    source: sa.FromClause | None = None
    _shapes: dict[tuple[Any, ...], Statements] = field(default_factory=dict)

    def for_query(self, query: ListQuery) -> Statements:
        shape = (tuple(name for name, _ in query.filters), query.sort, query.count)
        found = self._shapes.get(shape)
        if found is None:
            if len(self._shapes) >= MAX_SHAPES:
                self._shapes.clear()
            found = self._shapes[shape] = self._build(*shape)
        return found

    def parameters(self, query: ListQuery, scope_values: tuple[Any, ...] = ()) -> dict[str, Any]:
        parameters = {f"filter_{name}": value for name, value in query.filters}
        parameters.update({f"scope_{i}": value for i, value in enumerate(scope_values)})
        parameters.update(page_limit=query.limit, page_offset=query.offset)
        return parameters

    def _build(self, filters: tuple[str, ...], sort: tuple[tuple[str, bool], ...],
               with_total: bool) -> Statements:
        """The page carries the total as its last column, from an uncorrelated scalar subquery
        that the database runs once: one round trip per page. (A window count(*) OVER () would
        make it read the whole filtered set before LIMIT: 6x slower on SQLite.) The separate
        count statement serves pages that come back empty."""
        columns = self.store.entity_table.columns
        conditions = [columns[name] == sa.bindparam(f"filter_{name}") for name in filters]
        conditions += [column == sa.bindparam(f"scope_{i}") for i, column in enumerate(self.scope)]
        where = sa.and_(sa.true(), *conditions)
        source = self.store.table if self.source is None else self.source
        order = [columns[name].desc() if descending else columns[name].asc()
                 for name, descending in sort]
        sorted_on = {name for name, _ in sort}
        order += [columns[name].asc() for name in self.store.key_fields
                  if name not in sorted_on]  # the key breaks ties
        count = sa.select(sa.func.count()).select_from(source).where(where)
        selected: list[Any] = list(self.store.columns)
        if with_total:
            selected.append(count.scalar_subquery().label(TOTAL_LABEL))
        page = (sa.select(*selected).select_from(source).where(where).order_by(*order)
                .limit(sa.bindparam("page_limit", type_=sa.Integer()))
                .offset(sa.bindparam("page_offset", type_=sa.BigInteger())))
        return page, count

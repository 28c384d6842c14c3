"""`GET /posts/aggregate`: parameters -> an AggregateQuery -> one SELECT ... GROUP BY.

    ?status=published&group_by=author.name&count=*&sum=views&having=count.*__gte=2
    &sort=-sum.views&limit=10

The filters (and `where=`) are the list query language's, applied before aggregating. Which
fields may be grouped and aggregated, and which functions apply to each, the compiler records
in the IR (`roles.groupable`, `roles.aggregates`); this module only checks that record.
Group-by paths walk to-one relations as LEFT OUTER JOINs (a row with no related row is the
group `null`); the related entity's row scope is part of the join.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from fastbackend_contract import tables
from fastbackend_fastapi.database import search_indexes
from fastbackend_fastapi.query import operators, search
from fastbackend_fastapi.query.cursor import PARAMETER as CURSOR
from fastbackend_fastapi.query.cursor import CursorCodec
from fastbackend_fastapi.query.errors import bad_parameter
from fastbackend_fastapi.query.limits import QueryLimits
from fastbackend_fastapi.query.nodes import Node
from fastbackend_fastapi.query.parse import RESERVED, QueryParser
from fastbackend_fastapi.query.sql import Compiler
from fastbackend_fastapi.query.vocabulary import FieldInfo, RelationInfo
from fastbackend_ir.contract import roles

FUNCTIONS = tuple(aggregate.name for aggregate in tables.AGGREGATES)
ROWS = tables.AGGREGATE_ROWS
OWN = frozenset({"group_by", "having", "sort", "limit", "offset", CURSOR, search.PARAMETER,
                 *FUNCTIONS})
PAGING = frozenset({"limit", "offset", CURSOR})  # what may change from one page to the next
MAX_INTEGER = 2**53 - 1  # the largest limit, offset or count a request may give (JSON's safe range)
COMPARISONS = {"eq": "__eq__", "ne": "__ne__", "gt": "__gt__", "gte": "__ge__",
               "lt": "__lt__", "lte": "__le__"}


@dataclass(frozen=True)
class Target:
    """A field, maybe reached through to-one relations (``author.name``)."""

    name: str  # as the request spells it
    path: tuple[RelationInfo, ...]
    field: FieldInfo


@dataclass(frozen=True)
class Measure:
    function: str
    target: Target | None  # None: `count=*`

    @property
    def name(self) -> str:
        return f"{self.function}.{self.target.name if self.target else ROWS}"


@dataclass(frozen=True)
class Having:
    measure: Measure
    op: str
    value: Any


@dataclass(frozen=True)
class AggregateQuery:
    where: Node
    group_by: tuple[Target, ...]
    measures: tuple[Measure, ...]
    having: tuple[Having, ...]
    sort: tuple[tuple[Measure | Target, bool], ...]  # (term, descending)
    limit: int | None
    offset: int
    search: str | None = None  # `search=`: aggregate the rows the full-text search matches
    cursor: tuple[Any, ...] | None = None  # the last group's key values (keys() order)
    spelled: str = ""  # what a cursor of this query is bound to (keys + the query's digest)

    def keys(self) -> tuple[tuple[Measure | Target, bool], ...]:
        """The keyset order: the sort terms, then every group field not sorted on, ascending.
        Groups differ in their group fields, so the order is total."""
        named = [term for term, _ in self.sort]
        return (*self.sort, *((t, False) for t in self.group_by if t not in named))


def spelled_keys(keys: Sequence[tuple[Measure | Target, bool]], params: Mapping[str, str]) -> str:
    """A cursor's binding: its keys (``-count.*,author.name``) and a digest of every parameter
    but the page's own (limit, offset, cursor), so a cursor of another query is refused."""
    order = ",".join(("-" if descending else "") + term.name for term, descending in keys)
    text = "".join(f"{name}\0{params[name]}\0" for name in sorted(params)
                   if name not in PAGING)
    return f"{order}@{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class AggregateParser:
    parser: QueryParser
    max_groups: int
    cursors: CursorCodec | None = None

    def parse(self, params: Mapping[str, str], limits: QueryLimits) -> AggregateQuery:
        for name in params:
            if name in RESERVED and name not in OWN and name != "where":
                raise bad_parameter(name, "an aggregate request takes filters, where, "
                                          "search, group_by, having, sort, limit, offset and "
                                          + ", ".join(FUNCTIONS))
        filters = {name: value for name, value in params.items() if name not in OWN}
        where = self.parser.parse_mapping(filters, limits).where
        group_by = tuple(self._target("group_by", name, limits, group=True)
                         for name in _split(params.get("group_by", "")))
        if len({t.name for t in group_by}) != len(group_by):
            raise bad_parameter("group_by", "a field is named twice")
        measures = self._measures(params, limits)
        having = tuple(self._having(term, limits)
                       for term in _split(params.get("having", "")))
        sort = self._sort(params.get("sort", ""), group_by, limits)
        text = params.get(search.PARAMETER)
        query = AggregateQuery(where, group_by, measures, having, sort,
                               self._limit(params.get("limit")),
                               self._offset(params.get("offset")),
                               None if text is None else search.checked(self.parser.entity, text))
        spelled = spelled_keys(query.keys(), params)
        token = params.get(CURSOR)
        if token is None:
            return replace(query, spelled=spelled)
        if "offset" in params:
            raise bad_parameter(CURSOR, "cannot be combined with offset")
        return replace(query, spelled=spelled, cursor=self._cursor(token, query, spelled))

    def _cursor(self, token: str, query: AggregateQuery, spelled: str) -> tuple[Any, ...]:
        assert self.cursors is not None
        document = self.cursors.document(token)
        if not isinstance(document, dict) or document.get("s") != spelled:
            raise bad_parameter(CURSOR, "the cursor was issued for another query: send the same "
                                        "filters, group_by, having, sort and search with it")
        raw = document.get("v")
        keys = query.keys()
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise bad_parameter(CURSOR, "not a cursor this API issued")
        return tuple(_key_value(term, value) for (term, _), value in zip(keys, raw, strict=True))

    def _target(self, parameter: str, name: str, limits: QueryLimits, *,
                group: bool = False, function: str | None = None) -> Target:
        *path, last = name.split(".")
        if len(path) > limits.max_relation_depth:
            raise bad_parameter(parameter, f"walks more than {limits.max_relation_depth} "
                                           "relations")
        entity, relations = self.parser.walk(parameter, path, to_one_only=True)
        info = entity.fields.get(last)
        if info is None or not info.filterable:
            raise bad_parameter(parameter, f"{entity.name} has no field {last!r} that can be "
                                           "aggregated")
        granted = roles(info.field)
        if group and not granted.groupable:
            raise bad_parameter(parameter, f"cannot group by {name!r}: neither indexed nor "
                                           "declared in fastbackend.yaml's `aggregate`")
        if function is not None and not granted.aggregates:
            raise bad_parameter(parameter, f"cannot aggregate {name!r}: neither indexed nor "
                                           "declared in fastbackend.yaml's `aggregate`")
        if function is not None and function not in granted.aggregates:
            raise bad_parameter(parameter, f"cannot take {function} of {name!r}: {function} "
                                           f"does not apply to {info.type} fields")
        return Target(name, tuple(relations), info)

    def _measure(self, parameter: str, function: str, name: str,
                 limits: QueryLimits) -> Measure:
        if name == ROWS:
            if function != "count":
                raise bad_parameter(parameter, f"'{ROWS}' (every row) is for count only")
            return Measure(function, None)
        return Measure(function, self._target(parameter, name, limits, function=function))

    def _measures(self, params: Mapping[str, str], limits: QueryLimits) -> tuple[Measure, ...]:
        measures: list[Measure] = []
        for function in FUNCTIONS:
            for name in _split(params.get(function, "")):
                measure = self._measure(function, function, name, limits)
                if measure not in measures:
                    measures.append(measure)
        if len(measures) > limits.max_names:
            raise bad_parameter("aggregates", f"more than {limits.max_names} aggregates")
        return tuple(measures) or (Measure("count", None),)

    def _named_measure(self, parameter: str, text: str, limits: QueryLimits) -> Measure:
        function, dot, name = text.partition(".")
        if not dot or function not in FUNCTIONS:
            raise bad_parameter(parameter, f"{text!r} is not an aggregate such as count.* or "
                                           "sum.views (functions: " + ", ".join(FUNCTIONS)
                                + ")")
        return self._measure(parameter, function, name, limits)

    def _having(self, term: str, limits: QueryLimits) -> Having:
        left, equals, raw = term.partition("=")
        measure_text, _, op = left.rpartition("__")
        if not equals or op not in COMPARISONS:
            raise bad_parameter("having", f"{term!r}: write aggregate__op=value, op one of "
                                          + ", ".join(COMPARISONS))
        measure = self._named_measure("having", measure_text, limits)
        return Having(measure, op, _having_value(measure, raw))

    def _sort(self, raw: str, group_by: tuple[Target, ...],
              limits: QueryLimits) -> tuple[tuple[Measure | Target, bool], ...]:
        groups = {t.name: t for t in group_by}
        terms: list[tuple[Measure | Target, bool]] = []
        for part in _split(raw):
            descending, name = part.startswith("-"), part.removeprefix("-")
            # a group_by entry, or an aggregate (answered or not)
            term = groups[name] if name in groups else self._named_measure("sort", name, limits)
            if any(found == term for found, _ in terms):
                raise bad_parameter("sort", f"{name!r} is named twice")
            terms.append((term, descending))
        return tuple(terms)

    def _limit(self, raw: str | None) -> int | None:
        if raw is None:
            return None
        if not _whole(raw) or not 1 <= int(raw) <= self.max_groups:
            raise bad_parameter("limit", f"must be between 1 and {self.max_groups} "
                                         "(limits.max_groups)")
        return int(raw)

    def _offset(self, raw: str | None) -> int:
        if raw is None:
            return 0
        if not _whole(raw) or int(raw) > MAX_INTEGER:
            raise bad_parameter("offset", "must be a non-negative integer")
        return int(raw)


def _whole(text: str) -> bool:
    """ASCII digits only (``"²".isdigit()`` is true, and ``int("²")`` raises)."""
    return text.isascii() and text.isdigit()


def _key_value(term: Measure | Target, value: Any) -> Any:
    """A cursor's key value, parsed as the group field's value or as the aggregate's number
    (a value the cursor cannot hold is a 400, as an altered cursor is)."""
    if value is None:
        return None
    field = term.field if isinstance(term, Target) else None
    if isinstance(term, Measure):
        if term.function in ("count", "count_distinct"):
            kind: Any = int
        elif term.function == "avg" or (term.function == "sum" and term.target is not None
                                        and term.target.field.type not in ("integer", "bigint",
                                                                           "decimal")):
            kind = float
        elif term.function == "sum" and term.target is not None and \
                term.target.field.type != "decimal":
            kind = int
        else:
            assert term.target is not None
            field = term.target.field
            kind = None
        if kind is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                    kind is int and not isinstance(value, int)):
                raise bad_parameter(CURSOR, "not a cursor this API issued")
            return kind(value)
    assert field is not None
    try:
        return field.adapter.validate_json(json.dumps(value))
    except ValueError:
        raise bad_parameter(CURSOR, "not a cursor this API issued") from None


def _having_value(measure: Measure, raw: str) -> Any:
    """Counts are integers, sums and means numbers, min and max the field's own type (parsed
    as a filter's value is)."""
    if measure.function in ("count", "count_distinct"):
        if not _whole(raw.removeprefix("-")) or abs(int(raw)) > MAX_INTEGER:
            raise bad_parameter("having", f"{measure.name} takes an integer, not {raw!r}")
        return int(raw)
    assert measure.target is not None
    field = measure.target.field
    if measure.function in ("sum", "avg"):
        try:
            number = Decimal(raw.strip())
        except InvalidOperation:
            number = Decimal("nan")
        if not number.is_finite() or not math.isfinite(float(number)):
            raise bad_parameter("having", f"{measure.name} takes a number, not {raw!r}")
        return number if field.type == "decimal" else float(number)
    try:
        return field.adapter.validate_strings(raw)
    except ValueError as error:
        raise bad_parameter("having", f"{measure.name}: {raw!r} is not a value of "
                                      f"{field.type}: {error}") from None


# -- SQL -------------------------------------------------------------------------------------

@dataclass
class AggregateSql:
    """One SELECT: the group columns, then the measures; conditions as the list's."""

    compiler: Compiler
    base: sa.FromClause
    source: sa.FromClause
    joins: dict[tuple[str, ...], sa.FromClause]

    def column(self, target: Target) -> sa.ColumnElement[Any]:
        table = self.base
        for depth in range(1, len(target.path) + 1):
            table = self._joined(target.path[:depth], table)
        return table.c[target.field.name]

    def _joined(self, path: tuple[RelationInfo, ...], outer: sa.FromClause) -> sa.FromClause:
        names = tuple(relation.name for relation in path)
        found = self.joins.get(names)
        if found is not None:
            return found
        relation = path[-1]
        target = self.compiler.table(relation.target_table).alias(f"g{len(self.joins)}")
        _, link = self.compiler.link(relation, outer, target)
        scoped = self.compiler.scope_of(relation.target, target)
        self.source = self.source.outerjoin(target, sa.and_(link, *scoped))
        self.joins[names] = target
        return target

    def measure(self, measure: Measure) -> sa.ColumnElement[Any]:
        if measure.target is None:
            return sa.func.count()
        column: sa.ColumnElement[Any] = self.column(measure.target)
        function = measure.function
        if function == "count_distinct":
            return sa.func.count(sa.distinct(column))
        if function in ("min", "max") and measure.target.field.type == "decimal":
            # SQLite keeps decimals as text: compare them as numbers (Dialect.COMPARABLE)
            column = operators.comparable(column, measure.target.field, self.compiler.dialect)
        if function == "avg":
            return sa.func.avg(sa.cast(column, sa.Float))
        return getattr(sa.func, function)(column)  # type: ignore[no-any-return]


def build(query: AggregateQuery, compiler: Compiler, table: sa.FromClause,
          conditions: list[sa.ColumnElement[bool]], fetch: int | None) -> sa.Select[Any]:
    """``fetch`` rows at most (None: all), after ``query.offset``. With ``search=``, the rows
    are those the full-text search matches (the dialect's SQL, bound as ``search``)."""
    where = [compiler.condition(query.where, table), *conditions]
    source: sa.FromClause = table
    if query.search is not None:
        searched = search_indexes.search_of(table) if isinstance(table, sa.Table) else None
        fulltext = compiler.dialect.fulltext
        if fulltext is None or searched is None:
            raise search.unsupported(compiler.dialect.name)
        assert isinstance(table, sa.Table)
        found = fulltext.sql(table, table, searched)
        source = found.source
        where.append(found.condition)
    sql = AggregateSql(compiler, table, source, {})
    groups = [sql.column(target) for target in query.group_by]
    measures = {m: sql.measure(m) for m in query.measures}
    having = [getattr(sql.measure(h.measure), COMPARISONS[h.op])(sa.literal(h.value))
              for h in query.having]
    order: list[sa.ColumnElement[Any]] = []
    keys: list[tuple[sa.ColumnElement[Any], sa.ColumnElement[Any], bool]] = []
    for i, (term, descending) in enumerate(query.keys()):
        last = None if query.cursor is None else query.cursor[i]
        if isinstance(term, Measure):
            value = measures[term] if term in measures else sql.measure(term)
            given: sa.ColumnElement[Any] = sa.literal(last)
        else:
            raw = groups[query.group_by.index(term)]
            value = _ordered(raw, term.field, compiler)
            given = _ordered(sa.literal(last, type_=raw.type), term.field, compiler)
        order.extend(_nulls_at_the_end(value, descending))
        keys.append((value, given, descending))
    if query.cursor is not None:
        having.append(_after([(v, g, d, c is None) for (v, g, d), c in zip(
            keys, query.cursor, strict=True)]))
    columns: list[sa.ColumnElement[Any]] = [*(g.label(f"g{i}") for i, g in enumerate(groups)),
               *(m.label(f"m{i}") for i, m in enumerate(measures.values()))]
    if groups:  # the last group's key values, for the next page's cursor
        columns.extend(_raw_keys(query, groups, measures, sql))
    statement = sa.select(*columns).select_from(sql.source).where(*where)
    if groups:
        statement = statement.group_by(*groups)
    if having:
        statement = statement.having(sa.and_(*having))
    statement = statement.order_by(*order).offset(query.offset)
    return statement.limit(fetch) if fetch is not None else statement


def _raw_keys(query: AggregateQuery, groups: list[sa.ColumnElement[Any]],
              measures: dict[Measure, sa.ColumnElement[Any]],
              sql: AggregateSql) -> list[sa.ColumnElement[Any]]:
    found: list[sa.ColumnElement[Any]] = []
    for i, (term, _) in enumerate(query.keys()):
        if isinstance(term, Measure):
            value = measures[term] if term in measures else sql.measure(term)
        else:
            value = groups[query.group_by.index(term)]
        found.append(value.label(f"k{i}"))
    return found


def _after(keys: list[tuple[sa.ColumnElement[Any], sa.ColumnElement[Any], bool, bool]],
           ) -> sa.ColumnElement[bool]:
    """Groups strictly after the cursor's: (a, b, c) > (x, y, z) expanded, each key in its own
    direction, NULLs after every value ascending and before every value descending (the list's
    rule, query/sql.py's ``after``). Each key is (value, the cursor's value, descending, the
    cursor's value is NULL)."""
    branches = []
    for i, (value, given, descending, null) in enumerate(keys):
        if descending:
            step: Any = value.is_not(None) if null else value < given
        elif null:
            continue  # NULLs come last ascending: nothing after them
        else:
            step = sa.or_(value > given, value.is_(None))
        equal = [v.is_(None) if n else v == g for v, g, _, n in keys[:i]]
        branches.append(sa.and_(*equal, step))
    return sa.or_(sa.false(), *branches)


def _ordered(column: sa.ColumnElement[Any], field: FieldInfo,
             compiler: Compiler) -> sa.ColumnElement[Any]:
    """A group value as both servers order it: an enum by its value names (code point order,
    not its declaration order, which only PostgreSQL knows), SQLite's decimals and timestamps
    as their type (Dialect.COMPARABLE), anything else as stored."""
    if field.type != "enum":
        return operators.comparable(column, field, compiler.dialect)
    names = _enum_names(column.type)
    ranks = {stored: rank for rank, (_, stored) in enumerate(sorted(names))}
    return sa.case(ranks, value=sa.cast(column, sa.String()))


def _enum_names(kind: Any) -> tuple[tuple[str, str], ...]:
    """(value name, stored value) of an enum column's type (tables.py's)."""
    by_name = getattr(kind, "stored_by_name", None)
    if by_name is not None:
        return tuple(by_name)
    return tuple((value, value) for value in kind.enums)


def _nulls_at_the_end(value: sa.ColumnElement[Any],
                      descending: bool) -> list[sa.ColumnElement[Any]]:
    """NULLs after every value ascending and before every value descending, as the list sorts
    (PostgreSQL's default), spelled portably."""
    is_null = sa.case((value.is_(None), 0 if descending else 1), else_=0 if not descending
                      else 1)
    return [is_null, value.desc() if descending else value.asc()]

"""List endpoints: the query language (query/) wired to an entity's collection or relation.

Built at startup per collection: the parser (what may be named) and the statement cache (SQL per
query shape, values bound). Per request: parse, look the shape up, bind, run; includes add one
query each per page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from fastbackend_contract import tables
from fastbackend_fastapi import scope
from fastbackend_fastapi.database import dialects, direct, search_indexes
from fastbackend_fastapi.database.dialects import Dialect
from fastbackend_fastapi.query import search
from fastbackend_fastapi.query.cursor import CursorCodec
from fastbackend_fastapi.query.errors import bad_parameter
from fastbackend_fastapi.query.include import IncludeLoader
from fastbackend_fastapi.query.nodes import Query, shape, values
from fastbackend_fastapi.query.operators import by_name
from fastbackend_fastapi.query.parse import QueryParser
from fastbackend_fastapi.query.shapes import Shapes
from fastbackend_fastapi.query.sql import Compiler, related_scope_parameters
from fastbackend_fastapi.query.vocabulary import Vocabulary, build_vocabulary
from fastbackend_fastapi.settings import Settings
from fastbackend_fastapi.store import EntityStore
from fastbackend_ir import IR, Entity, canonical_json, to_dict

__all__ = ["ListParser", "ListQuery", "ListStatements", "Page", "bad_parameter", "build_parser",
           "run_list"]

ListQuery = Query
ListParser = QueryParser
TOTAL_LABEL = "fastbackend_total"
SORT_LABEL = "fastbackend_sort_"
MAX_SHAPES = 256  # distinct query shapes kept per collection
_VOCABULARIES: dict[int, tuple[IR, Vocabulary]] = {}
_SHAPES: dict[int, tuple[Vocabulary, Shapes]] = {}
_DIGESTS: dict[int, tuple[IR, bytes]] = {}


def vocabulary_of(ir: IR) -> Vocabulary:
    """One vocabulary per IR object (build_parser is called once per entity)."""
    found = _VOCABULARIES.get(id(ir))
    if found is None or found[0] is not ir:
        found = _VOCABULARIES[id(ir)] = (ir, build_vocabulary(ir))
    return found[1]


def shapes_of(vocabulary: Vocabulary) -> Shapes:
    found = _SHAPES.get(id(vocabulary))
    if found is None or found[0] is not vocabulary:
        found = _SHAPES[id(vocabulary)] = (vocabulary, Shapes(vocabulary))
    return found[1]


def _cursor_secret(ir: IR, settings: Settings) -> bytes:
    if settings.cursor_secret:
        return settings.cursor_secret.encode()
    return ir_digest(ir)


def ir_digest(ir: IR) -> bytes:
    """A digest of the IR's canonical text, once per IR object: build_parser runs once per
    entity, and hashing the whole IR each time made start-up quadratic in entities. The IR was
    validated when it was loaded, so its canonical text is taken without validating again."""
    found = _DIGESTS.get(id(ir))
    if found is None or found[0] is not ir:
        text = canonical_json(to_dict(ir))
        found = _DIGESTS[id(ir)] = (ir, hashlib.blake2b(text.encode(), digest_size=32).digest())
    return found[1]


def build_parser(ir: IR, entity: Entity, settings: Settings) -> QueryParser:
    vocabulary = vocabulary_of(ir)
    cursors = CursorCodec(entity.name, _cursor_secret(ir, settings))
    return QueryParser(vocabulary, vocabulary.entity(entity.name), settings, cursors,
                       shapes_of(vocabulary))


@dataclass(frozen=True)
class PageStatements:
    page: sa.Select[Any]
    count: sa.Select[Any]
    matching: sa.Select[Any]  # SELECT 1 of the filtered rows: what a planned count explains
    sort_labels: tuple[str, ...]  # where each sort key's value is in a page row
    scoped: tuple[str, ...] = ()  # related entities whose row scope the statements carry
    sort_positions: tuple[int, ...] = ()  # the same, as column positions in a page row
    # the page run through the driver (database/direct.py) when rows by position will do
    direct_page: direct.DirectStatement | None = None


@dataclass(frozen=True)
class Page:
    rows: list[Any]  # Rows, or dicts once includes are set on them
    total: int | None
    last_sort_values: tuple[Any, ...] | None  # set when another page follows
    counted: str | None = None  # how ``total`` was counted (exact, planned, estimated)


@dataclass
class ListStatements:
    """The page and count statements of one collection, built once per query shape.

    ``scope`` columns restrict the rows to a relation's (compared with parameters scope_0,
    scope_1, ...); ``source`` adds a join (a many-to-many's join table).
    """

    store: EntityStore
    scope: tuple[sa.ColumnElement[Any], ...] = ()
    source: sa.FromClause | None = None
    _shapes: dict[tuple[Any, ...], PageStatements] = field(default_factory=dict)
    includes: IncludeLoader = field(init=False)
    # entity -> scope fields of every scoped entity (routing.py fills it once the runtime is
    # built): filters, sorts and includes through relations honour their row scope too.
    related_scopes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.includes = IncludeLoader(self.store.table.metadata, self.related_scopes)

    def for_query(self, query: Query, dialect: Dialect,
                  total: bool | None = None) -> PageStatements:
        """``total``: whether the page carries the exact count (default: ``query.count``)."""
        total = query.count if total is None else total
        nulls = (None if query.cursor is None
                 else tuple(value is None for value in query.cursor))
        key = (shape(query.where), query.sort, total, nulls, dialect,
               query.search is not None, query.ranked, query.deleted)
        found = self._shapes.get(key)
        if found is None:
            if len(self._shapes) >= MAX_SHAPES:
                self._shapes.clear()
            found = self._shapes[key] = self._build(query, total, nulls, dialect)
        return found

    def parameters(self, query: Query, dialect: Dialect,
                   scope_values: tuple[Any, ...] = ()) -> dict[str, Any]:
        parameters = {f"p{i}": by_name(node.op).prepare(node.value, dialect)
                      for i, node in enumerate(values(query.where))}
        parameters.update({f"scope_{i}": value for i, value in enumerate(scope_values)})
        if self.store.scope_fields:
            parameters.update(self.store.scope_parameters())
        if query.search is not None and dialect.fulltext is not None:
            parameters["search"] = dialect.fulltext.parameter(query.search)
        if query.cursor is not None:
            parameters.update({f"k{i}": value for i, value in enumerate(query.cursor)
                               if value is not None})
        # One row more than asked: its presence says whether a next page exists.
        parameters.update(page_limit=query.limit + 1, page_offset=query.offset)
        return parameters

    def _build(self, query: Query, total: bool, nulls: tuple[bool, ...] | None,
               dialect: Dialect) -> PageStatements:
        """The page carries the total as its last column, from an uncorrelated scalar subquery
        that the database runs once: one round trip per page. (A window count(*) OVER () would
        make it read the whole filtered set before LIMIT: 6x slower on SQLite.) The separate
        count statement serves pages that come back empty."""
        compiler = Compiler(self.store.table.metadata, dialect, self.related_scopes)
        table = self.store.table
        conditions = self._conditions(compiler, query)
        source = table if self.source is None else self.source
        rank = None
        if query.search is not None:  # full-text search: a join (SQLite), a condition, a rank
            source, rank = self._search(query, dialect, source, conditions)
        count = sa.select(sa.func.count()).select_from(source).where(*conditions)
        matching: sa.Select[Any] = (sa.select(sa.literal_column("1")).select_from(source)
                                    .where(*conditions))
        sort_values = [compiler.sort_value(key, table) for key in query.sort]
        if nulls is not None:
            conditions.append(compiler.after(query.sort, sort_values, nulls))
        selected: list[Any] = list(self.store.columns)
        labels = []
        for i, (key, value) in enumerate(zip(query.sort, sort_values, strict=True)):
            if key.path:  # a related row's value: selected so the cursor can carry it
                selected.append(value.label(f"{SORT_LABEL}{i}"))
            labels.append(f"{SORT_LABEL}{i}" if key.path else key.field.name)
        if total:
            selected.append(count.scalar_subquery().label(TOTAL_LABEL))
        order = [compiler.order_by(key, value) for key, value in zip(query.sort, sort_values,
                                                                     strict=True)]
        if query.ranked:
            order.insert(0, rank)
        page = (sa.select(*selected).select_from(source).where(*conditions).order_by(*order)
                .limit(sa.bindparam("page_limit", type_=sa.Integer()))
                .offset(sa.bindparam("page_offset", type_=sa.BigInteger())))
        names = [column.name for column in selected]
        return PageStatements(page, count, matching, tuple(labels),
                              tuple(sorted(compiler.scoped)),
                              tuple(names.index(label) for label in labels),
                              direct.DirectStatement(page))

    def _conditions(self, compiler: Compiler, query: Query,
                    image: sa.FromClause | None = None) -> list[sa.ColumnElement[bool]]:
        """The filters, the relation's scope, the row scope (scope.py, bound per request) and
        soft delete's live rows (or `deleted=`): on the entity's table, or on ``image``."""
        table = self.store.table if image is None else image
        conditions = [compiler.condition(query.where, table)]
        if image is None:
            conditions += [column == sa.bindparam(f"scope_{i}")
                           for i, column in enumerate(self.scope)]
        conditions += self.store.list_conditions(query.deleted, image)
        return conditions

    def on_images(self, query: Query, dialect: Dialect, image: sa.FromClause
                  ) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool], tuple[str, ...]]:
        """The realtime feed's judgement of its events' row images (events/images.py): the
        list's own conditions on ``image``, a table with the entity's fields as its column keys
        (bound by ``parameters``); the row scope alone (a subscriber whose scope holds the
        row); and the related scoped entities whose parameters the first needs. Relations are
        followed to the related rows as they are. A relation's list (``scope``) has no feed."""
        compiler = Compiler(self.store.table.metadata, dialect, self.related_scopes)
        matches = sa.and_(sa.true(), *self._conditions(compiler, query, image))
        columns = {column.key: column for column in image.c}
        held = sa.and_(sa.true(), *scope.conditions(columns, self.store.scope_fields))
        return matches, held, tuple(sorted(compiler.scoped))

    def _search(self, query: Query, dialect: Dialect, source: sa.FromClause,
                conditions: list[Any]) -> tuple[sa.FromClause, Any]:
        searched = search_indexes.search_of(self.store.table)
        if dialect.fulltext is None or searched is None:
            raise search.unsupported(dialect.name)
        found = dialect.fulltext.sql(self.store.table, source, searched)
        conditions.append(found.condition)
        return found.source, found.rank


def run_list(connection: Connection, statements: ListStatements, query: Query,
             scope_values: tuple[Any, ...] = ()) -> Page:
    dialect = dialects.of(connection.dialect)
    parameters = statements.parameters(query, dialect, scope_values)
    counted, planned = _plan(connection, statements, query, dialect, parameters)
    exact = counted is not None and planned is None
    built = statements.for_query(query, dialect, exact)
    if built.scoped:
        parameters.update(related_scope_parameters(built.scoped, statements.related_scopes))
    rows: list[Any]
    if query.plain and built.direct_page is not None:  # rows by position will do
        rows = list(built.direct_page.rows(connection, parameters))
    else:
        rows = list(connection.execute(built.page, parameters))
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    last = None
    if more and not query.ranked:  # a page ordered by rank has no cursor (query/search.py)
        last = tuple(rows[-1][position] for position in built.sort_positions)
    total = _total(connection, built, query, rows, parameters) if exact else planned
    return Page(rows, total, last, counted)


def _plan(connection: Connection, statements: ListStatements, query: Query, dialect: Dialect,
          parameters: dict[str, Any]) -> tuple[str | None, int | None]:
    """How the total is counted, as `Preference-Applied` names it (None: not counted), and the
    planner's estimate when that is the total. `planned` and `estimated` explain the filtered
    rows first (a second round trip that reads none); where the database has no estimate the
    page counts exactly (`exact`), and so does `estimated` when the estimate is small."""
    if not query.count:
        return None, None
    if query.count_method == tables.COUNT_EXACT:
        return tables.COUNT_EXACT, None
    built = statements.for_query(query, dialect, False)
    if built.scoped:
        parameters.update(related_scope_parameters(built.scoped, statements.related_scopes))
    planned = dialect.planned_rows(connection, built.matching, parameters)
    if planned is None:
        return tables.COUNT_EXACT, None
    if query.count_method == tables.COUNT_ESTIMATED and planned <= tables.ESTIMATED_EXACT_UP_TO:
        return tables.COUNT_ESTIMATED, None
    return query.count_method, planned


def _total(connection: Connection, built: PageStatements, query: Query, rows: list[Row[Any]],
           parameters: dict[str, Any]) -> int | None:
    if rows:
        return int(rows[0][-1])  # the total column, see ListStatements._build
    if not query.offset and query.cursor is None:
        return 0
    return int(connection.execute(built.count, parameters).scalar_one())

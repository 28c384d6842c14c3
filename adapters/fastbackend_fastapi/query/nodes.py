"""The typed Query: what a list request asks for, values already parsed by field type.

A filter tree's *shape* (fields, operators, quantifiers, without values) keys the statement
cache; its *values* travel as bound parameters in the same depth-first order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from fastbackend_fastapi.query.vocabulary import FieldInfo, RelationInfo

Quantifier = Literal["some", "every", "none", "is", "isNot"]


@dataclass(frozen=True)
class Compare:
    field: FieldInfo
    op: str
    value: Any  # a list for in/notin, a bool for isnull


@dataclass(frozen=True)
class Related:
    relation: RelationInfo
    quantifier: Quantifier
    inner: Node


@dataclass(frozen=True)
class All:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    inner: Node


Node = Compare | Related | All | AnyOf | Not
TRUE = All(())


@dataclass(frozen=True)
class SortKey:
    path: tuple[RelationInfo, ...]  # to-one relations walked before the field
    field: FieldInfo
    descending: bool

    @property
    def spelling(self) -> str:
        names = [r.name for r in self.path] + [self.field.name]
        return ("-" if self.descending else "") + ".".join(names)


@dataclass(frozen=True)
class Include:
    relation: RelationInfo
    children: tuple[Include, ...] = ()


@dataclass(frozen=True)
class Counts:
    """``include=_count.posts,_count.tags``: each row's number of related rows per to-many
    relation, under ``_count`` (Prisma's ``include: {_count: {select: {posts: true}}}``)."""

    table: tuple[str | None, str]  # the counted rows' owner: (schema, table name)
    key: tuple[str, ...]  # its key fields, which tie a count to its row
    relations: tuple[RelationInfo, ...]


@dataclass(frozen=True)
class Query:
    where: Node
    sort: tuple[SortKey, ...]  # the key fields always close it
    limit: int
    offset: int
    cursor: tuple[Any, ...] | None  # the sort values of the last row seen
    count: bool
    fields: tuple[str, ...] | None = None
    include: tuple[Include, ...] = ()
    search: str | None = None  # full-text search (query/search.py)
    ranked: bool = False  # ordered by the search's rank before `sort`
    deleted: str | None = None  # soft delete: `only` or `include` the stamped rows (store.py)
    count_method: str = "exact"  # when ``count``: exact, planned or estimated (contract tables)
    counts: Counts | None = None  # include=_count.<relation> (query/include.py)

    @property
    def plain(self) -> bool:
        """Full rows with nothing embedded: the fast serializer applies."""
        return self.fields is None and not self.include and self.counts is None


def shape(node: Node) -> tuple[Any, ...]:
    if isinstance(node, Compare):
        return ("c", node.field, node.op, node.value if node.op == "isnull" else None)
    if isinstance(node, Related):
        return ("r", node.relation, node.quantifier, shape(node.inner))
    if isinstance(node, Not):
        return ("not", shape(node.inner))
    return (type(node).__name__, tuple(shape(item) for item in node.items))


def values(node: Node) -> list[Compare]:
    """The comparisons that carry a bound value, in the order statements number them."""
    if isinstance(node, Compare):
        return [] if node.op == "isnull" else [node]
    if isinstance(node, Related | Not):
        return values(node.inner)
    return [found for item in node.items for found in values(item)]

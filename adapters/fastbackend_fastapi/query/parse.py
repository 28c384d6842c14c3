"""Query parameters -> a typed Query; every mistake is a 400 that names its parameter.

    ?status=published&author.email__endswith=@x.io&sort=-created_at,title&limit=20
    &where={"OR":[...]}&cursor=...&fields=id,title&include=author,comments.author&count=none
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic_core import from_json

from fastbackend_contract import tables
from fastbackend_fastapi import pytypes
from fastbackend_fastapi.query import operators, search
from fastbackend_fastapi.query.cursor import CursorCodec
from fastbackend_fastapi.query.errors import bad_parameter
from fastbackend_fastapi.query.limits import DEFAULT_LIMITS, Budget, QueryLimits
from fastbackend_fastapi.query.nodes import (
    TRUE,
    All,
    Compare,
    Counts,
    Include,
    Node,
    Query,
    Related,
    SortKey,
)
from fastbackend_fastapi.query.shapes import Shapes
from fastbackend_fastapi.query.vocabulary import EntityVocabulary, RelationInfo, Vocabulary
from fastbackend_fastapi.query.where import WhereReader
from fastbackend_fastapi.settings import Settings

RESERVED = frozenset(tables.RESERVED_PARAMETERS)
DELETED_MODES = ("only", "include")  # soft delete's `deleted=`
MAX_INCLUDE_DEPTH = tables.MAX_INCLUDE_DEPTH
COUNT = "_count"  # include=_count.posts: related rows counted, not nested (query/include.py)


@dataclass(frozen=True)
class QueryParser:
    vocabulary: Vocabulary
    entity: EntityVocabulary
    settings: Settings
    cursors: CursorCodec
    shapes: Shapes  # serializers of sparse and included rows (kept here: built per IR)

    def parse(self, items: Iterable[tuple[str, str]],
              limits: QueryLimits = DEFAULT_LIMITS, preferred_count: str | None = None) -> Query:
        params: dict[str, Any] = {}
        for name, value in items:
            if name in params:
                raise bad_parameter(name, "given more than once")
            params[name] = value
        return self.parse_mapping(params, limits, preferred_count)

    def parse_mapping(self, params: Mapping[str, Any], limits: QueryLimits = DEFAULT_LIMITS,
                      preferred_count: str | None = None) -> Query:
        """``where`` may be a JSON text or an already decoded document (POST .../query);
        ``preferred_count``: a valid `Prefer: count=...`, which the `count` parameter
        overrides."""
        budget = Budget(limits)
        filters = [self._filter(name, value, budget) for name, value in params.items()
                   if name not in RESERVED]
        if "where" in params:
            filters.append(self._where(params["where"], budget))
        sort = self._sort(params.get("sort"), budget)
        text, ranked = search.parse(self.entity, params)
        cursor = self._cursor(params, sort)
        limit, offset = self._limit(params.get("limit")), self._offset(params.get("offset"))
        method = self._count(params.get("count", preferred_count), cursor is not None)
        fields, related = self._fields(params.get("fields"), budget)
        include, counts = self._includes(params.get("include"), budget, related)
        return Query(
            where=filters[0] if len(filters) == 1 else All(tuple(filters)) if filters else TRUE,
            sort=sort, limit=limit, offset=offset, cursor=cursor,
            count=method != tables.COUNT_NONE, count_method=method, fields=fields,
            include=include, search=text, ranked=ranked, counts=counts,
            deleted=self._deleted(params.get("deleted")),
        )

    def parse_include(self, raw: Any, limits: QueryLimits = DEFAULT_LIMITS,
                      ) -> tuple[tuple[Include, ...], Counts | None]:
        """`include=` alone, by the list's grammar, limits and 400s: a single row's answer
        (GET of one row, and a write's: routes/included.py)."""
        return self._includes(raw, Budget(limits), [])

    def _deleted(self, raw: Any) -> str | None:
        """`deleted=only|include` on a soft-deleting entity (IR 1.6); a 400 on any other."""
        if raw is None:
            return None
        if self.entity.soft_delete is None:
            raise bad_parameter("deleted", f"{self.entity.name} has no soft delete; declare its "
                                f"stamp field in fastbackend.yaml (models.{self.entity.name}"
                                ".soft_delete)")
        if raw not in DELETED_MODES:
            raise bad_parameter("deleted", "must be only or include")
        return str(raw)

    # filters ---------------------------------------------------------------------------
    def _filter(self, name: str, raw: Any, budget: Budget) -> Node:
        budget.condition(name)
        # a POST .../query body may give a filter's value as a JSON boolean (isnull, a flag)
        text = ("true" if raw else "false") if isinstance(raw, bool) else _text(name, raw)
        path, field_name, op_name = self._split(name)
        budget.steps(len(path), name)
        entity, relations = self.walk(name, path)
        info = entity.fields.get(field_name)
        if info is None:
            raise bad_parameter(name, "not a field that can be filtered on")
        op = operators.operator(op_name, info, name)
        if op.listed:
            budget.values(text.count(",") + 1 if text else 0, name)
        node: Node = Compare(info, op.name, operators.from_text(op, info, text, name))
        for relation in reversed(relations):  # a to-many step means "some related row"
            node = Related(relation, "some" if relation.to_many else "is", node)
        return node

    def _split(self, name: str) -> tuple[list[str], str, str]:
        *path, last = name.split(".")
        if "__" in last and last not in self._entity_at(path).fields:
            field_name, _, op_name = last.rpartition("__")
            return path, field_name, op_name
        return path, last, "eq"

    def _entity_at(self, path: list[str]) -> EntityVocabulary:
        entity = self.entity
        for step in path:
            relation = entity.relations.get(step)
            if relation is None:
                return entity  # walk reports it
            entity = self.vocabulary.entity(relation.target)
        return entity

    def walk(self, parameter: str, path: list[str],
             to_one_only: bool = False) -> tuple[EntityVocabulary, list[RelationInfo]]:
        """The entity a dot path of relation names reaches, and the relations walked; a step
        that is not an exposed relation (or a to-many one, with ``to_one_only``) is a 400
        naming ``parameter``. Public: aggregate.py walks group-by paths with it."""
        entity, relations = self.entity, []
        for step in path:
            relation = entity.relations.get(step)
            if relation is None:
                raise bad_parameter(parameter, f"{entity.name} has no relation {step!r}")
            if to_one_only and relation.to_many:
                raise bad_parameter(parameter, f"{step!r} is a to-many relation")
            relations.append(relation)
            entity = self.vocabulary.entity(relation.target)
        return entity, relations

    def _where(self, raw: Any, budget: Budget) -> Node:
        document = raw
        if isinstance(raw, str):
            try:  # pydantic-core's parser: 200 levels at most, never a RecursionError
                document = from_json(raw)
            except ValueError as error:
                raise bad_parameter("where", f"not valid JSON: {error}") from None
        return WhereReader(self.vocabulary, budget=budget).read(self.entity, document)

    # order and page --------------------------------------------------------------------
    def _sort(self, raw: Any, budget: Budget) -> tuple[SortKey, ...]:
        keys: list[SortKey] = []
        parts = _joined("sort", raw).split(",") if raw else []
        budget.names(len(parts), "sort")
        for part in parts:
            spelled = part.strip()
            *path, name = spelled.removeprefix("-").split(".")
            budget.steps(len(path), "sort")
            entity, relations = self.walk("sort", path, to_one_only=True)
            info = entity.fields.get(name)
            if info is None or not info.sortable:
                raise bad_parameter("sort", f"cannot sort on {spelled.removeprefix('-')!r}")
            key = SortKey(tuple(relations), info, spelled.startswith("-"))
            if any(k.path == key.path and k.field is key.field for k in keys):
                raise bad_parameter("sort", f"{spelled!r} appears twice")
            keys.append(key)
        sorted_on = {k.field.name for k in keys if not k.path}
        keys += [SortKey((), info, False) for name, info in self.entity.keys.items()
                 if name not in sorted_on]  # the key breaks ties: a total order
        return tuple(keys)

    def _cursor(self, params: Mapping[str, Any], sort: tuple[SortKey, ...]) -> tuple[Any, ...] | None:
        raw = params.get("cursor")
        if raw is None:
            return None
        if params.get("offset") is not None:
            raise bad_parameter("cursor", "cannot be combined with offset")
        return self.cursors.decode(_text("cursor", raw), sort)

    def _limit(self, raw: Any) -> int:
        if raw is None:
            return self.settings.default_limit
        value = _integer("limit", raw)
        if not 1 <= value <= self.settings.max_limit:
            raise bad_parameter("limit", f"must be between 1 and {self.settings.max_limit}")
        return value

    def _offset(self, raw: Any) -> int:
        value = 0 if raw is None else _integer("offset", raw)
        if value < 0 or value > pytypes.INT64[1]:
            raise bad_parameter("offset", "must be a non-negative integer")
        return value

    def _count(self, raw: Any, by_cursor: bool) -> str:
        """How `meta.total` is counted (fastbackend_contract.tables, "Prefer: count")."""
        if raw is None:  # counting is cheap next to an offset scan, not next to a seek
            return tables.COUNT_NONE if by_cursor else tables.COUNT_EXACT
        if raw not in tables.COUNT_METHOD_NAMES:
            raise bad_parameter("count", f"must be one of {', '.join(tables.COUNT_METHOD_NAMES)}")
        return str(raw)

    # shape of the response -------------------------------------------------------------
    def _fields(self, raw: Any, budget: Budget) -> tuple[tuple[str, ...] | None, list[str]]:
        """The fields asked for, and the relations named among them (included, as JSON:API's
        sparse fieldsets and PostgREST's select name them beside the fields)."""
        if raw is None:
            return None, []
        names = _names("fields", raw, budget)
        for name in names:
            if name not in self.entity.fields and name not in self.entity.relations:
                raise bad_parameter("fields", f"{self.entity.name} has no field or relation "
                                              f"{name!r}")
        fields = tuple(name for name in dict.fromkeys(names) if name in self.entity.fields)
        return fields, [name for name in names if name in self.entity.relations]

    def _includes(self, raw: Any, budget: Budget,
                  related: list[str]) -> tuple[tuple[Include, ...], Counts | None]:
        if raw is None and not related:
            return (), None
        tree: dict[str, Any] = {}
        spelled_names = _names("include", raw, budget) if raw is not None else []
        counted = [name for name in spelled_names if name.split(".")[0] == COUNT]
        for spelled in [name for name in spelled_names if name not in counted] + related:
            path = spelled.split(".")
            if len(path) > MAX_INCLUDE_DEPTH:
                raise bad_parameter("include", f"{spelled!r} is deeper than {MAX_INCLUDE_DEPTH}")
            self.walk("include", path)  # every step must be a relation
            node = tree
            for step in path:
                node = node.setdefault(step, {})
        return _include_tree(self.vocabulary, self.entity, tree), self._counts(counted)

    def _counts(self, spelled: list[str]) -> Counts | None:
        """``_count.posts``: a to-many relation of this entity, one level (as Prisma's)."""
        relations: list[RelationInfo] = []
        for name in spelled:
            _, dot, relation_name = name.partition(".")
            relation = self.entity.relations.get(relation_name) if dot else None
            if relation is None or not relation.to_many or "." in relation_name:
                raise bad_parameter("include", f"{name!r}: write {COUNT}.<relation>, a to-many "
                                               f"relation of {self.entity.name}")
            if relation not in relations:
                relations.append(relation)
        if not relations:
            return None
        return Counts(self.entity.table, self.entity.key, tuple(relations))


def _include_tree(vocabulary: Vocabulary, entity: EntityVocabulary,
                  tree: dict[str, Any]) -> tuple[Include, ...]:
    found = []
    for name, children in tree.items():
        relation = entity.relations[name]
        target = vocabulary.entity(relation.target)
        found.append(Include(relation, _include_tree(vocabulary, target, children)))
    return tuple(found)


def _text(name: str, raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise bad_parameter(name, "expected text")
    return str(raw)


def _joined(name: str, raw: Any) -> str:
    """`sort`, `fields`, `include`: comma-separated text, or (in a POST .../query body) a list."""
    if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        return ",".join(raw)
    return _text(name, raw)


def _names(name: str, raw: Any, budget: Budget) -> list[str]:
    parts = _joined(name, raw).split(",")
    budget.names(len(parts), name)
    names = [part.strip() for part in parts]
    if not all(names):
        raise bad_parameter(name, "expected comma-separated names")
    return names


def _integer(name: str, raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float):  # JSON's 17.0 is an integer (JSON Schema's, and JavaScript's)
        if raw.is_integer():
            return int(raw)
        raise bad_parameter(name, "must be an integer")
    try:
        return int(_text(name, raw))
    except ValueError:
        raise bad_parameter(name, "must be an integer") from None


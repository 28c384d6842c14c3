"""Responses with sparse fieldsets and included relations.

Rows are projected to the readable fields asked for (plus the included relations, nested the
same way) and serialized by a pydantic TypeAdapter built once per (entity, include tree).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from fastbackend_fastapi.query.include import COUNTS
from fastbackend_fastapi.query.nodes import Include, Query
from fastbackend_fastapi.query.vocabulary import EntityVocabulary, Vocabulary
from fastbackend_fastapi.schemas import OUTPUT_CONFIG, Meta

MAX_SHAPES = 256


def _typed_dict(name: str, fields: dict[str, Any]) -> Any:
    typed_dict: Any = TypedDict
    shape: Any = typed_dict(name, fields, total=False)
    shape.__pydantic_config__ = OUTPUT_CONFIG
    return shape


@dataclass
class Shapes:
    vocabulary: Vocabulary
    _pages: dict[tuple[str, tuple[Include, ...]], TypeAdapter[Any]] = field(default_factory=dict)
    _rows: dict[tuple[str, tuple[Include, ...], bool], TypeAdapter[Any]] = field(
        default_factory=dict)

    def page(self, entity: EntityVocabulary, query: Query, rows: Sequence[dict[str, Any]],
             meta: dict[str, Any]) -> bytes:
        data = [self.project(entity, query.fields, query.include, row) for row in rows]
        if query.counts is not None:  # include=_count.<relation> (query/include.py)
            for projected, row in zip(data, rows, strict=True):
                projected[COUNTS] = row[COUNTS]
        return self._page_adapter(entity, query.include).dump_json({"data": data, "meta": meta})

    def rows(self, entity: EntityVocabulary, includes: tuple[Include, ...], counted: bool,
             rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each row's readable fields and its ``includes`` (and its ``_count`` when
        ``counted``): a single row's answer with `include=` (routes/included.py)."""
        found = [self.project(entity, None, includes, row) for row in rows]
        if counted:
            for projected, row in zip(found, rows, strict=True):
                projected[COUNTS] = row[COUNTS]
        return found

    def dump(self, entity: EntityVocabulary, includes: tuple[Include, ...],
             value: dict[str, Any] | list[dict[str, Any]]) -> bytes:
        """One projected row (or a list of them) as JSON, by a serializer built once per
        (entity, include tree)."""
        many = isinstance(value, list)
        key = (entity.name, includes, many)
        found = self._rows.get(key)
        if found is None:
            if len(self._rows) >= MAX_SHAPES:
                self._rows.clear()
            row = self._row_type(entity, includes, entity.name)
            found = self._rows[key] = TypeAdapter(list[row] if many else row)  # type: ignore[valid-type]
        return found.dump_json(value)

    def project(self, entity: EntityVocabulary, names: Sequence[str] | None,
                includes: Sequence[Include], row: dict[str, Any]) -> dict[str, Any]:
        selected = entity.fields if names is None else names
        projected = {name: row[name] for name in selected}
        for include in includes:
            target = self.vocabulary.entity(include.relation.target)
            value = row[include.relation.name]
            if isinstance(value, list):
                projected[include.relation.name] = [
                    self.project(target, None, include.children, item) for item in value]
            else:
                projected[include.relation.name] = (
                    None if value is None else
                    self.project(target, None, include.children, value))
        return projected

    def _page_adapter(self, entity: EntityVocabulary,
                      includes: tuple[Include, ...]) -> TypeAdapter[Any]:
        key = (entity.name, includes)
        found = self._pages.get(key)
        if found is None:
            if len(self._pages) >= MAX_SHAPES:
                self._pages.clear()
            row = self._row_type(entity, includes, entity.name)
            page = _typed_dict(f"{entity.name}IncludedPage",
                               {"data": list[row], "meta": Meta})  # type: ignore[valid-type]
            found = self._pages[key] = TypeAdapter(page)
        return found

    def _row_type(self, entity: EntityVocabulary, includes: Sequence[Include],
                  name: str) -> Any:
        shape: dict[str, Any] = {n: NotRequired[info.annotation]
                                 for n, info in entity.fields.items()}
        for include in includes:
            relation = include.relation
            target = self.vocabulary.entity(relation.target)
            nested = self._row_type(target, include.children, f"{name}_{relation.name}")
            value_type = list[nested] if relation.to_many else nested | None  # type: ignore[valid-type]
            shape[relation.name] = NotRequired[value_type]
        shape[COUNTS] = NotRequired[dict[str, int]]
        return _typed_dict(f"{name}Row", shape)

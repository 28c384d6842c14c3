"""GET {path}/aggregate: counts, sums, means, minima and maxima of the rows the list query
language's filters match, by group (docs/query-language.md, "Aggregates").

One statement, run under the aggregate statement timeout (`limits.aggregate_timeout_seconds`,
Dialect.statement_deadline), answering at most
`limits.max_groups` groups: without a `limit`, more is a 400 `too-many-groups`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import TypeAdapter
from pydantic_core import to_json
from sqlalchemy.engine import Connection, Row

from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.problems import Problem
from fastbackend_fastapi.query.aggregate import (
    AggregateParser,
    AggregateQuery,
    Measure,
    build,
)
from fastbackend_fastapi.query.errors import bad_parameter
from fastbackend_fastapi.query.nodes import values
from fastbackend_fastapi.query.operators import by_name
from fastbackend_fastapi.query.sql import Compiler, related_scope_parameters
from fastbackend_fastapi.query.vocabulary import FieldInfo
from fastbackend_fastapi.routes.common import json_response, query_limits
from fastbackend_fastapi.runtime import Database, EntityRuntime
from fastbackend_fastapi.schemas import OUTPUT_CONFIG
from fastbackend_fastapi.security import DEFAULT_AGGREGATE_TIMEOUT, DEFAULT_MAX_GROUPS

Endpoint = Callable[[Request], Awaitable[Response]]


def _setting(request: Request, name: str, default: Any) -> Any:
    return getattr(request.app.state, name, default)


def _params(request: Request) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in params:
            raise bad_parameter(name, "given more than once")
        params[name] = value
    return params


class Answer:
    """Rows -> `{"data": [groups], "meta": {...}}`: group values and min/max in the field's
    API form, counts integers, means numbers, sums of decimals decimal strings."""

    def __init__(self, query: AggregateQuery) -> None:
        self.query = query
        self._adapters: dict[int, TypeAdapter[Any]] = {}

    def _dump(self, info: FieldInfo, value: Any) -> Any:
        adapter = self._adapters.get(id(info))
        if adapter is None:
            adapter = self._adapters[id(info)] = TypeAdapter(
                info.annotation | None, config=OUTPUT_CONFIG)
        return adapter.dump_python(value, mode="json")

    def _measure(self, measure: Measure, value: Any) -> Any:
        if value is None or measure.target is None or measure.function in (
                "count", "count_distinct"):
            return value
        info = measure.target.field
        if measure.function == "avg":
            return float(value)
        if measure.function == "sum" and info.type != "decimal":
            return int(value) if info.type in ("integer", "bigint") else float(value)
        if info.type == "decimal" and not isinstance(value, Decimal):
            value = Decimal(str(value))
        return self._dump(info, value)

    def group(self, row: Row[Any]) -> dict[str, Any]:
        groups = len(self.query.group_by)
        answer: dict[str, Any] = {}
        if groups:
            answer["group"] = {t.name: self._dump(t.field, row[i])
                               for i, t in enumerate(self.query.group_by)}
        for i, measure in enumerate(self.query.measures):
            by_field = answer.setdefault(measure.function, {})
            key = measure.target.name if measure.target else "*"
            by_field[key] = self._measure(measure, row[groups + i])
        return answer

    def key(self, row: Row[Any]) -> list[Any]:
        """The row's keyset values in their JSON form (the selected ``k`` columns)."""
        first = len(self.query.group_by) + len(self.query.measures)
        found = []
        for i, (term, _) in enumerate(self.query.keys()):
            value = row[first + i]
            if isinstance(term, Measure):
                found.append(self._measure(term, value))
            else:
                found.append(self._dump(term.field, value))
        return found

    def body(self, rows: list[Row[Any]], next_cursor: str | None = None) -> bytes:
        meta = {"limit": self.query.limit,
                "offset": None if self.query.cursor is not None else self.query.offset,
                "next_cursor": next_cursor}
        return to_json({"data": [self.group(row) for row in rows], "meta": meta})


def aggregate_endpoint(runtime: EntityRuntime, db: Database,
                       related_scopes: Mapping[str, tuple[str, ...]]) -> Endpoint:
    scopes = dict(related_scopes)

    def work(connection: Connection, query: AggregateQuery, max_groups: int,
             seconds: float) -> list[Row[Any]]:
        store = runtime.store
        compiler = Compiler(store.table.metadata, dialects.of(connection.dialect), scopes)
        # one group past the page tells whether another page follows
        fetch = query.limit + 1 if query.limit is not None else max_groups + 1
        statement = build(query, compiler, store.table, list(store.scope_conditions),
                          fetch if query.group_by else None)
        parameters = {f"p{i}": by_name(node.op).prepare(node.value, compiler.dialect)
                      for i, node in enumerate(values(query.where))}
        if store.scope_fields:
            parameters.update(store.scope_parameters())
        if query.search is not None and compiler.dialect.fulltext is not None:
            parameters["search"] = compiler.dialect.fulltext.parameter(query.search)
        if compiler.scoped:
            parameters.update(related_scope_parameters(tuple(sorted(compiler.scoped)), scopes))
        with compiler.dialect.statement_deadline(connection, seconds):
            return list(connection.execute(statement, parameters))

    async def aggregate(request: Request) -> Response:
        max_groups = int(_setting(request, "max_groups", DEFAULT_MAX_GROUPS))
        seconds = float(_setting(request, "aggregate_timeout", DEFAULT_AGGREGATE_TIMEOUT))
        parser = AggregateParser(runtime.parser, max_groups, runtime.parser.cursors)
        query = parser.parse(_params(request), query_limits(request))
        rows = await db.read(lambda c: work(c, query, max_groups, seconds))
        if query.limit is None and len(rows) > max_groups:
            raise Problem(400, "too-many-groups",
                          f"more than {max_groups} groups (limits.max_groups): give a limit, "
                          "or filters that leave fewer groups")
        answer = Answer(query)
        next_cursor = None
        if query.limit is not None and len(rows) > query.limit:
            rows = rows[:query.limit]
            next_cursor = runtime.parser.cursors.sign(query.spelled, answer.key(rows[-1]))
        return json_response(answer.body(rows, next_cursor))

    return aggregate

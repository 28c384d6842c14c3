"""`include=` on a single row's answer: GET of one row and the writes the contract names
(fastbackend_contract.tables.INCLUDED_ACTIONS; docs/rest-api.md "include on one row").

The value is read by the list's parser (query/parse.py: its grammar, depth, `max_names` and
400 naming `include`) before anything is written, so a bad one writes nothing. The related
rows are loaded by the list's loader (query/include.py) in the route's own transaction, after
every row the request writes (a nested create's children are there), with the row scope and
soft delete every include honours, and serialized as a list row's (query/shapes.py). The ETag
stays the row's own: the tag a client sends back in `If-Match` is the row's, whatever it
included. With `Prefer: return=minimal` there is no body: the value is still checked, then
ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy.engine import Connection, Row

from fastbackend_contract import tables
from fastbackend_fastapi import prefer
from fastbackend_fastapi.query.errors import bad_parameter
from fastbackend_fastapi.query.nodes import Counts, Include
from fastbackend_fastapi.routes.common import query_limits
from fastbackend_fastapi.runtime import EntityRuntime

PARAMETER = tables.INCLUDE_PARAMETER


@dataclass(frozen=True)
class Included:
    """What one request asked to include, for rows of ``runtime``'s entity."""

    runtime: EntityRuntime
    include: tuple[Include, ...]
    counts: Counts | None

    def body(self, connection: Connection, rows: Sequence[Row[Any]], many: bool) -> bytes:
        """The rows with their includes, as JSON (one object, or a list when ``many``), read
        through ``connection`` (the write's transaction)."""
        loaded = [dict(row._mapping) for row in rows]
        loader = self.runtime.lists.includes
        loader.load(connection, loaded, self.include)
        if self.counts is not None:  # include=_count.<relation>
            loader.count(connection, loaded, self.counts)
        shapes, entity = self.runtime.parser.shapes, self.runtime.parser.entity
        projected = shapes.rows(entity, self.include, self.counts is not None, loaded)
        return shapes.dump(entity, self.include, projected if many else projected[0])


def wanted(request: Request, runtime: EntityRuntime, action: str) -> Included | None:
    """The request's `include=` on a route whose answer takes one, checked now (400 naming
    `include`); None without one, on any other route, and when the answer has no body
    (`Prefer: return=minimal`)."""
    if action not in tables.INCLUDED_ACTIONS:
        return None
    given = request.query_params.getlist(PARAMETER)
    if not given:
        return None
    if len(given) > 1:
        raise bad_parameter(PARAMETER, "given more than once")
    include, counts = runtime.parser.parse_include(given[0], query_limits(request))
    if action in tables.MINIMAL_BY_ACTION and prefer.wants_minimal(request):
        return None
    return Included(runtime, include, counts)


def answered(included: Included | None, connection: Connection, rows: Sequence[Row[Any]],
             many: bool = False) -> bytes | None:
    """The answer's body with its includes, or None (the route's plain representation)."""
    return None if included is None else included.body(connection, rows, many)

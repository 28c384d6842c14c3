"""Routes under `{path}/{key}/{relation}`: to-one objects, to-many lists, many-to-many links.

A relation is reduced to "target rows whose ``target_fields`` equal this row's ``this_fields``",
directly or through a join table, so one set of endpoints serves every kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.engine import Connection, Row

from fastbackend_fastapi import prefer
from fastbackend_fastapi.listing import ListQuery, ListStatements, Page
from fastbackend_fastapi.problems import Problem
from fastbackend_fastapi.routes.collection import (
    bulk_path,
    created_response,
    insert_all,
    max_nested_depth,
    page_response,
    read_items,
    read_page,
)
from fastbackend_fastapi.routes.common import no_content, query_limits, representation_response
from fastbackend_fastapi.routes.included import answered, wanted
from fastbackend_fastapi.runtime import Database, EntityRuntime, Runtime
from fastbackend_fastapi.schemas import EntitySchemas
from fastbackend_ir import IR, Entity, Relation
from fastbackend_ir.contract import child_fields

if TYPE_CHECKING:  # nested.py imports this module
    from fastbackend_fastapi.auth import Guard
    from fastbackend_fastapi.routes.nested import NestedWrites, Node

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Link:
    """How this entity's rows reach the target's rows for one relation end."""

    relation: Relation
    owner: EntityRuntime
    target: EntityRuntime
    this_fields: tuple[str, ...]
    target_fields: tuple[str, ...]
    join_table: sa.Table | None = None
    join_columns: tuple[str, ...] = ()
    inverse_join_columns: tuple[str, ...] = ()
    child_schemas: EntitySchemas | None = None

    def this_values(self, row: Row[Any]) -> tuple[Any, ...]:
        mapping = row._mapping
        return tuple(mapping[name] for name in self.this_fields)

    def scope_columns(self) -> tuple[sa.ColumnElement[Any], ...]:
        """The columns that must equal this row's ``this_fields`` values."""
        if self.join_table is None:
            columns = self.target.store.entity_table.columns
            return tuple(columns[name] for name in self.target_fields)
        return tuple(self.join_table.c[name] for name in self.join_columns)

    def scope(self, values: tuple[Any, ...]) -> sa.ColumnElement[bool]:
        return sa.and_(*(column == value for column, value in zip(self.scope_columns(), values,
                                                                  strict=True)))

    def source(self) -> sa.FromClause | None:
        if self.join_table is None:
            return None
        columns = self.target.store.entity_table.columns
        on = sa.and_(*(self.join_table.c[jc] == columns[tf]
                       for jc, tf in zip(self.inverse_join_columns, self.target_fields,
                                         strict=True)))
        return self.target.store.table.join(self.join_table, on)

    def list_statements(self) -> ListStatements:
        return ListStatements(self.target.store, self.scope_columns(), self.source())

    def link_values(self, this_row: Row[Any], target_row: Row[Any]) -> dict[str, Any]:
        target_mapping = target_row._mapping
        values = dict(zip(self.join_columns, self.this_values(this_row), strict=True))
        values.update({jc: target_mapping[tf] for jc, tf in zip(
            self.inverse_join_columns, self.target_fields, strict=True)})
        return values


def build_link(ir: IR, runtime: Runtime, entity: Entity, relation: Relation) -> Link:
    """The relation's linking fields are the IR's (``localFields``/``remoteFields``); a child
    created under a one-to-many's URL takes the remote ones from the owner, not its body."""
    owner, target = runtime.entity(entity.name), runtime.entity(relation.target)
    local, remote = relation.local_fields, relation.remote_fields
    if relation.kind == "manyToMany":
        key = relation.join_table or ""
        return Link(relation, owner, target, local, remote,
                    join_table=runtime.catalog.join_tables[key],
                    join_columns=relation.join_columns,
                    inverse_join_columns=relation.inverse_join_columns,
                    child_schemas=target.schemas)
    child = (target.schemas.without(ir, target.entity, child_fields(relation))
             if relation.to_many else None)
    return Link(relation, owner, target, local, remote, child_schemas=child)


def _owner_row(connection: Connection, link: Link, key_text: str, lock: bool = False) -> Row[Any]:
    key = link.owner.parse_key(key_text)
    row = link.owner.store.get(connection, key, lock=lock)
    if row is None:
        raise link.owner.not_found(key_text)
    return row


def _no_related(link: Link, key_text: str) -> Problem:
    return Problem(404, "not-found", f"{link.owner.entity.name} {key_text!r} has no "
                                     f"{link.relation.name}")


def _read_to_one(connection: Connection, link: Link, key_text: str) -> Row[Any]:
    values = link.this_values(_owner_row(connection, link, key_text))
    if any(value is None for value in values):
        raise _no_related(link, key_text)
    store = link.target.store
    statement = (sa.select(*store.columns).where(link.scope(values), *store.scope_conditions)
                 .limit(1))
    row = connection.execute(statement, store.scope_parameters()).first()
    if row is None:
        raise _no_related(link, key_text)
    return row


def to_one_endpoint(link: Link, db: Database) -> Endpoint:
    async def read_related(request: Request) -> Response:
        key_text = request.path_params["key"]
        asked = wanted(request, link.target, "readRelated")

        def work(connection: Connection) -> tuple[Row[Any], bytes | None]:
            row = _read_to_one(connection, link, key_text)
            return row, answered(asked, connection, [row])

        row, body = await db.read(work)
        return representation_response(request, link.target, row, body)

    return read_related


def to_many_endpoint(link: Link, db: Database,
                     related_scopes: Mapping[str, tuple[str, ...]] | None = None) -> Endpoint:
    target = link.target
    statements = link.list_statements()
    statements.related_scopes.update(related_scopes or {})

    def work(connection: Connection, key_text: str, query: ListQuery) -> Page:
        values = link.this_values(_owner_row(connection, link, key_text))
        return read_page(connection, statements, query, values)

    async def list_related(request: Request) -> Response:
        preferred = prefer.preferred_count(request)
        query = target.parser.parse(request.query_params.multi_items(), query_limits(request),
                                    preferred)
        key_text = request.path_params["key"]
        page = await db.read(lambda c: work(c, key_text, query))
        return page_response(target, query, page, prefer.count_applied(
            preferred, "count" in request.query_params, page.counted))

    return list_related


def _create_related(connection: Connection, db: Database, link: Link, key_text: str,
                    items: list[Any], many: bool,
                    write: Callable[[Mapping[str, Any]], Row[Any]] | None = None,
                    ) -> list[Row[Any]]:
    """The child's row (``write``: a nested write's, given the fields the owner fixes)."""
    this_row = _owner_row(connection, link, key_text, lock=True)
    if link.join_table is None:
        fixed = dict(zip(link.target_fields, link.this_values(this_row), strict=True))
        if write is not None:
            return [write(fixed)]
        return insert_all(connection, db, link.target, items, many, fixed)
    rows = [write({})] if write is not None else insert_all(connection, db, link.target,
                                                             items, many)
    for row in rows:  # a nested `connect` of the owner linked it already: one link
        _insert_link(connection, db, link, this_row, row)
    return rows


def create_related_endpoint(link: Link, db: Database,
                            nested: NestedWrites | None = None) -> Endpoint:
    """POST {path}/{key}/{relation}: one child, its key from the owner; ``nested``: its body
    may nest related rows as a create's may (routes/nested.py), but for the relation back to
    the owner, whose key the URL gives (contract.child_fields)."""
    schemas = link.child_schemas
    assert schemas is not None
    given = frozenset(child_fields(link.relation))

    async def create_related(request: Request) -> Response:
        key_text = request.path_params["key"]
        asked = wanted(request, link.target, "createRelated")
        planned: list[Node] = []

        def plan(body: bytes, error: ValidationError) -> list[Node] | None:
            if nested is None or not nested.nests(link.target, error):
                return None
            planned.append(nested.plan(link.target, body, max_nested_depth(request),
                                       excluded=given))
            return planned

        items, many = await read_items(request, schemas, bulk_path(link.target), plan)
        guard: Guard | None = getattr(request.app.state, "guard", None)
        if planned and nested is not None and guard is not None:
            await guard.require(request, nested.needs(planned[0]))
        nodes = planned if nested is not None else []

        def write(connection: Connection) -> tuple[list[Row[Any]], bytes | None]:
            rows = _create_related(connection, db, link, key_text, items, many, (
                (lambda fixed: nested.write(connection, nodes[0], fixed))
                if nodes and nested is not None else None))
            return rows, answered(asked, connection, rows, many)

        rows, body = await db.write(write)
        return created_response(request, link.target, rows, many, "createRelated",
                                included=body)

    return create_related


def _target_row(connection: Connection, link: Link, target_text: str) -> Row[Any]:
    key = link.target.parse_key(target_text)
    row = link.target.store.get(connection, key)
    if row is None:
        raise link.target.not_found(target_text)
    return row


def _link(connection: Connection, db: Database, link: Link, key_text: str,
          target_text: str) -> None:
    assert link.join_table is not None
    owner, target = (_owner_row(connection, link, key_text, lock=True),
                     _target_row(connection, link, target_text))
    _insert_link(connection, db, link, owner, target)


def _insert_link(connection: Connection, db: Database, link: Link, owner: Row[Any],
                 target: Row[Any]) -> None:
    """The link of two rows, and its event, unless they are linked already."""
    assert link.join_table is not None
    values = link.link_values(owner, target)
    table = link.join_table
    exists = sa.select(sa.literal(1)).where(*(table.c[n] == v for n, v in values.items()))
    if connection.execute(exists).first() is None:  # linking twice is not an error (PUT)
        # Only a link made at this instant from the other end can collide: a 409 then.
        with db.guard(link.owner.entity.name, "link", {}):
            connection.execute(sa.insert(table), values)
        record_link(connection, db, link, "link", owner, target)


def record_link(connection: Connection, db: Database, link: Link, operation: str,
                owner: Row[Any], target: Row[Any]) -> None:
    """A link or unlink event, on the owner's row: the relation and the target's key."""
    db.record(connection, link.owner, operation, [owner], link={
        "relation": link.relation.name, "target": link.target.entity.name,
        "target_key": list(link.target.store.key_of(target))})


def _unlink(connection: Connection, db: Database, link: Link, key_text: str,
            target_text: str) -> None:
    assert link.join_table is not None
    owner, target = (_owner_row(connection, link, key_text, lock=True),
                     _target_row(connection, link, target_text))
    values = link.link_values(owner, target)
    table = link.join_table
    deleted = connection.execute(
        sa.delete(table).where(*(table.c[n] == v for n, v in values.items()))).rowcount
    if not deleted:
        raise Problem(404, "not-found", f"{link.owner.entity.name} {key_text!r} is not linked "
                                        f"to {link.target.entity.name} {target_text!r}")
    record_link(connection, db, link, "unlink", owner, target)


def link_endpoint(link: Link, db: Database, unlink: bool) -> Endpoint:
    action = _unlink if unlink else _link

    async def change_link(request: Request) -> Response:
        key_text, target_text = request.path_params["key"], request.path_params["target_key"]
        await db.write(lambda c: action(c, db, link, key_text, target_text))
        return no_content(request, "unlink" if unlink else "link")

    return change_link

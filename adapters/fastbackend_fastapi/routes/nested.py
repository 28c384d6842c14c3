"""Nested writes: a create whose body names relation fields with Prisma's operations
(docs/rest-api.md "Nested writes"), written in the create's one transaction.

    POST /posts {"title": "x", "author": {"connect": {"id": 3}},
                 "comments": {"create": [{"body": "hi"}]}}

Which relation takes which operation is the contract's decision
(fastbackend_ir.contract.nested_operations); this module translates it. Two passes:

1. ``plan``: the whole body is checked before anything is written, each nested row by its
   entity's create schema (the linking fields the nesting sets left out, as under a relation's
   URL), each `where` by the target's key or one unique field; every error of the body in one
   422, each with a JSON Pointer into it (`/comments/create/1/body`). Past
   `limits.max_nested_depth`, a 422 `nested_depth` pointing at the relation.
2. ``write``: rows a row's foreign key needs first (to-one `create`/`connect`), then the row,
   then its to-many rows (their key set to it) and links. A `connect` finds its row through the
   target's own statement (row scope, soft delete): a row out of the caller's scope, or
   soft-deleted, is a 422 `not_found` as if it did not exist. A database refusal keeps its
   problem, its pointers prefixed with the nested row's place. Every row written and every link
   made records its events. Any failure rolls the whole request back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError
from pydantic_core import from_json
from sqlalchemy.engine import Connection, Row

from fastbackend_fastapi import pytypes
from fastbackend_fastapi.problems import FieldError, Problem, from_validation_error, pointer
from fastbackend_fastapi.problems import validation_problem as problem_of
from fastbackend_fastapi.routes.relations import Link, build_link, record_link
from fastbackend_fastapi.runtime import EntityRuntime, Runtime
from fastbackend_fastapi.schemas import INPUT_CONFIG, EntitySchemas, typed_dict
from fastbackend_ir import IR
from fastbackend_ir.contract import child_fields, holds_key, nested_operations, roles

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Edge:
    """One relation a create's body may nest, and the operations the contract gives it."""

    link: Link
    operations: tuple[str, ...]
    holds_key: bool  # this row holds the foreign key: the related row is written first

    @property
    def name(self) -> str:
        return self.link.relation.name


@dataclass
class Connect:
    """A `connect` (``create`` None) or a `connectOrCreate` of one row."""

    values: dict[str, Any]  # the where: the key's fields or one unique field
    location: Location
    shown: str  # the where as sent, for a not_found message: `id 3`, `name "a"`
    create: Node | None = None


@dataclass
class Node:
    """One row to create, with what its relations nest."""

    runtime: EntityRuntime
    values: dict[str, Any]
    location: Location
    before: list[tuple[Edge, Connect | Node]] = field(default_factory=list)  # to-one
    after: list[tuple[Edge, Connect | Node]] = field(default_factory=list)  # to-many


class NestedWrites:
    """Every entity's nestable relations, each entity's built on first use (a schema of a
    thousand entities starts without building them all)."""

    def __init__(self, ir: IR, runtime: Runtime) -> None:
        self.ir, self.runtime = ir, runtime
        self._edges: dict[str, dict[str, Edge]] = {}
        self._schemas: dict[tuple[str, frozenset[str]], EntitySchemas] = {}
        self._wheres: dict[str, tuple[TypeAdapter[Any], tuple[frozenset[str], ...]]] = {}

    def edges(self, name: str) -> dict[str, Edge]:
        """The relations a create of entity ``name`` may nest, by name."""
        if name not in self._edges:
            ir, runtime, entity = self.ir, self.runtime, self.ir.entities[name]
            found = {}
            for relation in entity.relations:
                operations = nested_operations(ir, entity, relation)
                if operations and relation.target in runtime.entities:
                    link = build_link(ir, runtime, entity, relation)
                    found[relation.name] = Edge(link, operations, holds_key(entity, relation))
            self._edges[name] = found
        return self._edges[name]

    def nests(self, runtime: EntityRuntime, error: ValidationError) -> bool:
        """Whether a create's body refused by the flat schema names a nestable relation."""
        edges = self.edges(runtime.entity.name)
        return any(item["type"] == "extra_forbidden" and len(item["loc"]) == 1
                   and item["loc"][0] in edges for item in error.errors())

    # -- the plan ----------------------------------------------------------------------------

    def plan(self, runtime: EntityRuntime, body: bytes, max_depth: int) -> Node:
        try:
            document = from_json(body)
        except ValueError as error:
            raise Problem(400, "malformed-json",
                          f"the request body is not valid JSON: {error}") from None
        errors: list[FieldError] = []
        node = self._node(runtime, document, (), 0, max_depth, frozenset(), errors)
        if errors or node is None:
            raise problem_of(errors)
        return node

    def _schemas_of(self, runtime: EntityRuntime, excluded: frozenset[str]) -> EntitySchemas:
        if not excluded:
            return runtime.schemas
        key = (runtime.entity.name, excluded)
        if key not in self._schemas:
            self._schemas[key] = runtime.schemas.without(self.ir, runtime.entity, excluded)
        return self._schemas[key]

    def _node(self, runtime: EntityRuntime, document: Any, location: Location, depth: int,
              max_depth: int, excluded: frozenset[str], errors: list[FieldError]) -> Node | None:
        if not isinstance(document, dict):
            errors.append(FieldError(pointer(location), "dict_type", "Input should be an object"))
            return None
        # A row created under a relation takes its key from the owner: the relation back to
        # it is not nestable here (its field is unknown, as under the relation's URL).
        edges = {name: edge for name, edge in self.edges(runtime.entity.name).items()
                 if not set(edge.link.this_fields) & excluded}
        scalars: dict[str, Any] = {}
        node = Node(runtime, {}, location)
        for name, value in document.items():
            edge = edges.get(name)
            if edge is None:
                scalars[name] = value
                continue
            here = (*location, name)
            if edge.holds_key:  # named: its key is the relation's, refused or not
                excluded |= set(edge.link.this_fields)
            if depth >= max_depth:
                errors.append(FieldError(pointer(here), "nested_depth", (
                    f"nested writes go {max_depth} relation levels deep at most "
                    "(limits.max_nested_depth)")))
                continue
            for item in self._operations(edge, value, here, depth + 1, max_depth, errors):
                (node.before if edge.holds_key else node.after).append((edge, item))
        schemas = self._schemas_of(runtime, excluded)
        try:
            node.values = schemas.create.validate_json(json.dumps(scalars))
        except ValidationError as error:
            errors.extend(from_validation_error(error, location, schemas.read_only_fields).errors)
        return node

    def _operations(self, edge: Edge, value: Any, location: Location, depth: int,
                    max_depth: int, errors: list[FieldError]) -> list[Connect | Node]:
        allowed = ", ".join(edge.operations)
        if not isinstance(value, dict) or not value:
            errors.append(FieldError(pointer(location), "nested_operation",
                                     f"{edge.name} takes an object naming one of: {allowed}"))
            return []
        to_many = edge.link.relation.to_many
        if not to_many and len(value) > 1:
            errors.append(FieldError(pointer(location), "nested_operation",
                                     f"{edge.name} is one row: name one of {allowed}"))
            return []
        found: list[Connect | Node] = []
        for operation, argument in value.items():
            here = (*location, operation)
            if operation not in edge.operations:
                errors.append(FieldError(pointer(here), "nested_operation",
                                         f"{edge.name} takes {allowed}, not {operation}"))
                continue
            items = [(argument, here)]
            if to_many and isinstance(argument, list):
                items = [(item, (*here, i)) for i, item in enumerate(argument)]
            for item, place in items:
                made = self._operation(edge, operation, item, place, depth, max_depth, errors)
                if made is not None:
                    found.append(made)
        return found

    def _operation(self, edge: Edge, operation: str, argument: Any, location: Location,
                   depth: int, max_depth: int, errors: list[FieldError]) -> Connect | Node | None:
        target = edge.link.target
        excluded = frozenset() if edge.holds_key else frozenset(child_fields(edge.link.relation))
        if operation == "create":
            return self._node(target, argument, location, depth, max_depth, excluded, errors)
        if operation == "connect":
            where = self._where(target, argument, location, errors)
            return None if where is None else Connect(where, location, _shown(argument))
        if not isinstance(argument, dict) or set(argument) != {"where", "create"}:
            errors.append(FieldError(pointer(location), "nested_operation",
                                     "connectOrCreate takes an object of `where` and `create`"))
            return None
        where = self._where(target, argument["where"], (*location, "where"), errors)
        create = self._node(target, argument["create"], (*location, "create"), depth,
                            max_depth, excluded, errors)
        if where is None or create is None:
            return None
        return Connect(where, location, _shown(argument["where"]), create)

    def _where_adapter(self, runtime: EntityRuntime) -> tuple[TypeAdapter[Any],
                                                            tuple[frozenset[str], ...]]:
        """The target's unique selectors: its key's fields, and each readable unique field."""
        name = runtime.entity.name
        if name not in self._wheres:
            entity = runtime.entity
            fields = {f.name: f for f in entity.fields}
            names = [*entity.api.key, *(f.name for f in entity.fields if f.unique
                                        and roles(f).readable and f.name not in entity.api.key)]
            shape = {n: NotRequired[pytypes.python_type(fields[n], self.ir)] for n in names}
            typed = typed_dict(f"{entity.api.singular}WhereUnique", shape, INPUT_CONFIG)
            selectors = (frozenset(entity.api.key),
                         *(frozenset([n]) for n in names if n not in entity.api.key))
            self._wheres[name] = (TypeAdapter(typed), selectors)
        return self._wheres[name]

    def _where(self, runtime: EntityRuntime, argument: Any, location: Location,
               errors: list[FieldError]) -> dict[str, Any] | None:
        adapter, selectors = self._where_adapter(runtime)
        spelled = " or ".join("+".join(sorted(s)) for s in selectors)
        if not isinstance(argument, dict) or frozenset(argument) not in selectors:
            errors.append(FieldError(pointer(location), "invalid_where",
                                     f"name one {runtime.entity.name} by {spelled}"))
            return None
        try:
            found: dict[str, Any] = adapter.validate_json(json.dumps(argument))
        except ValidationError as error:
            errors.extend(from_validation_error(error, location).errors)
            return None
        return found

    def needs(self, node: Node) -> list[tuple[str, str]]:
        """The (entity, operation) pairs the plan performs beyond the route's own: each nested
        row's create, each connect's read (a one-to-many's moves its row: an update), so their
        auth dependencies run as on their own routes (auth.Guard.require)."""
        found: dict[tuple[str, str], None] = {}
        pending: list[tuple[Edge | None, Connect | Node]] = [(None, node)]
        while pending:
            edge, item = pending.pop()
            if isinstance(item, Node):
                found[(item.runtime.entity.name, "create")] = None
                pending.extend(item.before + item.after)
                continue
            assert edge is not None
            moves = edge.link.join_table is None and not edge.holds_key
            found[(edge.link.target.entity.name, "update" if moves else "read")] = None
            if item.create is not None:
                pending.append((edge, item.create))
        found.pop((node.runtime.entity.name, "create"), None)  # the route's own
        return list(found)

    # -- the writes --------------------------------------------------------------------------

    def write(self, connection: Connection, node: Node,
              fixed: Mapping[str, Any] | None = None) -> Row[Any]:
        db, runtime = self.runtime.database, node.runtime
        values = {**node.values, **(fixed or {})}
        for edge, item in node.before:
            row = self._one(connection, edge, item)
            values.update(zip(edge.link.this_fields, _values(row, edge.link.target_fields),
                              strict=True))
        with db.guard(runtime.entity.name, "insert", values, node.location):
            row = runtime.store.create(connection, values)
        db.record(connection, runtime, "create", [row])
        for edge, item in node.after:
            self._many(connection, edge, item, row)
        return row

    def _one(self, connection: Connection, edge: Edge, item: Connect | Node) -> Row[Any]:
        """The to-one row the new row's foreign key takes: found, or created."""
        if isinstance(item, Node):
            return self.write(connection, item)
        found = self._find(connection, edge.link.target, item)
        if found is not None:
            return found
        assert item.create is not None
        return self.write(connection, item.create)

    def _find(self, connection: Connection, target: EntityRuntime,
              item: Connect) -> Row[Any] | None:
        """The row the where names, as the target's own routes see it (scope, soft delete);
        a `connect` to none is a 422 `not_found`."""
        store = target.store
        columns = store.entity_table.columns
        statement = sa.select(*store.columns).where(
            *(columns[name] == value for name, value in item.values.items()),
            *store.scope_conditions).limit(1)
        row = connection.execute(statement, store.scope_parameters()).first()
        if row is None and item.create is None:
            raise problem_of([FieldError(pointer(item.location), "not_found",
                                         f"no {target.entity.name} with {item.shown}")],
                             "a row to connect does not exist")
        return row

    def _many(self, connection: Connection, edge: Edge, item: Connect | Node,
              owner: Row[Any]) -> None:
        """A to-many row under the new row: created with its key set to it, or moved to it
        (one-to-many); created or found, then linked (many-to-many)."""
        link, db = edge.link, self.runtime.database
        fixed = dict(zip(link.target_fields, link.this_values(owner), strict=True))
        if link.join_table is None:
            if isinstance(item, Node):
                self.write(connection, item, fixed)
                return
            found = self._find(connection, link.target, item)
            if found is None:
                assert item.create is not None
                self.write(connection, item.create, fixed)
                return
            target = link.target
            with db.guard(target.entity.name, "update", fixed, item.location):
                moved = target.store.update(connection, target.store.key_of(found), fixed)
            db.record(connection, target, "update", [moved], changed=list(fixed))
            return
        if isinstance(item, Node):
            row = self.write(connection, item)
        else:
            row = self._find(connection, link.target, item) or self._created(connection, item)
        values = link.link_values(owner, row)
        table = link.join_table
        exists = sa.select(sa.literal(1)).where(*(table.c[n] == v for n, v in values.items()))
        if connection.execute(exists).first() is None:  # the same row named twice: one link
            with db.guard(link.owner.entity.name, "link", {}, item.location):
                connection.execute(sa.insert(table), values)
            record_link(connection, db, link, "link", owner, row)

    def _created(self, connection: Connection, item: Connect) -> Row[Any]:
        assert item.create is not None
        return self.write(connection, item.create)


def _shown(where: dict[str, Any]) -> str:
    """The where as the client sent it (the Express server's words too)."""
    return ", ".join(f"{name} {json.dumps(value, ensure_ascii=False)}"
                     for name, value in where.items())


def _values(row: Row[Any], names: Sequence[str]) -> list[Any]:
    mapping = row._mapping
    return [mapping[name] for name in names]

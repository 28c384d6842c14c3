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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.engine import Connection, Row

from fastbackend_fastapi import pytypes
from fastbackend_fastapi.problems import FieldError, from_validation_error, pointer
from fastbackend_fastapi.problems import validation_problem as problem_of
from fastbackend_fastapi.routes.common import parse_json
from fastbackend_fastapi.routes.relations import Link, build_link, record_link
from fastbackend_fastapi.runtime import EntityRuntime, Runtime
from fastbackend_fastapi.schemas import INPUT_CONFIG, MAX_BATCH, EntitySchemas, typed_dict
from fastbackend_ir import IR
from fastbackend_ir.contract import (
    child_fields,
    holds_key,
    nested_operations,
    nested_update_operations,
    orphaned_by_unlink,
    roles,
)

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
class Unlink:
    """A `disconnect`: of the to-one row (``values`` None: `true`), or of one to-many row."""

    values: dict[str, Any] | None
    location: Location
    shown: str = ""


@dataclass
class Replace:
    """A `set`: the to-many relation's members become exactly these rows."""

    members: list[Connect]
    location: Location


Item = Connect | Unlink | Replace  # what a relation field names, beside a Node (a create)


@dataclass
class Node:
    """One row to create, with what its relations nest."""

    runtime: EntityRuntime
    values: dict[str, Any]
    location: Location
    before: list[tuple[Edge, Item | Node]] = field(default_factory=list)  # to-one
    after: list[tuple[Edge, Item | Node]] = field(default_factory=list)  # to-many


class NestedWrites:
    """Every entity's nestable relations, each entity's built on first use (a schema of a
    thousand entities starts without building them all)."""

    def __init__(self, ir: IR, runtime: Runtime) -> None:
        self.ir, self.runtime = ir, runtime
        self._edges: dict[tuple[str, bool], dict[str, Edge]] = {}
        self._schemas: dict[tuple[str, frozenset[str]], EntitySchemas] = {}
        self._wheres: dict[str, tuple[TypeAdapter[Any], tuple[frozenset[str], ...]]] = {}

    def edges(self, name: str, update: bool = False) -> dict[str, Edge]:
        """The relations a create (an update: ``update``) of entity ``name`` may nest."""
        if (name, update) not in self._edges:
            ir, runtime, entity = self.ir, self.runtime, self.ir.entities[name]
            decide = nested_update_operations if update else nested_operations
            found = {}
            for relation in entity.relations:
                operations = decide(ir, entity, relation)
                if operations and relation.target in runtime.entities:
                    link = build_link(ir, runtime, entity, relation)
                    found[relation.name] = Edge(link, operations, holds_key(entity, relation))
            self._edges[name, update] = found
        return self._edges[name, update]

    def nests(self, runtime: EntityRuntime, error: ValidationError, update: bool = False) -> bool:
        """Whether a body refused by the flat schema names a nestable relation."""
        edges = self.edges(runtime.entity.name, update)
        return any(item["type"] == "extra_forbidden" and len(item["loc"]) == 1
                   and item["loc"][0] in edges for item in error.errors())

    def nests_many(self, runtime: EntityRuntime, error: ValidationError) -> bool:
        """Whether a bulk create's array, refused by the flat schema, has an element naming a
        nestable relation."""
        edges = self.edges(runtime.entity.name)
        return any(item["type"] == "extra_forbidden" and len(item["loc"]) == 2
                   and isinstance(item["loc"][0], int) and item["loc"][1] in edges
                   for item in error.errors())

    # -- the plan ----------------------------------------------------------------------------

    def plan(self, runtime: EntityRuntime, body: bytes, max_depth: int,
             update: str | None = None, excluded: frozenset[str] = frozenset()) -> Node:
        """The checked plan of a create's body; of an update's with ``update`` ("update": the
        Update schema checks its fields, PATCH; "create": the Create schema, PUT). ``excluded``:
        the fields a create under a relation's URL takes from its owner (contract.child_fields),
        which its body may not name, nor the relation back to the owner."""
        document = parse_json(body)
        errors: list[FieldError] = []
        node = self._node(runtime, document, (), 0, max_depth, excluded, errors, update)
        if errors or node is None:
            raise problem_of(errors)
        return node

    def plan_many(self, runtime: EntityRuntime, body: bytes, max_depth: int) -> list[Node]:
        """The checked plans of a bulk create's array, one per element, each as a create's
        body; every error of every element in one 422, pointers `/<index>/...`. The array
        holds at most MAX_BATCH elements; the rows they nest do not count (depth bounds them,
        as in one create)."""
        document = parse_json(body)
        if not isinstance(document, list):
            raise problem_of([FieldError("", "list_type", "Input should be a valid list")])
        if len(document) > MAX_BATCH:
            raise problem_of([FieldError("", "too_long", (
                f"List should have at most {MAX_BATCH} items after validation, "
                f"not {len(document)}"))])
        errors: list[FieldError] = []
        nodes = [self._node(runtime, item, (index,), 0, max_depth, frozenset(), errors)
                 for index, item in enumerate(document)]
        planned = [node for node in nodes if node is not None]
        if errors or len(planned) < len(nodes):
            raise problem_of(errors)
        return planned

    def _schemas_of(self, runtime: EntityRuntime, excluded: frozenset[str]) -> EntitySchemas:
        if not excluded:
            return runtime.schemas
        key = (runtime.entity.name, excluded)
        if key not in self._schemas:
            self._schemas[key] = runtime.schemas.without(self.ir, runtime.entity, excluded)
        return self._schemas[key]

    def _node(self, runtime: EntityRuntime, document: Any, location: Location, depth: int,
              max_depth: int, excluded: frozenset[str], errors: list[FieldError],
              update: str | None = None) -> Node | None:
        if not isinstance(document, dict):
            errors.append(FieldError(pointer(location), "dict_type", "Input should be an object"))
            return None
        # A row created under a relation takes its key from the owner: the relation back to
        # it is not nestable here (its field is unknown, as under the relation's URL).
        edges = {name: edge for name, edge in self.edges(runtime.entity.name,
                                                         update is not None).items()
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
        adapter = schemas.update if update == "update" else schemas.create
        try:
            node.values = adapter.validate_json(json.dumps(scalars))
        except ValidationError as error:
            errors.extend(from_validation_error(error, location, schemas.read_only_fields).errors)
        return node

    def _operations(self, edge: Edge, value: Any, location: Location, depth: int,
                    max_depth: int, errors: list[FieldError]) -> list[Item | Node]:
        allowed = ", ".join(edge.operations)
        if isinstance(value, dict):  # `set` then `disconnect`, then the rest as sent
            value = dict(sorted(value.items(), key=lambda item: _order(item[0])))
        if not isinstance(value, dict) or not value:
            errors.append(FieldError(pointer(location), "nested_operation",
                                     f"{edge.name} takes an object naming one of: {allowed}"))
            return []
        to_many = edge.link.relation.to_many
        if not to_many and len(value) > 1:
            errors.append(FieldError(pointer(location), "nested_operation",
                                     f"{edge.name} is one row: name one of {allowed}"))
            return []
        found: list[Item | Node] = []
        for operation, argument in value.items():
            here = (*location, operation)
            if operation not in edge.operations:
                errors.append(FieldError(pointer(here), "nested_operation",
                                         self._refused(edge, operation)))
                continue
            if operation == "set":
                found.append(self._set(edge, argument, here, errors))
                continue
            items = [(argument, here)]
            if to_many and isinstance(argument, list):
                items = [(item, (*here, i)) for i, item in enumerate(argument)]
            for item, place in items:
                made = self._operation(edge, operation, item, place, depth, max_depth, errors)
                if made is not None:
                    found.append(made)
        return found

    def _refused(self, edge: Edge, operation: str) -> str:
        """Why ``edge`` does not take ``operation``: a `set`/`disconnect` that would leave
        rows without their required key names it (docs/rest-api.md "Nested writes")."""
        allowed = ", ".join(edge.operations)
        message = f"{edge.name} takes {allowed}, not {operation}"
        link = edge.link
        required = orphaned_by_unlink(self.ir, link.owner.entity, link.relation)
        if operation in UNLINKS and required:
            message += (f": {', '.join(required)} is required, so a row cannot be taken out of "
                        f"{edge.name} (delete it, or connect it to another row)")
        return message

    def _set(self, edge: Edge, argument: Any, location: Location,
             errors: list[FieldError]) -> Replace:
        items = argument if isinstance(argument, list) else [argument]
        places = [(*location, i) for i in range(len(items))] if isinstance(argument, list) \
            else [location]
        members = []
        for item, place in zip(items, places, strict=True):
            where = self._where(edge.link.target, item, place, errors)
            if where is not None:
                members.append(Connect(where, place, _shown(item)))
        return Replace(members, location)

    def _operation(self, edge: Edge, operation: str, argument: Any, location: Location,
                   depth: int, max_depth: int, errors: list[FieldError]) -> Item | Node | None:
        target = edge.link.target
        excluded = frozenset() if edge.holds_key else frozenset(child_fields(edge.link.relation))
        if operation == "disconnect" and not edge.link.relation.to_many:
            if not isinstance(argument, bool):
                errors.append(FieldError(pointer(location), "nested_operation",
                                         f"{edge.name} is one row: disconnect takes true"))
                return None
            return Unlink(None, location) if argument else None
        if operation == "disconnect":
            where = self._where(target, argument, location, errors)
            return None if where is None else Unlink(where, location, _shown(argument))
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
        row's create, each connect's read (a one-to-many's moves its row, and its disconnect
        and set update rows: an update), so their auth dependencies run as on their own routes
        (auth.Guard.require)."""
        found: dict[tuple[str, str], None] = {}
        pending: list[tuple[Edge, Item | Node]] = [*node.before, *node.after]
        while pending:
            edge, item = pending.pop()
            if isinstance(item, Node):
                found[(item.runtime.entity.name, "create")] = None
                pending.extend(item.before + item.after)
                continue
            moves = edge.link.join_table is None and not edge.holds_key
            found[(edge.link.target.entity.name, "update" if moves else "read")] = None
            if isinstance(item, Connect) and item.create is not None:
                pending.append((edge, item.create))
        return list(found)

    def write_update(self, connection: Connection, node: Node,
                     save: Callable[[dict[str, Any]], Row[Any]]) -> Row[Any]:
        """An update's plan: the to-one rows its key takes (or none: `disconnect`), the row
        saved by the route's own ``save`` (If-Match, PUT's create), then its to-many rows."""
        values = dict(node.values)
        for edge, item in node.before:
            if isinstance(item, Unlink):
                values.update(dict.fromkeys(edge.link.this_fields))
                continue
            assert isinstance(item, Connect | Node)
            row = self._one(connection, edge, item)
            values.update(zip(edge.link.this_fields, _values(row, edge.link.target_fields),
                              strict=True))
        row = save(values)
        for edge, item in node.after:
            if isinstance(item, Replace):
                self._replace(connection, edge, item, row)
            elif isinstance(item, Unlink):
                self._unlink(connection, edge, item, row)
            else:
                self._many(connection, edge, item, row)
        return row

    # -- the writes --------------------------------------------------------------------------

    def write(self, connection: Connection, node: Node,
              fixed: Mapping[str, Any] | None = None) -> Row[Any]:
        db, runtime = self.runtime.database, node.runtime
        values = {**node.values, **(fixed or {})}
        for edge, item in node.before:
            assert isinstance(item, Connect | Node)  # a create's plan has no set, disconnect
            row = self._one(connection, edge, item)
            values.update(zip(edge.link.this_fields, _values(row, edge.link.target_fields),
                              strict=True))
        with db.guard(runtime.entity.name, "insert", values, node.location):
            row = runtime.store.create(connection, values)
        db.record(connection, runtime, "create", [row])
        for edge, item in node.after:
            assert isinstance(item, Connect | Node)
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
            if _values(found, link.target_fields) == list(fixed.values()):
                return  # in the relation already (a `set`'s member): nothing changes
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

    def _unlink(self, connection: Connection, edge: Edge, item: Unlink, owner: Row[Any]) -> None:
        """A to-many row taken out of the relation: its key set to null (one-to-many), its
        link deleted (many-to-many). A where naming no row is a 422 `not_found`; a row that
        is not in the relation is left as it is."""
        assert item.values is not None
        found = self._find(connection, edge.link.target, Connect(item.values, item.location,
                                                                 item.shown))
        assert found is not None
        self._take_out(connection, edge, found, owner, item.location)

    def _take_out(self, connection: Connection, edge: Edge, target: Row[Any], owner: Row[Any],
                  location: Location) -> None:
        link, db = edge.link, self.runtime.database
        mine = link.this_values(owner)
        if link.join_table is None:
            if _values(target, link.target_fields) != list(mine):
                return
            cleared = dict.fromkeys(link.target_fields)
            runtime = link.target
            with db.guard(runtime.entity.name, "update", cleared, location):
                row = runtime.store.update(connection, runtime.store.key_of(target), cleared)
            db.record(connection, runtime, "update", [row], changed=list(cleared))
            return
        table = link.join_table
        values = link.link_values(owner, target)
        deleted = connection.execute(
            sa.delete(table).where(*(table.c[n] == v for n, v in values.items()))).rowcount
        if deleted:
            record_link(connection, db, link, "unlink", owner, target)

    def _replace(self, connection: Connection, edge: Edge, item: Replace,
                 owner: Row[Any]) -> None:
        """A `set`: every member found first (a 422 `not_found` for none), the rows in the
        relation the caller sees that are not members taken out, then the members put in."""
        link = edge.link
        members = [self._find(connection, link.target, member) for member in item.members]
        store = link.target.store
        kept = {store.key_of(row) for row in members if row is not None}
        source = link.source()
        selected = sa.select(*store.columns)
        if source is not None:
            selected = selected.select_from(source)
        current = connection.execute(
            selected.where(link.scope(link.this_values(owner)), *store.scope_conditions),
            store.scope_parameters()).all()
        for row in current:
            if store.key_of(row) not in kept:
                self._take_out(connection, edge, row, owner, item.location)
        for member in item.members:
            self._many(connection, edge, member, owner)

    def _created(self, connection: Connection, item: Connect) -> Row[Any]:
        assert item.create is not None
        return self.write(connection, item.create)


UNLINKS = ("set", "disconnect")


def _order(operation: str) -> int:
    """`set`, then `disconnect`, then the rest as sent (Prisma's order on update)."""
    return UNLINKS.index(operation) if operation in UNLINKS else len(UNLINKS)


def _shown(where: dict[str, Any]) -> str:
    """The where as the client sent it (the Express server's words too)."""
    return ", ".join(f"{name} {json.dumps(value, ensure_ascii=False)}"
                     for name, value in where.items())


def _values(row: Row[Any], names: Sequence[str]) -> list[Any]:
    mapping = row._mapping
    return [mapping[name] for name in names]

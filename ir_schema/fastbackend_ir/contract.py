"""The REST contract of an IR, decided once: each entity's routes, each field's roles, each
relation's linking fields (IR 1.2, docs/ir.md "The contract").

The compiler records these (fastbackend.passes.contract); the FastAPI runtime, the OpenAPI
emitter and the Express emitter read them and never work them out again. An IR older than 1.2
(or one built in code) lacks them: `completed` fills each gap by the same rules, so every
adapter serves an old ir.json as the compiler would now record it. A record the IR gives is
never changed: edit a route out of ir.json and no server serves it.

The operators that apply to each logical type and the problems each kind of route can answer
are the contract's vocabulary (fastbackend_contract.tables); this package may not import it
(it imports nothing of ours), so callers pass them in as a `Vocabulary`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from fastbackend_ir.nodes import (
    IR,
    Entity,
    Field,
    FieldRoles,
    ForeignKey,
    HttpMethod,
    Relation,
    Route,
    RouteAction,
)
from fastbackend_ir.routable import unroutable

KEY = "{key}"
TARGET_KEY = "{target_key}"
BULK = "bulk"  # POST {path}/bulk: an array of rows
QUERY = "query"  # POST {path}/query: list parameters as a JSON body
AGGREGATE = "aggregate"  # GET {path}/aggregate: counts, sums, ... by group
CHANGES = "changes"  # GET {path}/changes: the realtime feed (Server-Sent Events)
RESTORE = "restore"  # POST {path}/{key}/restore: clears a soft-deleted row's stamp (IR 1.6)


@dataclass(frozen=True)
class Vocabulary:
    """The contract's tables the rules read (fastbackend_contract.tables: OPERATORS_BY_TYPE,
    ROUTE_PROBLEMS)."""

    operators: Mapping[str, tuple[str, ...]]  # logical type -> operators, in the table's order
    problems: Mapping[str, tuple[str, ...]]  # route action -> problem type slugs
    # logical type -> aggregate functions (tables.AGGREGATES_BY_TYPE); empty: none anywhere
    aggregates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


# -- field roles -----------------------------------------------------------------------------

def indexed_fields(entity: Entity) -> frozenset[str]:
    """The fields an index leads: the primary key's first field, a unique field, the first
    field of a unique constraint or of an index (a plain column, not a partial index). Grouping
    on one of them can use its index, so they are groupable and aggregatable by default (IR
    1.4; fastbackend.yaml's `aggregate` declares more)."""
    keys = [f.name for f in entity.fields if f.primary_key]
    if entity.primary_key is not None:
        keys = list(entity.primary_key.fields)
    names = {f.name for f in entity.fields if f.unique}
    names.update(keys[:1])
    names.update(u.fields[0] for u in entity.uniques if u.fields)
    names.update(index.fields[0].field for index in entity.indexes
                 if index.fields and not index.fields[0].expression and index.where is None)
    return frozenset(names)


def field_roles(field: Field, vocabulary: Vocabulary, indexed: bool = False) -> FieldRoles:
    """Hidden fields and types the API cannot carry (``unsupported``) have no role; write-only
    ones are written and never read, filtered or sorted on; read-only ones (and ``updatedAt``,
    which the server sets on every create and update) are read and never written.

    Required on create: a writable field with no default that may not be null and that the
    database does not generate. An ``updatedAt`` field is never required: the server sets it,
    on create too, so it is not writable at all (the FastAPI runtime's rule; the Express
    emitter asked for it on create when an IR did not also mark it read-only).
    """
    exposed = field.type != "unsupported" and not field.api.hidden
    readable = exposed and not field.api.write_only
    writable = exposed and not (field.api.read_only or field.updated_at)
    required = writable and not (field.nullable or field.default is not None
                                 or field.autoincrement)
    operators = vocabulary.operators.get(field.type, ()) if readable and not field.list else ()
    # Aggregates (1.4): a field an index leads, or one fastbackend.yaml declares (`aggregate`).
    grouped = bool(operators) and (indexed or field.api.aggregate)
    aggregates = vocabulary.aggregates.get(field.type, ()) if grouped else ()
    return FieldRoles(readable=readable, writable_on_create=writable, writable_on_update=writable,
                      required_on_create=required, filterable=bool(operators),
                      sortable=bool(operators), operators=operators, groupable=grouped,
                      aggregates=aggregates)


def roles(field: Field) -> FieldRoles:
    """The field's recorded roles; KeyError-like ValueError when the IR was not completed."""
    if field.roles is None:
        raise ValueError(f"field {field.name!r} has no roles: pass the IR through "
                         "fastbackend_ir.contract.completed first")
    return field.roles


# -- relations -------------------------------------------------------------------------------

def linking_fields(ir: IR, entity: Entity, relation: Relation) -> tuple[tuple[str, ...],
                                                                        tuple[str, ...]]:
    """(this entity's fields, the target's fields) that are equal for related rows: through the
    join table's columns for many-to-many; else by which end holds the foreign key (this one
    for many-to-one, and for the one-to-one end whose entity holds it, a self-relation's
    excepted: there the key's fields belong to the target's end)."""
    if relation.local_fields and relation.remote_fields:
        return relation.local_fields, relation.remote_fields
    if relation.kind == "manyToMany":
        join = ir.join_tables[relation.join_table or ""]
        by_name = {column.name: column.references.field for column in join.columns}
        return (tuple(by_name[c] for c in relation.join_columns),
                tuple(by_name[c] for c in relation.inverse_join_columns))
    key = relation.foreign_key
    if key is None:
        raise ValueError(f"relation {entity.name}.{relation.name} has no foreign key")
    local = relation.kind == "manyToOne" or (
        relation.kind == "oneToOne" and key.entity == entity.name
        and relation.target != entity.name)
    return (key.fields, key.references) if local else (key.references, key.fields)


def exposed(relation: Relation) -> bool:
    """Whether the relation's target is served (operations and a routable key): only then can
    the relation be included, filtered or sorted through, and documented. The recorded
    decision; a ValueError when the IR was not completed."""
    if relation.exposed is None:
        raise ValueError(f"relation {relation.name!r} has no exposure recorded: pass the IR "
                         "through fastbackend_ir.contract.completed first")
    return relation.exposed


def child_fields(relation: Relation) -> tuple[str, ...]:
    """The target's fields a row created under this relation's URL takes from the owner (so
    they are not in its body): the foreign key of a one-to-many's child."""
    return relation.remote_fields if relation.kind == "oneToMany" else ()


# -- routes ----------------------------------------------------------------------------------

def _route(vocabulary: Vocabulary, action: RouteAction, operation_id: str, method: HttpMethod,
           path: str, status: int, relation: str | None = None) -> Route:
    return Route(action, operation_id, method, path, status, relation,
                 tuple(vocabulary.problems.get(action, ())))


# The entity operation (fastbackend.yaml `operations`) that serves each of its own routes.
OPERATION_OF: dict[str, str] = {
    "list": "list", "create": "create", "query": "list", "aggregate": "list",
    "changes": "list",  # the realtime feed: the list's filters, auth and row scope
    "bulkCreate": "create",
    # by the list query language's filters, under the single-row operation's rules
    "bulkUpdate": "update", "bulkDelete": "delete",
    "read": "read", "update": "update", "replace": "replace", "delete": "delete",
    "restore": "delete",  # soft delete (IR 1.6): who may delete a row may take it back
}


def _own_routes(entity: Entity, vocabulary: Vocabulary,
                realtime: bool = False) -> Iterator[Route]:
    api, operations = entity.api, set(entity.api.operations)
    item = f"{api.path}/{KEY}"
    table: tuple[tuple[RouteAction, str, HttpMethod, str, int], ...] = (
        ("list", f"list{api.plural}", "GET", api.path, 200),
        ("create", f"create{api.singular}", "POST", api.path, 201),
        ("query", f"query{api.plural}", "POST", f"{api.path}/{QUERY}", 200),
        ("aggregate", f"aggregate{api.plural}", "GET", f"{api.path}/{AGGREGATE}", 200),
        ("bulkCreate", f"bulkCreate{api.plural}", "POST", f"{api.path}/{BULK}", 201),
        ("bulkUpdate", f"update{api.plural}", "PATCH", api.path, 200),
        ("bulkDelete", f"delete{api.plural}", "DELETE", api.path, 200),
        ("read", f"get{api.singular}", "GET", item, 200),
        ("update", f"update{api.singular}", "PATCH", item, 200),
        ("replace", f"replace{api.singular}", "PUT", item, 200),
        ("delete", f"delete{api.singular}", "DELETE", item, 204),
        ("restore", f"restore{api.singular}", "POST", f"{item}/{RESTORE}", 200),
    )
    if realtime:  # fastbackend.yaml's events.realtime names the entity
        table += (("changes", f"changes{api.plural}", "GET", f"{api.path}/{CHANGES}", 200),)
    for action, operation_id, method, path, status in table:
        if action == "restore" and entity.soft_delete is None:
            continue
        if OPERATION_OF[action] in operations:
            yield _route(vocabulary, action, operation_id, method, path, status)


def _relation_routes(ir: IR, entity: Entity, served: set[str],
                     vocabulary: Vocabulary) -> Iterator[Route]:
    """Under ``{path}/{key}/{relation}`` when the owner is read and the target is served."""
    if "read" not in entity.api.operations:
        return
    for relation in entity.relations:
        target = ir.entity(relation.target)
        if relation.target not in served:
            continue
        path = f"{entity.api.path}/{KEY}/{relation.path}"
        suffix = f"{entity.api.singular}{relation.name[:1].upper()}{relation.name[1:]}"
        name = relation.name
        if not relation.to_many:
            yield _route(vocabulary, "readRelated", f"get{suffix}", "GET", path, 200, name)
            continue
        yield _route(vocabulary, "listRelated", f"list{suffix}", "GET", path, 200, name)
        if "create" in target.api.operations:
            yield _route(vocabulary, "createRelated", f"create{suffix}", "POST", path, 201, name)
        if relation.kind == "manyToMany":
            link = f"{path}/{TARGET_KEY}"
            yield _route(vocabulary, "link", f"link{suffix}", "PUT", link, 204, name)
            yield _route(vocabulary, "unlink", f"unlink{suffix}", "DELETE", link, 204, name)


def served_entities(ir: IR) -> set[str]:
    """The entities some URL serves: exposed (operations) and routable (fastbackend_ir.routable).
    A relation is exposed exactly when its target is one of these."""
    blocked = unroutable(ir)
    return {name for name, entity in ir.entities.items()
            if entity.api.operations and name not in blocked}


def decide_routes(ir: IR, vocabulary: Vocabulary) -> dict[str, tuple[Route, ...]]:
    """Entity name -> its routes. An entity no URL can serve (fastbackend_ir.routable) has
    none. Operation ids are unique across the API: relation routes can collide with
    collections (Cart.lines and CartLine both give listCartLines); every entity's own routes
    keep their ids, and a later duplicate gets "Relation" (then a number) appended."""
    served = served_entities(ir)
    realtime = set(ir.events.realtime) if ir.events is not None else set()
    own = {name: list(_own_routes(ir.entities[name], vocabulary, name in realtime))
           if name in served else [] for name in ir.entities}
    related = {name: list(_relation_routes(ir, ir.entities[name], served, vocabulary))
               if name in served else [] for name in ir.entities}
    seen: set[str] = set()
    decided: dict[str, tuple[Route, ...]] = {}
    for group in (own, related):
        for name, routes in group.items():
            group[name] = [_unique(route, seen) for route in routes]
    for name in ir.entities:
        decided[name] = (*own[name], *related[name])
    return decided


def _unique(route: Route, seen: set[str]) -> Route:
    candidate, number = route.operation_id, 1
    while candidate in seen:
        candidate = route.operation_id + ("Relation" if number == 1 else f"Relation{number}")
        number += 1
    seen.add(candidate)
    return route if candidate == route.operation_id else replace(route, operation_id=candidate)


def item_siblings(routes: tuple[Route, ...], path: str) -> tuple[str, ...]:
    """The literal segments beside ``{path}/{key}`` that routes own (``query``, ``bulk``): a
    key spelled so is not addressable (docs/rest-api.md)."""
    found = []
    for route in routes:
        head, _, last = route.path.rpartition("/")
        if head == path and last != KEY and last not in found:
            found.append(last)
    return tuple(found)


# -- completion ------------------------------------------------------------------------------

def completed(ir: IR, vocabulary: Vocabulary) -> IR:
    """``ir`` with every route, role and linking field recorded (the same object when nothing
    is missing). Records the IR gives are kept as they are."""
    missing_routes = any(entity.routes is None for entity in ir.entities.values())
    routes = decide_routes(ir, vocabulary) if missing_routes else {}
    served = served_entities(ir)
    entities = {}
    for name, entity in ir.entities.items():
        entities[name] = _entity(ir, entity, vocabulary, routes.get(name, ()), served)
    if all(entities[name] is ir.entities[name] for name in entities):
        return ir
    return replace(ir, entities=entities)


def _entity(ir: IR, entity: Entity, vocabulary: Vocabulary, routes: tuple[Route, ...],
            served: set[str]) -> Entity:
    complete = (entity.routes is not None and all(f.roles is not None for f in entity.fields)
                and all(r.local_fields and r.remote_fields and r.exposed is not None
                        for r in entity.relations))
    if complete:
        return entity
    indexed = indexed_fields(entity)
    fields = tuple(f if f.roles is not None
                   else replace(f, roles=field_roles(f, vocabulary, f.name in indexed))
                   for f in entity.fields)
    relations = tuple(_linked(ir, entity, r, served) for r in entity.relations)
    return replace(entity, fields=fields, relations=relations,
                   routes=entity.routes if entity.routes is not None else routes)


def _linked(ir: IR, entity: Entity, relation: Relation, served: set[str]) -> Relation:
    if relation.exposed is None:
        relation = replace(relation, exposed=relation.target in served)
    if relation.local_fields and relation.remote_fields:
        return relation
    local, remote = linking_fields(ir, entity, relation)
    return replace(relation, local_fields=local, remote_fields=remote)


def without_routes(ir: IR) -> IR:
    """``ir`` with no route (nor relation exposure) recorded, for `completed` to decide them
    again: what a change to an entity's ``api`` made in code (after compiling) needs, since an
    entity's routes also depend on the other entities' (a relation route needs its target
    served)."""
    return replace(ir, entities={
        name: replace(entity, routes=None,
                      relations=tuple(replace(r, exposed=None) for r in entity.relations))
        for name, entity in ir.entities.items()})


def put_creates(entity: Entity) -> bool:
    """Whether `PUT {path}/{key}` to a key no row has creates that row (201, an upsert): when
    the entity is created through the API and every key field is one the client writes on
    create (a natural key such as a region's country and code, or a client-chosen uuid). A
    generated key (autoincrement) is never chosen by a client: there a PUT to a missing key
    stays a 404. Read from the recorded roles, so every adapter answers alike."""
    if "create" not in entity.api.operations or "replace" not in entity.api.operations:
        return False
    fields = {field.name: field for field in entity.fields}
    return all(roles(fields[name]).writable_on_create for name in entity.api.key)


def upserts(entity: Entity) -> bool:
    """Whether `POST {path}` (and the bulk route) honour `Prefer: resolution=merge-duplicates|
    ignore-duplicates` (PostgREST's upsert): when the entity is both created and updated
    through the API, since a merge is an update of the row that is there."""
    return "create" in entity.api.operations and "update" in entity.api.operations


def batch_operations(entity: Entity, kinds: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """The atomic batch's operations (`POST /_batch`) that reach the entity: of ``kinds`` (each
    operation and the route action it runs, the contract's BATCH_OPERATIONS), those whose
    route the IR records among the entity's own."""
    actions = {route.action for route in entity.routes or () if route.relation is None}
    return tuple(op for op, action in kinds if action in actions)


def live_references(ir: IR, entity: Entity) -> tuple[ForeignKey, ...]:
    """The foreign keys of ``entity`` into a soft-deleting entity (IR 1.6): every read treats a
    soft-deleted row as gone, so a write that sets one of them to such a row is refused as one
    naming a missing row is (422 `foreign_key` at the field, docs/rest-api.md "Soft delete").
    The database cannot refuse it (the row is there): each server checks it before the write."""
    return tuple(fk for fk in entity.foreign_keys
                 if (target := ir.entities.get(fk.references.entity)) is not None
                 and target.soft_delete is not None)


def primary_key_fields(entity: Entity) -> tuple[str, ...]:
    if entity.primary_key is not None:
        return entity.primary_key.fields
    return tuple(field.name for field in entity.fields if field.primary_key)


def conflict_targets(entity: Entity) -> tuple[tuple[str, ...], ...]:
    """The field sets an upsert's `on_conflict` may name, the default first: the primary key,
    then each unique constraint and each unique field in declared order (a set named twice
    once). Each is a unique index of the table, so `INSERT ... ON CONFLICT (fields)` is a
    statement every database accepts. Empty when the entity does not upsert."""
    if not upserts(entity):
        return ()
    candidates = [primary_key_fields(entity), *(u.fields for u in entity.uniques),
                  *((field.name,) for field in entity.fields if field.unique)]
    found: dict[frozenset[str], tuple[str, ...]] = {}
    for fields in candidates:
        if fields:
            found.setdefault(frozenset(fields), fields)
    return tuple(found.values())


def conflict_target(entity: Entity, named: str | None) -> tuple[str, ...] | None:
    """The target `on_conflict=<named>` chooses (fields comma-separated, in any order; None
    chooses the default, the primary key); None when it names no target of the entity."""
    targets = conflict_targets(entity)
    if named is None:
        return targets[0] if targets else None
    wanted = frozenset(part.strip() for part in named.split(","))
    return next((fields for fields in targets if frozenset(fields) == wanted), None)


def bulk_path(entity: Entity) -> str:
    """Where an array of rows is created: the recorded bulkCreate route's path (what a single
    create refusing an array names), else where it would be."""
    for route in entity.routes or ():
        if route.action == "bulkCreate":
            return route.path
    return f"{entity.api.path}/{BULK}"


# -- nested writes ---------------------------------------------------------------------------

# Prisma's words for the operations a create's body may name on a relation field
# (docs/rest-api.md "Nested writes"): each relation's own are decided by `nested_operations`.
NESTED_OPERATIONS = ("create", "connect", "connectOrCreate")


def holds_key(entity: Entity, relation: Relation) -> bool:
    """Whether ``entity``'s rows hold the relation's foreign key (a many-to-one, or the
    one-to-one end whose table has the key): the related row is written first, then this one
    takes its key."""
    key = relation.foreign_key
    if relation.kind == "manyToOne":
        return True
    return (relation.kind == "oneToOne" and key is not None and key.entity == entity.name
            and relation.target != entity.name)


def nested_operations(ir: IR, entity: Entity, relation: Relation) -> tuple[str, ...]:
    """The nested operations a create of ``entity`` accepts on ``relation`` (in
    NESTED_OPERATIONS' order), read from the recorded contract, so every adapter accepts the
    same ones:

    - none when the target is not served (``exposed``), nor on a one-to-one whose target
      holds the key, nor on a self-relation;
    - to-one (this row holds the key, whose fields the client may write on create): `connect`
      when the target is read through the API, `create` when it is created through it;
    - one-to-many: `create` when the target is created through the API, `connect` when it is
      updated through it and its key fields are writable on update (connecting moves it);
    - many-to-many: `create` when created through the API, `connect` when read through it;
    - `connectOrCreate` wherever both are accepted.
    """
    if not exposed(relation) or relation.target == entity.name:
        return ()
    target = ir.entity(relation.target)
    operations = set(target.api.operations)
    fields = {field.name: field for field in entity.fields}
    targets = {field.name: field for field in target.fields}
    creates = "create" in operations
    if holds_key(entity, relation):
        if not all(roles(fields[name]).writable_on_create for name in relation.local_fields):
            return ()
        connects = "read" in operations
    elif relation.kind == "oneToMany":
        connects = "update" in operations and all(
            roles(targets[name]).writable_on_update for name in relation.remote_fields)
    elif relation.kind == "manyToMany":
        connects = "read" in operations
    else:
        return ()
    found = [name for name, accepted in (("create", creates), ("connect", connects),
                                         ("connectOrCreate", creates and connects)) if accepted]
    return tuple(found)


# Prisma's words for the operations an update's body may name on a relation field: the
# create's, and `set` (a to-many's members become exactly these) and `disconnect`.
NESTED_UPDATE_OPERATIONS = ("set", "disconnect", *NESTED_OPERATIONS)


def orphaned_by_unlink(ir: IR, entity: Entity, relation: Relation) -> tuple[str, ...]:
    """The required foreign key fields (``Comment.post_id``) that keep ``relation``'s rows
    from being taken out of it: a one-to-many whose children must have a parent, or a to-one
    this row must hold. `set` and `disconnect` would leave them without one (Prisma refuses
    them too): delete the children, or move them with `connect` from their new parent."""
    if relation.kind == "manyToMany":
        return ()
    owner = ir.entity(relation.target) if relation.kind == "oneToMany" else entity
    names = relation.remote_fields if relation.kind == "oneToMany" else relation.local_fields
    fields = {field.name: field for field in owner.fields}
    return tuple(f"{owner.name}.{name}" for name in names if not fields[name].nullable)


def nested_update_operations(ir: IR, entity: Entity, relation: Relation) -> tuple[str, ...]:
    """The nested operations an update (PATCH, PUT) of ``entity`` accepts on ``relation`` (in
    NESTED_UPDATE_OPERATIONS' order): the create's (``nested_operations``, the to-one's key
    fields writable on update rather than on create), and

    - `disconnect`: a to-one this row holds whose key may be null (``true``); a one-to-many's
      rows when their key may be null (they are updated: their target's update route); a
      many-to-many's links (the target read through the API);
    - `set`: the to-many relations that take `disconnect` and `connect`.
    """
    if not exposed(relation) or relation.target == entity.name:
        return ()
    fields = {field.name: field for field in entity.fields}
    if holds_key(entity, relation) and not all(
            roles(fields[name]).writable_on_update for name in relation.local_fields):
        return ()
    target = ir.entity(relation.target)
    operations = set(target.api.operations)
    create = nested_operations(ir, entity, relation)
    if holds_key(entity, relation):  # writable on update, checked above; on create may differ
        create = tuple(name for name, accepted in (
            ("create", "create" in operations), ("connect", "read" in operations),
            ("connectOrCreate", {"create", "read"} <= operations)) if accepted)
    unlinks = not orphaned_by_unlink(ir, entity, relation)
    if relation.kind == "oneToMany":
        unlinks = unlinks and "connect" in create  # the children are updated
    elif relation.kind == "manyToMany":
        unlinks = "read" in operations
    found = {*create, *(("disconnect",) if unlinks else ())}
    if unlinks and relation.to_many and "connect" in create:
        found.add("set")
    return tuple(name for name in NESTED_UPDATE_OPERATIONS if name in found)

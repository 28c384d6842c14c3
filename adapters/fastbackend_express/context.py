"""IR -> the plain values the templates print: one record per model, relation and route.

Everything the TypeScript needs is decided here, so the templates only format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastbackend_contract import scalars, tables
from fastbackend_express import zod
from fastbackend_express.backrefs import inverse_of
from fastbackend_express.dialect import dialect_of
from fastbackend_express.joins import JoinModel, join_model_for, sides_for
from fastbackend_express.names import camel, delegate, kebab
from fastbackend_ir import IR, Entity, Field, Relation, Route
from fastbackend_ir.contract import (
    KEY,
    TARGET_KEY,
    batch_operations,
    bulk_path,
    child_fields,
    conflict_targets,
    exposed,
    live_references,
    put_creates,
    roles,
)
from fastbackend_ir.names import unique_index
from fastbackend_ir.sqldefaults import application_default

# The IR's path parameters -> Express's.
PATH_PARAMETERS = {KEY: ":key", TARGET_KEY: ":targetKey"}


def express_path(path: str) -> str:
    """A recorded path template in Express's syntax: `/posts/{key}` -> `/posts/:key`."""
    for recorded, spelled in PATH_PARAMETERS.items():
        path = path.replace(recorded, spelled)
    return path


def ts(value: object) -> str:
    """A TypeScript literal (JSON is valid TypeScript for strings, numbers, arrays)."""
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class FieldView:
    field: Field
    meta: str  # the FieldMeta object literal
    create: str | None  # zod expression in the Create schema; None when not accepted
    update: str | None
    read: str | None  # zod expression in the Read schema; None when not returned


class _Routed:
    """What a router template asks of the routes the IR records (an entity's or a relation's)."""

    routes: tuple[Route, ...]

    @property
    def entity_name(self) -> str:
        """The entity whose routes these are (a relation's: its owner's)."""
        raise NotImplementedError

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(route.action for route in self.routes)

    def path(self, action: str) -> str:
        return express_path(_route(self.routes, action).path)

    def method(self, action: str) -> str:
        return _route(self.routes, action).method.lower()

    def rate_limit(self, action: str) -> str:
        """The route's rate limiter (src/lib/operations.ts), named by its method and template as
        the FastAPI runtime names its buckets and policies (`GET /posts/{key}`), with the
        route's own policy when the IR records one."""
        route = _route(self.routes, action)
        limit = route.rate_limit  # its own bucket (IR 1.8), else the default policy
        policy = ("" if limit is None else
                  f", {{ requests: {limit.requests}, windowSeconds: {ts(limit.window_seconds)} }}")
        return (f"rateLimit({ts(route.method.upper())}, {ts(route.path)}, {ts(self.entity_name)}, "
                f"{ts(tables.traced_operation(route.action, route.relation))}{policy})")


@dataclass(frozen=True)
class RelationView(_Routed):
    relation: Relation
    owner_delegate: str
    target: EntityView
    meta: str
    route: str  # `/posts/:key/comments`
    through: JoinModel | None
    this_fields: tuple[str, ...]
    target_fields: tuple[str, ...]
    child_omit: tuple[str, ...]  # foreign-key fields set from the parent on POST
    link_columns: tuple[tuple[str, str], ...]  # join column -> owner field
    link_target_columns: tuple[tuple[str, str], ...]  # join column -> target field
    routes: tuple[Route, ...]  # the owner's routes under this relation, as the IR records them
    inverse: str | None  # the opposite field on the target (the IR's, or the one backrefs.py adds)
    owner: str  # the entity the relation is a field of, whose routes serve it

    @property
    def entity_name(self) -> str:
        return self.owner

    @property
    def to_many(self) -> bool:
        return self.relation.to_many

    @property
    def routed(self) -> bool:
        """Served under the owner's path: the IR records a route under it."""
        return bool(self.routes)


@dataclass(frozen=True)
class EntityView(_Routed):
    entity: Entity
    delegate: str
    stem: str  # file name without extension
    router: str  # the router factory's name
    fields: tuple[FieldView, ...]
    read_only: tuple[str, ...]
    replace_resets: tuple[tuple[str, str], ...]  # nullable writable field -> its reset value
    constraints: tuple[tuple[str, tuple[str, ...]], ...]
    lock_sql: str  # SELECT ... FOR UPDATE of one row by its key (parameters are texts)
    routes: tuple[Route, ...]  # the entity's own routes, as the IR records them
    # ModelMeta.liveReferences (a TypeScript literal), or "" when it has none: its foreign keys
    # into soft-deleting models, which a write may not set to a soft-deleted row
    live_references: str = ""

    @property
    def name(self) -> str:
        return self.entity.name

    @property
    def entity_name(self) -> str:
        return self.entity.name

    @property
    def served(self) -> bool:
        """Whether the IR records any route of the entity (its router is mounted)."""
        return bool(self.entity.routes)

    @property
    def batch_operations(self) -> tuple[str, ...]:
        """The atomic batch's operations the entity's own routes serve (lib/batch.ts)."""
        return batch_operations(self.entity, tables.BATCH_KINDS)

    @property
    def bulk_path(self) -> str:
        return express_path(bulk_path(self.entity))

    @property
    def put_creates(self) -> bool:
        """PUT to a key no row has creates it: the IR's rule (fastbackend_ir.contract)."""
        return "replace" in self.actions and put_creates(self.entity)

    @property
    def conflict_targets(self) -> list[list[str]]:
        """What an upsert's `on_conflict` may name (the IR's rule, fastbackend_ir.contract),
        when the create routes are served."""
        if not self.actions & {"create", "bulkCreate"}:
            return []
        return [list(fields) for fields in conflict_targets(self.entity)]

    @property
    def writes_rows(self) -> bool:
        """Whether a route changes an existing row (and so locks it for If-Match): never on a
        view, whose operations the compiler narrows to list and read."""
        return bool(self.actions & {"update", "replace", "delete"})

    @property
    def collection_methods(self) -> list[str]:
        return _methods(self.routes, self.entity.api.path)

    @property
    def item_methods(self) -> list[str]:
        return _methods(self.routes, f"{self.entity.api.path}/{KEY}")

    @property
    def key_fields(self) -> tuple[str, ...]:
        return self.entity.api.key

    @property
    def generated(self) -> tuple[tuple[str, str], ...]:
        """Field -> the TypeScript that makes its value in place of a SQL default the
        application makes (a uuid function's; fastbackend_ir.sqldefaults, shared with the
        runtime)."""
        found = []
        for f in self.entity.fields:
            made = application_default(f)
            if made is not None:
                found.append((f.name, APPLICATION_GENERATORS[made.name]))
        return tuple(found)


def _route(routes: tuple[Route, ...], action: str) -> Route:
    for route in routes:
        if route.action == action:
            return route
    raise KeyError(f"no {action} route is recorded")


def _methods(routes: tuple[Route, ...], path: str) -> list[str]:
    return [route.method for route in routes if route.path == path]


# The application's generators for SQL defaults it makes itself, in TypeScript.
APPLICATION_GENERATORS: dict[str, str] = {"uuid4": "randomUUID()"}


def entity_views(ir: IR) -> dict[str, EntityView]:
    return {name: _entity_view(ir, entity) for name, entity in ir.entities.items()}


def _entity_view(ir: IR, entity: Entity) -> EntityView:
    fields = tuple(_field_view(ir, field) for field in entity.fields if _client_visible(field))
    # sent in a body, these are a 422 `read_only` (returned, never accepted: the IR's roles)
    read_only = tuple(f.name for f in entity.fields if zod.readable(f) and not zod.writable(f))
    resets = tuple((f.name, "Prisma.DbNull" if f.type == "json" else "null")
                   for f in entity.fields if zod.writable_on_create(f) and f.nullable)
    own = tuple(route for route in entity.routes or () if route.relation is None)
    return EntityView(entity, delegate(entity.name), kebab(entity.name), camel(entity.name) + "Router",
                      fields, read_only, resets, _constraints(ir, entity), _lock_sql(ir, entity), own,
                      _live_references(ir, entity))


def _live_references(ir: IR, entity: Entity) -> str:
    """ModelMeta.liveReferences: the contract's live_references, with what lib/live.ts reads of
    each target (its Prisma delegate, the fields referred to, its stamp)."""
    found = [{"fields": list(fk.fields), "delegate": delegate(fk.references.entity),
              "targetFields": list(fk.references.fields),
              "stamp": ir.entities[fk.references.entity].soft_delete}
             for fk in live_references(ir, entity)]
    return ts(found) if found else ""




def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _key_cast(ir: IR, field: Field) -> str:
    if field.type == "datetime":
        return "timestamptz" if field.db is not None and field.db.timezone else "timestamp"
    if field.type == "enum":
        enum = ir.enums[field.enum or ""]
        name = _quoted(enum.db_name or enum.name)
        return f"{_quoted(enum.schema)}.{name}" if enum.schema else name
    # PostgreSQL's type to cast a key's text to, so the comparison uses the key's index.
    row = scalars.BY_NAME.get(field.type)
    return row.pg_cast if row is not None else "text"


def _lock_sql(ir: IR, entity: Entity) -> str:
    """If-Match is checked on the row locked until the write's transaction ends. PostgreSQL casts
    each key text to the column's type (so the index is used); MySQL converts a text compared
    with a column itself."""
    dialect = dialect_of(ir)
    conditions = [f"{dialect.quoted(entity.field(name).column)} = {dialect.placeholder(index)}"
                  + (f"::{_key_cast(ir, entity.field(name))}" if dialect.casts_parameters else "")
                  for index, name in enumerate(entity.api.key, start=1)]
    return f"SELECT 1 FROM {dialect.table(entity)} WHERE {' AND '.join(conditions)} FOR UPDATE"


def _client_visible(field: Field) -> bool:
    """Prisma Client reads every field whose type it knows (hidden ones too, for ETags)."""
    return zod.carried(field)


def _field_view(ir: IR, field: Field) -> FieldView:
    """The field's roles are the IR's (fastbackend_ir.contract); this server only drops the
    types it cannot carry (zod.carried)."""
    readable = zod.readable(field)
    carried = zod.carried(field)
    filterable = carried and roles(field).filterable
    enum_values = [v.name for v in ir.enums[field.enum].values] if field.enum else []
    meta = {
        "name": field.name, "column": field.column, "kind": field.type, "list": field.list,
        "nullable": field.nullable, "readable": readable, "filterable": filterable,
        "sortable": carried and roles(field).sortable,
        "operators": list(roles(field).operators) if carried else [],
        "groupable": carried and roles(field).groupable,
        "aggregates": list(roles(field).aggregates) if carried else [],
        "writable": zod.writable(field), "timezone": bool(field.db and field.db.timezone),
        "scale": field.db.scale if field.db is not None else None, "enumValues": enum_values,
    }
    return FieldView(
        field=field,
        meta=_object_literal(meta),
        create=zod.create_expression(field, ir) if zod.writable_on_create(field) else None,
        update=zod.update_expression(field, ir) if zod.writable_on_update(field) else None,
        read=zod.read_expression(field, ir) if readable else None,
    )


def _object_literal(values: dict[str, object]) -> str:
    return "{ " + ", ".join(f"{key}: {ts(value)}" for key, value in values.items()) + " }"


def _constraints(ir: IR, entity: Entity) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Constraint names -> fields, as the IR names them (render_project passes an IR that
    fastbackend_ir.names.named completed): the names in the database's errors. A primary key
    is under the database's own name where it keeps none of the IR's (MySQL's PRIMARY)."""
    found: dict[str, tuple[str, ...]] = {}
    key = entity.primary_key
    candidates = [(key.fields, dialect_of(ir).primary_key_name or key.name)] if key else []
    candidates += [((f.name,), f.unique_name) for f in entity.fields if f.unique]
    candidates += [(unique.fields, unique.name) for unique in entity.uniques]
    candidates += [(tuple(part.field for part in index.fields), index.name)
                   for index in entity.indexes if unique_index(index)]
    candidates += [(key.fields, key.name) for key in entity.foreign_keys]
    for fields, name in candidates:
        if name is None:
            raise ValueError(f"entity {entity.name}: a constraint of {fields} has no name")
        found[name] = fields
    return tuple(sorted(found.items()))


def relation_views(ir: IR, views: dict[str, EntityView], entity: Entity) -> tuple[RelationView, ...]:
    return tuple(_relation_view(ir, views, entity, relation) for relation in entity.relations)


def _relation_view(ir: IR, views: dict[str, EntityView], entity: Entity,
                   relation: Relation) -> RelationView:
    target = views[relation.target]
    through = join_model_for(ir, relation)
    this_fields, target_fields = _linked_fields(ir, entity, relation)
    link_columns: tuple[tuple[str, str], ...] = ()
    link_target_columns: tuple[tuple[str, str], ...] = ()
    if relation.kind == "manyToMany":
        link_columns = tuple(zip(relation.join_columns, this_fields, strict=True))
        link_target_columns = tuple(zip(relation.inverse_join_columns, target_fields, strict=True))
    creatable = {view.field.name for view in target.fields if view.create is not None}
    omit = tuple(f for f in child_fields(relation) if f in creatable)
    inverse = inverse_of(ir, entity, relation)
    meta = _relation_meta(relation, this_fields, target_fields, through, inverse,
                          exposed(relation))
    route = express_path(f"{entity.api.path}/{KEY}/{relation.path}")
    routes = tuple(r for r in entity.routes or () if r.relation == relation.name)
    return RelationView(relation, delegate(entity.name), target, meta, route, through, this_fields,
                        target_fields, omit, link_columns, link_target_columns, routes, inverse,
                        entity.name)


def _linked_fields(ir: IR, entity: Entity,
                   relation: Relation) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(this entity's fields, the target's fields) that are equal for related rows: the IR's
    ``localFields`` and ``remoteFields``."""
    return relation.local_fields, relation.remote_fields


def _relation_meta(relation: Relation, this_fields: tuple[str, ...], target_fields: tuple[str, ...],
                   through: JoinModel | None, inverse: str | None, exposed: bool) -> str:
    through_literal = "null"
    if through is not None:
        mine, theirs = sides_for(through, relation)
        through_literal = _object_literal({
            "model": through.model, "sourceField": mine.relation_field,
            "targetField": theirs.relation_field, "sourceColumns": list(mine.columns),
            "targetColumns": list(theirs.columns),
        })
    values = {
        "name": relation.name, "path": relation.path, "target": relation.target,
        "kind": relation.kind, "toMany": relation.to_many, "thisFields": list(this_fields),
        "targetFields": list(target_fields), "inverse": inverse, "exposed": exposed,
    }
    return _object_literal(values)[:-2] + f", through: {through_literal} }}"

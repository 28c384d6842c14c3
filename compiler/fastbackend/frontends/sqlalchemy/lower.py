"""Lower interpreted models to the IR and its source map."""

from __future__ import annotations

from dataclasses import replace

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.columnrefs import ColumnResolver
from fastbackend.frontends.sqlalchemy.constraints import ConstraintSpec, constraint
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.entities import EntityBuilder, EntityDraft
from fastbackend.frontends.sqlalchemy.index import TableIndex
from fastbackend.frontends.sqlalchemy.inverses import pair
from fastbackend.frontends.sqlalchemy.jointables import join_table
from fastbackend.frontends.sqlalchemy.mapping import Model
from fastbackend.frontends.sqlalchemy.names import sa_name
from fastbackend.frontends.sqlalchemy.relations import RelationDraft, RelationReader
from fastbackend.frontends.sqlalchemy.specs import EnumSpec
from fastbackend.frontends.sqlalchemy.tables import find_tables
from fastbackend.passes.api import placeholder_api
from fastbackend_ir import (
    IR,
    IR_VERSION,
    Entity,
    Enum,
    EnumValue,
    Inheritance,
    Location,
    Relation,
    Source,
    SourceMap,
)


def lower(ctx: Context, models: list[Model]) -> tuple[IR, SourceMap]:
    _check_duplicates(ctx, models)
    tables = find_tables(ctx)
    index = TableIndex(models, tables)
    builder = EntityBuilder(ctx, index, _module_indexes(ctx, index))
    drafts = {model.name: builder.build(model) for model in models}
    reader = RelationReader(ctx, index, drafts)
    relations: dict[str, list[RelationDraft]] = {model.name: [] for model in models}
    for model in models:
        for spec, owner in zip(model.relationships, model.relationship_owners, strict=True):
            found = reader.read(model, spec, ctx.module(owner))
            if found is not None:
                relations[model.name].append(found)
    pair(ctx, relations, drafts)
    relations = {m.name: _with_inherited(m, index, relations) for m in models}
    _warn_unmapped(ctx, index, set(reader.join_tables))
    source_map: SourceMap = {}
    entities = {m.name: _entity(ctx, m, drafts[m.name], relations[m.name], index, source_map)
                for m in models}
    entities = _single_table_roots(entities, source_map)
    join_tables = {key: join_table(ctx, info, ColumnResolver(ctx, index), source_map)
                   for key, info in reader.join_tables.items()}
    enums = {name: _enum(spec, source_map) for name, spec in ctx.enums.items()}
    files = tuple(sorted(m.relative for m in ctx.symbols.modules.values() if not m.library))
    ir = IR(IR_VERSION, Source("sqlalchemy", files), entities, enums,
            {k: t for k, t in join_tables.items() if t is not None})
    return ir, source_map


def _single_table_roots(entities: dict[str, Entity], source_map: SourceMap
                        ) -> dict[str, Entity]:
    """The root of a single-table hierarchy describes its whole table, as SQLAlchemy's
    ``Staff.__table__`` does: its own fields, then each subclass's own columns (with their keys
    and indexes). The subclasses stay, each with its parent's fields and its own, sharing the
    root's table (docs/frontends/sqlalchemy.md)."""
    found = dict(entities)
    for entity in entities.values():
        inheritance = entity.inheritance
        if inheritance is None or inheritance.strategy != "single" or inheritance.parent is None:
            continue
        root = _root(entities, entity)
        current = found[root.name]
        columns = {f.column for f in current.fields}
        added = [(i, f) for i, f in enumerate(entity.fields) if f.column not in columns]
        if not added:
            continue
        names = {f.name for _, f in added}
        for number, (i, _) in enumerate(added, start=len(current.fields)):
            location = source_map.get(f"/entities/{escape(entity.name)}/fields/{i}")
            if location is not None:
                source_map[f"/entities/{escape(root.name)}/fields/{number}"] = location
        found[root.name] = replace(
            current,
            fields=(*current.fields, *(f for _, f in added)),
            foreign_keys=(*current.foreign_keys, *(
                fk for fk in entity.foreign_keys if set(fk.fields) <= names)),
            uniques=(*current.uniques, *(u for u in entity.uniques if set(u.fields) <= names)),
            indexes=(*current.indexes, *(
                ix for ix in entity.indexes if {item.field for item in ix.fields} <= names)))
    return found


def _root(entities: dict[str, Entity], entity: Entity) -> Entity:
    while entity.inheritance is not None and entity.inheritance.parent in entities:
        entity = entities[entity.inheritance.parent]
    return entity


def _with_inherited(model: Model, index: TableIndex, relations: dict[str, list[RelationDraft]]
                    ) -> list[RelationDraft]:
    """A single-table subclass repeats its parent's relations, as it repeats its fields."""
    own = relations[model.name]
    parent = index.models.get(model.cls.parent.qname) if model.cls.parent is not None else None
    if model.strategy != "single" or parent is None:
        return own
    inherited = [_inherit(r, parent.name, model.name)
                 for r in _with_inherited(parent, index, relations)]
    return [*inherited, *own]


def _inherit(relation: RelationDraft, parent: str, child: str) -> RelationDraft:
    """The child's copy: a key that lived on the parent's side now lives on the child's."""
    key = relation.foreign_key
    if key is not None and key.entity == parent:
        key = replace(key, entity=child)
    return replace(relation, entity=child, foreign_key=key)


def _check_duplicates(ctx: Context, models: list[Model]) -> None:
    seen: dict[str, Model] = {}
    tables: dict[str, Model] = {}
    for model in models:
        if model.name in seen:
            ctx.error(ctx.module(model.cls.fact), model.cls.fact.pos, codes.DUPLICATE,
                      f"two mapped classes are named {model.name}; entity names must be unique")
        seen[model.name] = model
        if model.table is None or model.strategy == "single":
            continue
        key = f"{model.schema}.{model.table}" if model.schema else model.table
        if key in tables:
            ctx.error(ctx.module(model.cls.fact), model.cls.fact.pos, codes.DUPLICATE,
                      f"{model.name} maps table {key}, which {tables[key].name} already maps")
        tables[key] = model


def _warn_unmapped(ctx: Context, index: TableIndex, join_tables: set[str]) -> None:
    """A Core table that is neither mapped nor an association table is not in the IR: say so."""
    for info in index.tables.values():
        core = info.core
        if core is not None and info.root is None and info.key not in join_tables:
            ctx.warn(core.module, core.pos, codes.UNMAPPED_TARGET, f"table {info.key} is mapped by "
                     "no class and is no relationship's secondary table; it is not in the IR")


def _module_indexes(ctx: Context, index: TableIndex) -> dict[str, list[ConstraintSpec]]:
    """Module-level ``Index("ix", User.email)``, attached to the class whose column it names."""
    found: dict[str, list[ConstraintSpec]] = {}
    for module in ctx.symbols.modules.values():
        for statement in module.statements:
            value = statement.value
            if not (isinstance(value, v.Call) and sa_name(ctx.symbols.ref(value)) == "Index"):
                continue
            spec = constraint(ctx, module, value)
            owner = _owner(ctx, index, value)
            if spec is not None and owner is not None:
                found.setdefault(owner, []).append(spec)
            elif spec is not None:
                ctx.warn(module, value.pos, codes.UNRESOLVED_INDEX, "this index names no column "
                         "of a mapped class the compiler can find; it is left out of the IR")
    return found


def _owner(ctx: Context, index: TableIndex, call: v.Call) -> str | None:
    """The class whose column the index names (``User.email``, ``User.email.desc()``,
    ``users.c.email``, ``func.lower(User.email)``)."""
    for ref in _refs(call):
        parts = ctx.canonical(ref.qname).split(".")
        for end in range(len(parts) - 1, 0, -1):
            owner = ".".join(parts[:end]).removesuffix(".c").removesuffix(".__table__")
            model = index.models.get(owner)
            if model is not None:
                return index.table_model(model).cls.fact.qname
    return None


def _refs(value: v.Value) -> list[v.Ref]:
    if isinstance(value, v.Ref):
        return [value]
    if isinstance(value, v.Call):
        return [*_refs(value.func), *(r for arg in value.args for r in _refs(arg))]
    return []


def _entity(ctx: Context, model: Model, draft: EntityDraft, relations: list[RelationDraft],
            index: TableIndex, source_map: SourceMap) -> Entity:
    fact = ctx.module(model.cls.fact)
    pointer = f"/entities/{escape(model.name)}"
    source_map[pointer] = Location(fact.relative, model.cls.fact.pos.line, model.cls.fact.pos.column)
    for i, location in enumerate(draft.field_locations):
        source_map[f"{pointer}/fields/{i}"] = location
    for i, relation in enumerate(relations):
        source_map[f"{pointer}/relations/{i}"] = relation.location
    return Entity(
        table=draft.table,
        fields=tuple(draft.fields),
        api=placeholder_api(),
        name=model.name,
        schema=index.table_model(model).schema,
        description=model.cls.fact.docstring,
        source=fact.relative,
        primary_key=draft.primary_key,
        uniques=tuple(draft.uniques),
        indexes=tuple(draft.indexes),
        checks=tuple(draft.checks),
        foreign_keys=tuple(draft.foreign_keys),
        relations=tuple(_relation(r) for r in relations),
        inheritance=_inheritance(model, index),
    )


def _relation(draft: RelationDraft) -> Relation:
    return Relation(
        name=draft.name,
        target=draft.target,
        kind=draft.kind,
        path="pending",
        nullable=draft.nullable,
        inverse=draft.inverse,
        foreign_key=draft.foreign_key if draft.kind != "manyToMany" else None,
        join_table=draft.join_table,
        join_columns=draft.join_columns,
        inverse_join_columns=draft.inverse_join_columns,
    )


def _inheritance(model: Model, index: TableIndex) -> Inheritance | None:
    by_qname = index.models
    root = model
    while root.cls.parent is not None and root.cls.parent.qname in by_qname:
        root = by_qname[root.cls.parent.qname]
    root_args = root.mapper_args
    discriminator = _discriminator(root_args)
    identity = _identity(model.mapper_args)
    if model.cls.parent is not None:
        parent = by_qname.get(model.cls.parent.qname)
        if parent is None or model.strategy is None:
            return None
        return Inheritance(model.strategy, parent.name, discriminator, identity)
    children = index.children.get(model.cls.fact.qname, [])
    if not children and discriminator is None:
        return None
    strategy = children[0].strategy if children and children[0].strategy else "single"
    return Inheritance(strategy, None, discriminator, identity)


def _discriminator(args: v.Mapping | None) -> str | None:
    value = args.get("polymorphic_on") if args is not None else None
    if isinstance(value, v.Lit) and isinstance(value.value, str):
        return value.value
    if isinstance(value, v.Ref):
        return value.qname.rsplit(".", 1)[-1]
    return None


def _identity(args: v.Mapping | None) -> str | int | None:
    value = args.get("polymorphic_identity") if args is not None else None
    if isinstance(value, v.Lit) and isinstance(value.value, str | int) and not isinstance(
            value.value, bool):
        return value.value
    return None


def _enum(spec: EnumSpec, source_map: SourceMap) -> Enum:
    source_map[f"/enums/{escape(spec.name)}"] = Location(spec.module.relative, spec.pos.line,
                                                          spec.pos.column)
    return Enum(
        name=spec.name,
        values=tuple(EnumValue(name, db) for name, db in spec.values),
        db_name=spec.db_name if spec.db_name != spec.name else None,
        source=spec.module.relative,
    )


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")

"""The API pass: decides, once, each entity's REST names and each field's API role.

Front-ends build entities with a placeholder EntityApi (see ``placeholder_api``) and call
``assign_api`` last, so both front-ends make the same decisions for the same model.
"""

from __future__ import annotations

from dataclasses import replace

from fastbackend.diagnostics import CompileError, Diagnostic
from fastbackend.passes.naming import kebab, pascal, plural_pascal, resource_path
from fastbackend_ir import (
    IR,
    Entity,
    EntityApi,
    Field,
    FieldApi,
    GeneratorDefault,
    Location,
    SourceMap,
    SqlDefault,
)


def placeholder_api() -> EntityApi:
    return EntityApi(path="/pending", singular="Pending", plural="Pendings", key=("pending",))


def assign_api(ir: IR, path_overrides: dict[str, str] | None = None,
               source_map: SourceMap | None = None) -> IR:
    """Decide REST names once; CompileError FB007 when two entities would share a path."""
    overrides = path_overrides or {}
    entities = {
        name: _entity(entity, overrides.get(name)) for name, entity in ir.entities.items()
    }
    _refuse_shared_paths(entities, source_map or {})
    return replace(ir, entities=entities)


def _refuse_shared_paths(entities: dict[str, Entity], source_map: SourceMap) -> None:
    owners: dict[str, str] = {}
    problems = []
    for name in sorted(entities):
        path = entities[name].api.path
        if path in owners:
            where = source_map.get(f"/entities/{name}") or Location(entities[name].source or "?", 1, 1)
            message = (f"entities {owners[path]!r} and {name!r} both map to {path}; rename one "
                       "or set its path in fastbackend.yaml")
            problems.append(Diagnostic(where.file, where.line, where.column, "FB007", message))
        owners.setdefault(path, name)
    if problems:
        raise CompileError(problems)


def _entity(entity: Entity, path: str | None) -> Entity:
    fields = tuple(replace(field, api=field_api(field)) for field in entity.fields)
    relations = tuple(replace(rel, path=kebab(rel.name)) for rel in entity.relations)
    operations = entity.api.operations
    if entity.kind == "view":
        operations = tuple(op for op in operations if op in ("list", "read"))
    api = EntityApi(
        path=path or resource_path(entity.name),
        singular=pascal(entity.name),
        plural=plural_pascal(entity.name),
        key=_key(entity),
        operations=operations,
    )
    return replace(entity, fields=fields, relations=relations, api=api)


def _key(entity: Entity) -> tuple[str, ...]:
    if entity.primary_key is not None:
        return entity.primary_key.fields
    single = [f.name for f in entity.fields if f.unique and not f.nullable]
    if single:
        return (single[0],)
    for unique in entity.uniques:
        if all(not entity.field(name).nullable for name in unique.fields):
            return unique.fields
    return tuple(f.name for f in entity.fields if not f.list)


def field_api(field: Field) -> FieldApi:
    """Generated values are read-only: generated keys, server-side timestamps, updatedAt.

    A literal default (status = 'draft') stays writable: it is a default, not a generated value.
    Hidden and write-only come from the source's annotations and are kept.
    """
    generated = field.autoincrement or isinstance(field.default, SqlDefault) or (
        isinstance(field.default, GeneratorDefault)
        and (field.primary_key or field.default.name == "now")
    )
    read_only = field.api.read_only or field.updated_at or (generated and not field.api.write_only)
    return FieldApi(read_only=read_only, write_only=field.api.write_only, hidden=field.api.hidden)

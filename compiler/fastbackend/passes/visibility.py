"""The configuration pass: fastbackend.yaml's `models` section, decided into the IR.

Resource paths, which models and operations are exposed, and each field's API role (hidden,
write-only, read-only) become part of the IR here, so every adapter (the runtime, the OpenAPI
and Express emitters) sees the same decisions; none of them reads fastbackend.yaml for these.
"""

from __future__ import annotations

from dataclasses import replace

from fastbackend.config import Document, ModelConfig, models
from fastbackend.passes.api import _refuse_shared_paths
from fastbackend_ir import IR, Entity, Field, FieldApi, SourceMap

EVERY_OTHER = "*"  # models: {"*": {expose: false}, User: {}} exposes User only
ROLE_APIS = {
    "hidden": FieldApi(hidden=True),
    "write_only": FieldApi(write_only=True),
    "read_only": FieldApi(read_only=True),
    "visible": FieldApi(),
}


def apply(ir: IR, document: Document, source_map: SourceMap | None = None) -> IR:
    """The IR with the configured decisions; ConfigError at the key that names a wrong thing."""
    configured = models(document)
    entities = dict(ir.entities)
    for name in configured:
        if name not in entities and name != EVERY_OTHER:
            raise document.error(("models", name), "FB406",
                                 f"models names {name!r}, not a model of the schema; models: "
                                 + ", ".join(sorted(entities)), at_key=True)
    _refuse_per_model_keys(document, configured.get(EVERY_OTHER))
    for name, entity in ir.entities.items():
        config = configured.get(name) or configured.get(EVERY_OTHER)
        if config is not None:
            entities[name] = _entity(document, entity, config)
    _refuse_shared_paths(entities, source_map or {})
    return replace(ir, entities=entities)


def _refuse_per_model_keys(document: Document, config: ModelConfig | None) -> None:
    """`"*"` (every model not named) takes expose, read_only and operations only."""
    if config is None:
        return
    if (config.path is not None or config.fields or config.search is not None
            or config.aggregate or config.soft_delete is not None):
        key = ("path" if config.path is not None else "fields" if config.fields
               else "search" if config.search is not None
               else "soft_delete" if config.soft_delete is not None else "aggregate")
        raise document.error(("models", EVERY_OTHER, key), "FB402",
                             f"models.\"*\" applies to every other model: {key} cannot be "
                             "given there", at_key=True)


def _entity(document: Document, entity: Entity, config: ModelConfig) -> Entity:
    fields = tuple(_field(document, entity, f, config.fields.get(f.name)) for f in entity.fields)
    unknown = sorted(set(config.fields) - {f.name for f in entity.fields})
    if unknown:
        raise document.error(("models", entity.name, "fields", unknown[0]), "FB406",
                             f"{unknown[0]!r} is not a field of {entity.name}", at_key=True)
    fields = _declared_aggregates(document, entity.name, fields, config.aggregate)
    operations = entity.api.operations
    if config.operations is not None:
        operations = tuple(op for op in operations if op in config.operations)
    if not config.expose:
        operations = ()
    api = replace(entity.api, path=config.path or entity.api.path, operations=operations)
    return replace(entity, fields=fields, api=api)


def _declared_aggregates(document: Document, name: str, fields: tuple[Field, ...],
                         declared: tuple[str, ...]) -> tuple[Field, ...]:
    """`aggregate: [views, status]`: these fields may be grouped and aggregated (IR 1.4), as
    indexed fields may by default (fastbackend_ir.contract.indexed_fields)."""
    known = {f.name for f in fields}
    for i, field_name in enumerate(declared):
        if field_name not in known:
            raise document.error(("models", name, "aggregate", i), "FB406",
                                 f"{field_name!r} is not a field of {name}")
    return tuple(replace(f, api=replace(f.api, aggregate=True)) if f.name in declared else f
                 for f in fields)


def _field(document: Document, entity: Entity, field: Field, role: str | None) -> Field:
    if role is None:
        return field
    if role in ("hidden", "write_only") and field.name in entity.api.key:
        raise document.error(("models", entity.name, "fields", field.name), "FB407",
                             f"{entity.name}.{field.name} is the key of its URLs; it cannot be "
                             f"{role.replace('_', '-')}")
    api = ROLE_APIS[role]
    if role != "hidden":
        # Server-set fields (ids, timestamps) stay read-only whatever the file says.
        api = replace(api, read_only=api.read_only or field.api.read_only)
    return replace(field, api=api)

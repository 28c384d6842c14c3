"""The soft-delete pass: fastbackend.yaml's `models.<Model>.soft_delete`, decided into the IR
(IR 1.6).

The setting names a nullable timestamp field of the model's table. The IR records it as the
entity's `softDelete`; every adapter reads it from there: DELETE stamps the field instead of
removing the row, every read skips stamped rows, `POST /{path}/{key}/restore` clears the stamp
(docs/rest-api.md, "Soft delete"). The field becomes read-only: only DELETE and restore write it.
"""

from __future__ import annotations

from dataclasses import replace

from fastbackend.config import Document, models
from fastbackend_ir import IR, Entity, FieldApi

TIMESTAMP = "datetime"


def apply(ir: IR, document: Document) -> IR:
    entities = dict(ir.entities)
    for name, config in models(document).items():
        if config.soft_delete is not None and name in entities:
            entities[name] = _soft_deleted(document, entities[name], config.soft_delete)
    return replace(ir, entities=entities)


def _soft_deleted(document: Document, entity: Entity, name: str) -> Entity:
    path = ("models", entity.name, "soft_delete")
    found = next((f for f in entity.fields if f.name == name), None)
    if found is None:
        raise document.error(path, "FB406", f"{name!r} is not a field of {entity.name}")
    if found.type != TIMESTAMP or found.list or not found.nullable:
        raise document.error(path, "FB409", f"{entity.name}.{name} must be a nullable timestamp "
                             f"(it is {'nullable ' if found.nullable else 'not nullable, '}"
                             f"{found.type}{'[]' if found.list else ''}): NULL marks a live row")
    if found.primary_key or name in entity.api.key:
        raise document.error(path, "FB409", f"{entity.name}.{name} is in the key; a soft-delete "
                             "stamp must be a column of its own")
    if entity.kind == "view" or entity.inheritance is not None:
        raise document.error(path, "FB409", f"{entity.name} is not a plain table: soft delete "
                             "stamps a column of its own table", at_key=True)
    if found.api.hidden or found.api.write_only:
        raise document.error(path, "FB409", f"{entity.name}.{name} is hidden or write-only; the "
                             "stamp is returned (bulk delete and restore answer it)")
    fields = tuple(replace(f, api=FieldApi(read_only=True, aggregate=f.api.aggregate))
                   if f.name == name else f for f in entity.fields)
    return replace(entity, fields=fields, soft_delete=name)

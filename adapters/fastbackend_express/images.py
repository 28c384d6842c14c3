"""The realtime feed's image tables (the IR's ``events.imageTables``, docs/events.md "Realtime")
as Prisma models, which the Express server writes (lib/events.ts) and judges the feed's events
by (lib/realtime.ts), as the runtime does with its events/images.py.

Per realtime entity, a model ``FbImage<Entity>`` mapped to the image table: the feed row's id
(``fbFeedId``, its key) and every field of the entity, with its column and native type, each
optional (a list stays a list: Prisma has no optional list); never served. Its relations, which
Prisma needs both ends of (the back fields on the related models are never served either):

- ``fbRow``: the entity's row of the image's key, for the filters through relations the image
  cannot answer itself (to-many ones, or a foreign key on the other side): they are read from
  the related rows as they are, through the row;
- each to-one relation whose foreign key is the entity's own, under the relation's own name:
  the image's foreign key (not the row's, which may have changed since) picks the related row.

The tables are `fastbackend migrate`'s (no foreign key: the relations exist for Prisma Client's
queries only; the emitted project never pushes its schema).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastbackend_express.dialect import dialect_of
from fastbackend_express.joins import join_models
from fastbackend_express.memo import once_per_ir
from fastbackend_express.names import delegate
from fastbackend_express.prisma_relations import holds_key
from fastbackend_express.prisma_types import native_type, prisma_type
from fastbackend_ir import IR, Entity, Relation

FEED_FIELD = "fbFeedId"
FEED_COLUMN = "fastbackend_feed_id"  # the runtime's events/images.py FEED_ID
ROW = "fbRow"


@dataclass(frozen=True)
class ImageRelation:
    name: str  # the field on the image model
    target: str
    fields: tuple[str, ...]
    references: tuple[str, ...]
    back: str  # the list field on the target model
    relation_name: str  # @relation("...")


@dataclass(frozen=True)
class ImageModel:
    entity: Entity
    model: str
    table: str
    relations: tuple[ImageRelation, ...]  # fbRow first, then the entity's own to-one relations

    @property
    def own(self) -> tuple[str, ...]:
        """The entity's relations the image answers itself (its own foreign keys)."""
        return tuple(relation.name for relation in self.relations[1:])


@once_per_ir
def image_models(ir: IR) -> tuple[ImageModel, ...]:
    if ir.events is None:
        return ()
    taken = set(ir.entities) | {join.model for join in join_models(ir).values()}
    fields = {entity.name: {f.name for f in entity.fields} | {r.name for r in entity.relations}
              for entity in ir.entities.values()}
    models = []
    for name, table in ir.events.image_tables.items():
        if name not in ir.entities:  # a single-table subclass, served as its root: no image
            continue
        entity = ir.entity(name)
        model = _free(f"FbImage{name}", taken)
        key = entity.api.key
        relations = [ImageRelation(ROW, name, key, key, _free(f"fbImages{model[7:]}Row", fields[name]),
                                   f"{model}Row")]
        for relation in entity.relations:
            if _own(entity, relation) and relation.foreign_key is not None:
                back = _free(f"fbImages{model[7:]}{relation.name[:1].upper()}{relation.name[1:]}",
                             fields[relation.target])
                relations.append(ImageRelation(relation.name, relation.target,
                                               relation.foreign_key.fields,
                                               relation.foreign_key.references, back,
                                               f"{model}{relation.name[:1].upper()}{relation.name[1:]}"))
        models.append(ImageModel(entity, model, table, tuple(relations)))
    return tuple(models)


def _own(entity: Entity, relation: Relation) -> bool:
    return relation.kind in ("manyToOne", "oneToOne") and holds_key(entity, relation)


def _free(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def image_rows(ir: IR, image: ImageModel) -> list[list[str]]:
    """The image model's field rows (aligned by prisma_schema's _block)."""
    dialect = dialect_of(ir).name
    rows = [[FEED_FIELD, "BigInt", f"@id @map({json.dumps(FEED_COLUMN)})"]]
    for field in image.entity.fields:
        kind = prisma_type(field)
        if not field.list and not kind.endswith("?"):
            kind += "?"
        attributes = [f"@map({json.dumps(field.column)})"] if field.column != field.name else []
        native = native_type(field, dialect)
        if native is not None:
            attributes.append(native)
        rows.append([field.name, kind, " ".join(attributes)])
    for relation in image.relations:
        arguments = [json.dumps(relation.relation_name),
                     f"fields: [{', '.join(relation.fields)}]",
                     f"references: [{', '.join(relation.references)}]"]
        rows.append([relation.name, relation.target + "?", f"@relation({', '.join(arguments)})"])
    return rows


def back_rows(ir: IR, entity: Entity) -> list[list[str]]:
    """The list fields ``entity`` gets for the image models' relations to it."""
    return [[relation.back, f"{image.model}[]", f"@relation({json.dumps(relation.relation_name)})"]
            for image in image_models(ir) for relation in image.relations
            if relation.target == entity.name]


def image_meta(ir: IR, entity: Entity) -> str | None:
    """lib/meta.ts's ImageMeta of a realtime entity, as a TypeScript literal (None: none)."""
    for image in image_models(ir):
        if image.entity.name == entity.name:
            return json.dumps({"model": image.model, "delegate": delegate(image.model),
                               "feedField": FEED_FIELD, "row": ROW, "own": list(image.own),
                               "table": dialect_of(ir).quoted(image.table)})
    return None


def image_tables(ir: IR) -> list[tuple[str, str]]:
    """(image model, quoted table) of each image model: src/meta.ts's TABLES has them too."""
    return [(image.model, dialect_of(ir).quoted(image.table)) for image in image_models(ir)]

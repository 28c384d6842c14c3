"""Component names and references: one place, so the emitter and merge() agree."""

from __future__ import annotations

from fastbackend_ir import Entity, Relation

REF = "#/components/schemas/{name}"
PROBLEM = "Problem"
FIELD_ERROR = "FieldError"
PAGE_META = "PageMeta"
HEALTH = "Health"
LIVE = "Live"
READY = "Ready"


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(name=name)}


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def read(entity: Entity) -> str:
    return f"{entity.api.singular}Read"


def item(entity: Entity) -> str:
    """A row in a list: the fields asked for (``fields=``) and the relations included."""
    return f"{entity.api.singular}Item"


def create(entity: Entity, excluded: tuple[str, ...] = ()) -> str:
    return f"{_without(entity, excluded)}Create"


def update(entity: Entity) -> str:
    return f"{entity.api.singular}Update"


def page(entity: Entity) -> str:
    return f"{entity.api.plural}Page"


def query(entity: Entity) -> str:
    return f"{entity.api.plural}Query"


def filters(entity: Entity) -> str:
    return f"{entity.api.singular}Filters"


def where(entity: Entity) -> str:
    return f"{entity.api.singular}Where"


def _without(entity: Entity, excluded: tuple[str, ...]) -> str:
    # The runtime's names too (schemas.build): a child created under its parent's URL.
    name = entity.api.singular
    if excluded:
        name += "Without" + "".join(pascal(f) for f in sorted(excluded))
    return name


def relation_suffix(entity: Entity, relation: Relation) -> str:
    """``listUserPosts``: the owner's singular name, then the relation's name."""
    return f"{entity.api.singular}{relation.name[:1].upper()}{relation.name[1:]}"

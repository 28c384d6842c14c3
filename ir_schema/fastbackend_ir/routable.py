"""Which entities the generated routes can serve: the one rule the OpenAPI document, the runtime
and the Express server share (here, in the IR package, because adapters may not import each other).

An item's URL carries its key (``/places/{key}``), and every route of an entity answers rows that
a client can address again (``Location``, relation routes, links). An entity whose key has a
field of a type the API cannot carry (``unsupported``: a PostGIS geometry, Prisma's
``Unsupported("…")``), or of a type no URL segment can name a row by (``json``: a document,
which PostgreSQL cannot even compare as ``json``; a list), gets no routes at all, on every
server; the document says why in the entity's tag and in ``x-fastbackend-unrouted``. Its table
still exists (migrations, relations from the database's side).
"""

from __future__ import annotations

from dataclasses import replace

from fastbackend_ir.nodes import IR, Entity

# Logical type -> why a key of it cannot be in a URL.
UNROUTABLE_KEYS = {
    "unsupported": "the API cannot carry (unsupported)",
    "json": "no URL segment can spell (json: a document, not a value to look a row up by)",
}


def _reason(entity: Entity) -> str | None:
    if not entity.api.key:
        return "it has no key (no primary key or unique field) to put in a URL"
    for kind, why in UNROUTABLE_KEYS.items():
        fields = [name for name in entity.api.key if entity.field(name).type == kind]
        if fields:
            spelled = ", ".join(f"`{name}`" for name in fields)
            return f"its key field {spelled} has a type {why}, so no URL can name a row"
    lists = [name for name in entity.api.key if entity.field(name).list]
    if lists:
        spelled = ", ".join(f"`{name}`" for name in lists)
        return f"its key field {spelled} is a list, which no URL segment can spell"
    return None


def unroutable(ir: IR) -> dict[str, str]:
    """Entity name -> why it gets no routes, for each exposed entity the routes cannot serve."""
    found = {}
    for entity in ir.entities.values():
        reason = _reason(entity) if entity.api.operations else None
        if reason is not None:
            found[entity.name] = reason
    return found


def routable(ir: IR) -> IR:
    """``ir`` with no operations on the entities the routes cannot serve (same object if none)."""
    names = unroutable(ir)
    if not names:
        return ir
    entities = {name: replace(entity, api=replace(entity.api, operations=()))
                if name in names else entity for name, entity in ir.entities.items()}
    return replace(ir, entities=entities)

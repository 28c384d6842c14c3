"""Which entities the generated routes can serve: the one rule the OpenAPI document, the runtime
and the Express server share (here, in the IR package, because adapters may not import each other).

An item's URL carries its key (``/places/{key}``), and every route of an entity answers rows that
a client can address again (``Location``, relation routes, links). An entity whose key has a
field of a type the API cannot carry (``unsupported``: a PostGIS geometry, Prisma's
``Unsupported("…")``), or of a type no URL segment can name a row by (``json``: a document,
which PostgreSQL cannot even compare as ``json``; a list), gets no routes at all, on every
server; the document says why in the entity's tag and in ``x-fastbackend-unrouted``. Its table
still exists (migrations, relations from the database's side). A single-table subclass gets no
routes either: its rows, all its fields among them, are served at its root's routes.
"""

from __future__ import annotations

from dataclasses import replace

from fastbackend_ir.nodes import IR, Entity

# Logical type -> why a key of it cannot be in a URL.
UNROUTABLE_KEYS = {
    "unsupported": "the API cannot carry (unsupported)",
    "json": "no URL segment can spell (json: a document, not a value to look a row up by)",
}


def _reason(entity: Entity, ir: IR) -> str | None:
    root = shared_table_root(ir, entity)
    if root is not None:
        return _subclass_reason(entity, root)
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


def shared_table_root(ir: IR, entity: Entity) -> Entity | None:
    """The root of the single-table hierarchy whose table ``entity`` shares, or None when the
    entity has a table of its own. The root's fields describe the whole table (the compiler adds
    each subclass's own columns to it); a subclass's fields are some of those."""
    inheritance = entity.inheritance
    if inheritance is None or inheritance.strategy != "single" or inheritance.parent is None:
        return None
    root = entity
    while root.inheritance is not None and root.inheritance.parent in ir.entities:
        root = ir.entities[root.inheritance.parent]
    return root if root is not entity else None


def without_shared_tables(ir: IR) -> IR:
    """``ir`` without the single-table subclasses: one model per table (a Prisma schema)."""
    if all(shared_table_root(ir, entity) is None for entity in ir.entities.values()):
        return ir
    return replace(ir, entities={name: entity for name, entity in ir.entities.items()
                                 if shared_table_root(ir, entity) is None})


def _subclass_reason(entity: Entity, root: Entity) -> str:
    """A single-table subclass's rows are its root's: served there, where the discriminator
    tells them apart (docs/frontends/sqlalchemy.md)."""
    assert entity.inheritance is not None
    where = (f", where `{entity.inheritance.discriminator}` is {entity.inheritance.identity!r}"
             if entity.inheritance.discriminator and entity.inheritance.identity is not None
             else "")
    return (f"it is a single-table subclass of {root.name}: its rows are in {root.name}'s table "
            f"and served at {root.api.path}{where}")


def unroutable(ir: IR) -> dict[str, str]:
    """Entity name -> why it gets no routes, for each exposed entity the routes cannot serve."""
    found = {}
    for entity in ir.entities.values():
        reason = _reason(entity, ir) if entity.api.operations else None
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

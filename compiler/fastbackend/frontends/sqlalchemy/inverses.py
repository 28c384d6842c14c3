"""Pair relationship ends: ``back_populates`` names the other end, ``backref`` creates it; then
settle one-to-one (``uselist=False`` or a scalar annotation on the one-to-many side) and which
to-one ends may be absent."""

from __future__ import annotations

from dataclasses import replace

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.entities import EntityDraft
from fastbackend.frontends.sqlalchemy.names import sa_name
from fastbackend.frontends.sqlalchemy.relations import RelationDraft
from fastbackend_ir.nodes import RelationKind

OPPOSITE: dict[RelationKind, RelationKind] = {
    "manyToOne": "oneToMany", "oneToMany": "manyToOne", "oneToOne": "oneToOne",
    "manyToMany": "manyToMany",
}


def pair(ctx: Context, relations: dict[str, list[RelationDraft]],
         drafts: dict[str, EntityDraft]) -> None:
    for entity_relations in list(relations.values()):
        for draft in list(entity_relations):
            if draft.backref is not None:
                _backref(ctx, relations, draft)
    for entity_relations in relations.values():
        for draft in entity_relations:
            if draft.back_populates is not None:
                _back_populates(ctx, relations, draft)
    for entity_relations in relations.values():
        for draft in entity_relations:
            _one_to_one(relations, draft)
    for entity_relations in relations.values():
        for draft in entity_relations:
            draft.nullable = _nullable(draft, drafts)


def _find(relations: dict[str, list[RelationDraft]], entity: str, name: str
          ) -> RelationDraft | None:
    return next((r for r in relations.get(entity, []) if r.name == name), None)


def _back_populates(ctx: Context, relations: dict[str, list[RelationDraft]],
                    draft: RelationDraft) -> None:
    assert draft.back_populates is not None
    other = _find(relations, draft.target, draft.back_populates)
    if other is None:
        ctx.error(draft.module, draft.pos, codes.UNRESOLVED, f"back_populates names "
                  f"{draft.target}.{draft.back_populates}, which is not a relationship")
        return
    draft.inverse = other.name


def _backref(ctx: Context, relations: dict[str, list[RelationDraft]], draft: RelationDraft) -> None:
    """``backref="posts"`` or ``backref=backref("posts", uselist=False)`` creates the other end."""
    value = draft.backref
    name, where = v.literal_str(value), value
    uselist = None
    is_call = isinstance(value, v.Call) and isinstance(value.func, v.Ref)
    if is_call and sa_name(ctx.symbols.ref(value)) == "backref":
        assert isinstance(value, v.Call)
        if value.args:
            name, where = v.literal_str(value.args[0]), value.args[0]
            uselist = v.literal_bool(value.kwarg("uselist"))
    if name is None:
        ctx.warn(draft.module, draft.pos, codes.NOT_STATIC, "this backref cannot be read "
                 "statically; the other end is left out")
        return
    if not name.isidentifier():
        assert where is not None
        ctx.warn(draft.module, where.pos, codes.NOT_A_NAME, f"backref {name!r} is not a Python "
                 "identifier, so no API field can carry it; the other end is left out")
        return
    created = replace(
        draft, entity=draft.target, name=name, target=draft.entity, kind=OPPOSITE[draft.kind],
        uselist=uselist, join_columns=draft.inverse_join_columns,
        inverse_join_columns=draft.join_columns, back_populates=None, backref=None,
        inverse=draft.name,
    )
    draft.inverse = name
    relations.setdefault(draft.target, []).append(created)


def _one_to_one(relations: dict[str, list[RelationDraft]], draft: RelationDraft) -> None:
    """A one-to-many end that holds a single object makes both ends one-to-one."""
    if draft.kind != "oneToMany" or draft.uselist is not False:
        return
    draft.kind = "oneToOne"
    if draft.inverse is not None:
        other = _find(relations, draft.target, draft.inverse)
        if other is not None and other.kind == "manyToOne":
            other.kind = "oneToOne"


def _nullable(draft: RelationDraft, drafts: dict[str, EntityDraft]) -> bool:
    if draft.kind not in ("manyToOne", "oneToOne") or draft.foreign_key is None:
        return False
    if draft.foreign_key.entity != draft.entity:
        return True  # the other row holds the key: there may be none
    entity = drafts[draft.entity]
    by_name = {f.name: f for f in entity.fields}
    return any(by_name[name].nullable for name in draft.foreign_key.fields if name in by_name)

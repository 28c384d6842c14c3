"""Relationships: target, direction and join, decided from foreign keys the way SQLAlchemy does
(``foreign_keys``, ``remote_side``, ``primaryjoin`` and ``secondary`` narrow it down)."""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.annotations import read_annotation
from fastbackend.frontends.sqlalchemy.columnrefs import ColumnResolver
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.entities import EntityDraft
from fastbackend.frontends.sqlalchemy.evaluate import Evaluator
from fastbackend.frontends.sqlalchemy.facts import ModuleFacts
from fastbackend.frontends.sqlalchemy.index import ColumnAt, TableIndex, TableInfo
from fastbackend.frontends.sqlalchemy.joins import (
    comparisons,
    foreign_side,
    refs_in,
    string_columns,
    unwrap,
)
from fastbackend.frontends.sqlalchemy.mapping import Model
from fastbackend.frontends.sqlalchemy.specs import RelationshipSpec
from fastbackend_ir import ForeignKey, Location, References, RelationForeignKey
from fastbackend_ir.nodes import RelationKind


@dataclass
class RelationDraft:
    entity: str
    name: str
    target: str
    kind: RelationKind
    location: Location
    module: ModuleFacts
    pos: v.Pos
    uselist: bool | None = None
    foreign_key: RelationForeignKey | None = None
    join_table: str | None = None
    join_columns: tuple[str, ...] = ()
    inverse_join_columns: tuple[str, ...] = ()
    back_populates: str | None = None
    backref: v.Value | None = None
    inverse: str | None = None
    nullable: bool = False


class RelationReader:
    def __init__(self, ctx: Context, index: TableIndex, drafts: dict[str, EntityDraft]) -> None:
        self.ctx = ctx
        self.index = index
        self.drafts = drafts
        self.resolver = ColumnResolver(ctx, index)
        self.join_tables: dict[str, TableInfo] = {}
        self.custom = False

    def read(self, model: Model, spec: RelationshipSpec, module: ModuleFacts) -> RelationDraft | None:
        self.custom = self._custom(spec)
        target = self._target(model, spec, module)
        if target is None:
            return None
        annotation = read_annotation(self.ctx, spec.annotation)
        uselist = v.literal_bool(self._kwarg(spec, "uselist"))
        if uselist is None and annotation.inner is not None:
            uselist = annotation.collection or annotation.dynamic
        draft = RelationDraft(
            entity=model.name, name=spec.attr, target=target.name, kind="manyToOne",
            location=Location(module.relative, spec.pos.line, spec.pos.column), module=module,
            pos=spec.pos, uselist=uselist,
            back_populates=v.literal_str(self._kwarg(spec, "back_populates")),
            backref=self._kwarg(spec, "backref"),
        )
        secondary = self._secondary(spec)
        if secondary is not None:
            return self._many_to_many(draft, model, target, spec, secondary)
        if self._secondary_given(spec):
            self._problem(module, spec.pos, codes.UNRESOLVED,
                           f"the secondary table of relationship {spec.attr!r} is not a known table")
            return None
        return self._direct(draft, model, target, spec)

    def _custom(self, spec: RelationshipSpec) -> bool:
        """A join the source writes out (primaryjoin, secondaryjoin, a computed secondary) or a
        viewonly relationship: SQLAlchemy accepts what the compiler may not follow statically."""
        if any(self._kwarg(spec, key) is not None for key in ("primaryjoin", "secondaryjoin")):
            return True
        secondary = self._kwarg(spec, "secondary")
        if secondary is not None and not isinstance(secondary, v.Lit | v.Ref | v.Lambda):
            return True
        return v.literal_bool(self._kwarg(spec, "viewonly")) is True

    def _problem(self, module: ModuleFacts, pos: v.Pos, code: str, message: str) -> None:
        """An error, or for a custom join a warning: the relationship is left out of the IR."""
        if self.custom:
            self.ctx.warn(module, pos, code, f"{message}; the relationship's join is written out "
                          "in code the compiler cannot follow, so it is left out of the IR")
        else:
            self.ctx.error(module, pos, code, message)

    def _kwarg(self, spec: RelationshipSpec, name: str) -> v.Value | None:
        found = spec.call.kwarg(name)
        extra = spec.call.kwarg("sa_relationship_kwargs")
        if found is None and isinstance(extra, v.Mapping):
            found = extra.get(name)
        return found

    # the target class

    def _target(self, model: Model, spec: RelationshipSpec, module: ModuleFacts) -> Model | None:
        argument = spec.call.args[0] if spec.call.args else spec.call.kwarg("argument")
        if isinstance(argument, v.Lambda):
            argument = argument.body
        if argument is None:
            argument = read_annotation(self.ctx, spec.annotation).inner
        found: Model | None = None
        if isinstance(argument, v.Lit) and isinstance(argument.value, str):
            found = self.index.by_name.get(argument.value.rsplit(".", 1)[-1])
        elif isinstance(argument, v.Ref):
            found = self.index.model_of_class(self.ctx.canonical(argument.qname))
        if found is None:
            self._problem(module, spec.pos, codes.UNRESOLVED, f"the target of relationship "
                           f"{model.name}.{spec.attr} is not a mapped class")
        return found

    # many-to-many

    def _secondary_given(self, spec: RelationshipSpec) -> bool:
        return spec.call.kwarg("secondary") is not None or spec.call.kwarg("link_model") is not None

    def _secondary(self, spec: RelationshipSpec) -> TableInfo | None:
        value = spec.call.kwarg("secondary") or spec.call.kwarg("link_model")
        if isinstance(value, v.Lambda):
            value = value.body
        if isinstance(value, v.Lit) and isinstance(value.value, str):
            return self.index.find_table(value.value)
        if isinstance(value, v.Ref):
            qname = self.ctx.canonical(value.qname).removesuffix(".__table__")
            core = self.index.core_by_variable.get(qname)
            if core is not None:
                return self.index.tables[core.key]
            linked = self.index.model_of_class(qname)
            if linked is not None:
                return self.index.tables[self.index.table_key(linked)]
        return None

    def _many_to_many(self, draft: RelationDraft, model: Model, target: Model,
                      spec: RelationshipSpec, table: TableInfo) -> RelationDraft | None:
        local, remote = self.index.table_key(model), self.index.table_key(target)
        pointing: dict[str, list[str]] = {}
        for column in table.columns.values():
            for fk in column.spec.foreign_keys:
                at = self.resolver.resolve(fk.target, None)
                if at is not None:
                    pointing.setdefault(at.table, []).append(column.spec.column)
        join = self._join_columns(spec, "primaryjoin", table)
        inverse = self._join_columns(spec, "secondaryjoin", table)
        if local == remote and not (join and inverse):
            self._problem(draft.module, draft.pos, codes.AMBIGUOUS_RELATION, "a self-referential "
                           "many-to-many relationship needs primaryjoin and secondaryjoin")
            return None
        draft.kind = "manyToMany"
        draft.join_table = table.key
        draft.join_columns = tuple(join or pointing.get(local, []))
        draft.inverse_join_columns = tuple(inverse or pointing.get(remote, []))
        if not draft.join_columns or not draft.inverse_join_columns:
            self._problem(draft.module, draft.pos, codes.AMBIGUOUS_RELATION, f"table {table.key} "
                           f"has no foreign keys to both {model.name} and {target.name}")
            return None
        self.join_tables[table.key] = table
        return draft

    def _join_columns(self, spec: RelationshipSpec, key: str, table: TableInfo) -> list[str]:
        """Columns of the association table named in a primaryjoin/secondaryjoin."""
        found: list[str] = []
        for ref in refs_in(self._kwarg(spec, key)):
            owner, _, column = self.ctx.canonical(ref.qname).rpartition(".")
            named = owner.endswith(".c") or owner.rsplit(".", 1)[-1] == table.name
            if named and column in table.columns:
                found.append(column)
        return found

    # one-to-many / many-to-one

    def _direct(self, draft: RelationDraft, model: Model, target: Model,
                spec: RelationshipSpec) -> RelationDraft | None:
        local, remote = self.index.table_key(model), self.index.table_key(target)
        here = self._groups(model, remote)
        there = self._groups(target, local)
        named = self._columns(model, self._kwarg(spec, "foreign_keys"))
        joined = self._columns(model, self._kwarg(spec, "primaryjoin"))
        if named or joined:
            wanted = {(c.table, c.spec.attr) for c in (named or joined)}
            here = [g for g in here if _within(g, local, wanted)]
            there = [g for g in there if _within(g, remote, wanted)]
        if not (here or there):
            here, there = self._annotated(model, target, spec)
        if local == remote:
            return self._self_referential(draft, model, spec, here)
        if len(here) == 1 and not there:
            return self._set(draft, "manyToOne", model.name, here[0])
        if len(there) == 1 and not here:
            return self._set(draft, "oneToMany", target.name, there[0])
        problem = "no foreign key links" if not (here or there) else "more than one foreign key links"
        self._problem(draft.module, draft.pos, codes.AMBIGUOUS_RELATION, f"{problem} "
                       f"{model.name} and {target.name} for relationship {spec.attr!r}; name it with "
                       "foreign_keys=")
        return None

    def _annotated(self, model: Model, target: Model, spec: RelationshipSpec
                   ) -> tuple[list[ForeignKey], list[ForeignKey]]:
        """A join without a ForeignKey: ``primaryjoin`` marks the key with ``foreign(...)``."""
        join = self._kwarg(spec, "primaryjoin")
        if isinstance(join, v.Lit) and isinstance(join.value, str):
            join = self._parsed(model, join)
        keys: list[tuple[ColumnAt, ColumnAt]] = []
        for compare in comparisons(join):
            for key, other in ((compare.left, compare.right), (compare.right, compare.left)):
                if foreign_side(key) is not None:
                    found = self._pair(model, unwrap(key), unwrap(other))
                    if found is not None:
                        keys.append(found)
        if not keys or len({k.entity for k, _ in keys}) != 1:
            return [], []
        group = ForeignKey(tuple(k.spec.attr for k, _ in keys), References(
            str(keys[0][1].entity), tuple(r.spec.attr for _, r in keys)))
        holder = keys[0][0].entity
        return ([group], []) if holder == model.name else ([], [group])

    def _pair(self, model: Model, key: v.Value, other: v.Value) -> tuple[ColumnAt, ColumnAt] | None:
        found = self.resolver.resolve(key, model), self.resolver.resolve(other, model)
        if found[0] is None or found[1] is None:
            return None
        return found[0], found[1]

    def _parsed(self, model: Model, text: v.Lit) -> v.Value:
        scope = self.ctx.module(model.cls.fact).scope
        names = {m.cls.fact.name: m.cls.fact.qname for m in self.index.models.values()}
        evaluator = Evaluator(scope.with_names(names), None, text.pos)
        return evaluator.parsed(str(text.value), text.pos)

    def _self_referential(self, draft: RelationDraft, model: Model, spec: RelationshipSpec,
                          groups: list[ForeignKey]) -> RelationDraft | None:
        if len(groups) != 1:
            self._problem(draft.module, draft.pos, codes.AMBIGUOUS_RELATION, "cannot tell which "
                           f"foreign key the self-referential relationship {spec.attr!r} uses")
            return None
        group = groups[0]
        remote = {c.spec.attr for c in self._columns(model, self._kwarg(spec, "remote_side"))}
        if remote and remote <= set(group.references.fields) and not remote <= set(group.fields):
            return self._set(draft, "manyToOne", model.name, group)
        return self._set(draft, "oneToMany", model.name, group)

    def _set(self, draft: RelationDraft, kind: RelationKind, fk_entity: str, group: ForeignKey
             ) -> RelationDraft:
        draft.kind = kind
        draft.foreign_key = RelationForeignKey(fk_entity, group.fields, group.references.fields)
        return draft

    def _groups(self, model: Model, referenced_table: str) -> list[ForeignKey]:
        draft = self.drafts[model.name]
        return [fk for fk in draft.foreign_keys
                if self.index.table_key(self.index.by_name[fk.references.entity]) == referenced_table]

    def _columns(self, model: Model, value: v.Value | None) -> list[ColumnAt]:
        if value is None:
            return []
        if isinstance(value, v.Lit) and isinstance(value.value, str):
            refs: list[v.Value] = string_columns(self.index, model, value)
        else:
            refs = list(refs_in(value))
        found = [self.resolver.resolve(ref, model) for ref in refs]
        return [f for f in found if f is not None]


def _within(group: ForeignKey, table: str, wanted: set[tuple[str, str]]) -> bool:
    return all((table, field) in wanted for field in group.fields)

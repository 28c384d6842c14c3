"""Lower each model's columns and table declarations to IR fields, keys, constraints and foreign
keys (relations come after, in relations.py, because they need every entity's foreign keys)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.columnrefs import ColumnResolver
from fastbackend.frontends.sqlalchemy.constraints import (
    ConstraintSpec,
    apply_convention,
    too_long,
    too_long_message,
)
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.facts import ModuleFacts
from fastbackend.frontends.sqlalchemy.index import ColumnAt, TableIndex
from fastbackend.frontends.sqlalchemy.mapping import Model
from fastbackend.frontends.sqlalchemy.names import sa_name, sql_function
from fastbackend.frontends.sqlalchemy.specs import ColumnSpec, ForeignKeySpec, TypeSpec
from fastbackend_ir import (
    Check,
    Field,
    ForeignKey,
    Index,
    IndexField,
    Location,
    PrimaryKey,
    References,
    Unique,
)
from fastbackend_ir.nodes import ReferentialAction

ACTIONS: dict[str, ReferentialAction] = {
    "CASCADE": "cascade", "RESTRICT": "restrict", "NO ACTION": "noAction",
    "SET NULL": "setNull", "SET DEFAULT": "setDefault",
}
# SQLAlchemy 2 generates keys for integer columns only ("auto" leaves a NUMERIC or FLOAT key to
# the application; autoincrement=True on one is an ArgumentError when the table is created).
AUTOINCREMENT_TYPES = frozenset({"integer", "bigint"})
Sort = Literal["asc", "desc"]
SORTS: dict[str | None, Sort] = {"asc": "asc", "desc": "desc"}


@dataclass
class EntityDraft:
    model: Model
    table: str
    fields: list[Field] = field(default_factory=list)
    field_locations: list[Location] = field(default_factory=list)
    columns: list[ColumnSpec] = field(default_factory=list)
    primary_key: PrimaryKey | None = None
    uniques: list[Unique] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)

    def field_of_column(self, column: str) -> Field | None:
        for spec, found in zip(self.columns, self.fields, strict=True):
            if spec.column == column:
                return found
        return None


class EntityBuilder:
    def __init__(self, ctx: Context, index: TableIndex, module_indexes: dict[str, list[ConstraintSpec]]
                 ) -> None:
        self.ctx = ctx
        self.index = index
        self.resolver = ColumnResolver(ctx, index)
        self.module_indexes = module_indexes
        self.drafts: dict[str, EntityDraft] = {}

    def build(self, model: Model) -> EntityDraft:
        if model.name in self.drafts:
            return self.drafts[model.name]
        root = self.index.table_model(model)
        draft = EntityDraft(model, str(root.table))
        self.drafts[model.name] = draft
        inherited = self._inherited(model)
        own_columns = self._own_columns(model, inherited)
        pk_columns = self._pk_columns(model, inherited)
        for spec in own_columns:
            self._add_field(draft, model, spec, pk_columns)
        draft.fields[:0] = inherited.fields if inherited else []
        draft.field_locations[:0] = inherited.field_locations if inherited else []
        draft.columns[:0] = inherited.columns if inherited else []
        self._keys_and_constraints(draft, model, inherited)
        return draft

    def _own_columns(self, model: Model, inherited: EntityDraft | None) -> list[ColumnSpec]:
        """A single-table subclass's columns, less those its parent's table already has:
        reused with `use_existing_column=True`, else refused as SQLAlchemy refuses them
        ("Column 'x' on class C conflicts with existing column 'table.x'")."""
        if inherited is None:
            return list(model.columns)
        taken = {c.column for c in inherited.columns} | {f.name for f in inherited.fields}
        own = []
        for spec in model.columns:
            if spec.column not in taken and spec.attr not in taken:
                own.append(spec)
            elif not spec.use_existing:
                self.ctx.error(self._module_of(spec, model), spec.pos, codes.DUPLICATE,
                               f"column {spec.column!r} of {model.name} conflicts with the "
                               f"column of its parent's table {inherited.table!r} "
                               "(single-table inheritance): SQLAlchemy "
                               "refuses it; leave it to the parent, or pass "
                               "use_existing_column=True")
        return own

    def _module_of(self, spec: ColumnSpec, model: Model) -> ModuleFacts:
        """The module a column is written in (a mixin's, or the class's own)."""
        return next((m for m in self.ctx.symbols.modules.values() if m.relative == spec.source),
                    self.ctx.module(model.cls.fact))

    def _inherited(self, model: Model) -> EntityDraft | None:
        """Single-table subclasses carry their parent's fields (same table)."""
        if model.strategy != "single" or model.cls.parent is None:
            return None
        parent = self.index.models.get(model.cls.parent.qname)
        return self.build(parent) if parent is not None else None

    def _pk_columns(self, model: Model, inherited: EntityDraft | None) -> list[str]:
        if inherited is not None:
            return []  # a single-table subclass adds columns to its parent's key, never to it
        columns = [c.column for c in model.columns if c.primary_key]
        for constraint in model.constraints:
            if constraint.kind == "primary_key":
                columns = [col.spec.column for col in self._columns(constraint, model)]
        return columns

    def _add_field(self, draft: EntityDraft, model: Model, spec: ColumnSpec, pk: list[str]) -> None:
        type_spec = self._type(spec, model)
        primary = spec.column in pk
        if primary and spec.autoincrement is True and not spec.sequence \
                and type_spec.logical not in AUTOINCREMENT_TYPES:
            self.ctx.error(self._module_of(spec, model), spec.pos, codes.NOT_AUTOINCREMENT,
                           f"autoincrement=True on the key column {spec.column!r} of type "
                           f"{type_spec.logical}: only an integer column can generate its "
                           "values (SQLAlchemy refuses it when the table is created); use "
                           "Integer or BigInteger, or leave the key to the client")
        draft.columns.append(replace(spec, primary_key=primary, type=type_spec))
        draft.fields.append(Field(
            name=spec.attr,
            column=spec.column,
            type=type_spec.logical,
            enum=type_spec.enum.name if type_spec.enum else None,
            list=type_spec.list,
            nullable=spec.nullable and not primary,
            primary_key=primary,
            autoincrement=_autoincrement(spec, type_spec, pk),
            unique=spec.unique and not spec.index,
            unique_name=apply_convention(model.naming, "uq", draft.table, [spec.column])
            if spec.unique and not spec.index else None,
            default=spec.default,
            updated_at=spec.updated_at,
            db=type_spec.db,
            description=spec.description,
            api=spec.api,
        ))
        draft.field_locations.append(Location(spec.source, spec.pos.line, spec.pos.column))

    def _type(self, spec: ColumnSpec, model: Model) -> TypeSpec:
        if not spec.type.from_foreign_key or not spec.foreign_keys:
            return spec.type
        target = self.resolver.resolve(spec.foreign_keys[0].target, model)
        if target is None:
            return spec.type
        return replace(target.spec.type, list=False, from_foreign_key=False)

    def _keys_and_constraints(self, draft: EntityDraft, model: Model,
                              inherited: EntityDraft | None) -> None:
        names = [f.name for f in draft.fields if f.primary_key]
        if inherited is not None:
            draft.primary_key = inherited.primary_key
        elif names:
            draft.primary_key = PrimaryKey(tuple(names), self._pk_name(model, draft.table, [
                f.column for f in draft.fields if f.primary_key]))
        else:
            self.ctx.error(self.ctx.module(model.cls.fact), model.cls.fact.pos, codes.NO_PRIMARY_KEY,
                           f"mapped class {model.name} has no primary key column")
        if inherited is not None:
            draft.foreign_keys.extend(inherited.foreign_keys)
        for spec in model.columns:
            self._column_level(draft, model, spec)
        constraints = [*model.constraints, *self.module_indexes.get(model.cls.fact.qname, [])]
        for constraint in constraints:
            self._constraint(draft, model, constraint)

    def _pk_name(self, model: Model, table: str, columns: list[str]) -> str | None:
        given = next((c for c in model.constraints if c.kind == "primary_key"), None)
        return self._named(model, given.pos if given else model.cls.fact.pos, apply_convention(
            model.naming, "pk", table, columns, given=given.name if given else None),
            given.name if given else None)

    def _named(self, model: Model, pos: v.Pos, name: str | None, given: str | None) -> str | None:
        """``name``, unless it is an explicit name PostgreSQL cannot hold (SQLAlchemy refuses to
        create it there: IdentifierError at start-up); then FB115 at its position."""
        if too_long(given, name):
            self.ctx.error(self.ctx.module(model.cls.fact), pos, codes.NAME_TOO_LONG,
                           too_long_message(str(given)))
        return name

    def _column_level(self, draft: EntityDraft, model: Model, spec: ColumnSpec) -> None:
        for fk in spec.foreign_keys:
            found = self._foreign_key(model, (spec.attr,), [spec.column], (fk.target,), fk, fk.name)
            if found is not None:
                draft.foreign_keys.append(found)
        if spec.index:
            name = apply_convention(model.naming, "ix", draft.table, [spec.column])
            draft.indexes.append(Index((IndexField(spec.attr),), name, unique=spec.unique))

    def _foreign_key(self, model: Model, fields: tuple[str, ...], columns: list[str],
                     targets: tuple[v.Value, ...], where: ForeignKeySpec | ConstraintSpec,
                     name: str | None) -> ForeignKey | None:
        resolved = [self.resolver.resolve(target, model) for target in targets]
        module = self.ctx.module(model.cls.fact)
        if any(r is None for r in resolved) or not resolved:
            self.ctx.error(module, where.pos, codes.UNRESOLVED, "the foreign key target "
                           f"{_spell(targets)} does not name a known table column")
            return None
        ats = [r for r in resolved if r is not None]
        entity = ats[0].entity
        if entity is None:
            self.ctx.warn(module, where.pos, codes.UNMAPPED_TARGET, "the foreign key targets "
                          f"table {ats[0].table}, which no class maps; it is left out of the IR")
            return None
        referred = self.index.tables[ats[0].table].name
        table = self.index.table_key(model).rsplit(".", 1)[-1]
        return ForeignKey(
            fields=fields,
            references=References(entity, tuple(a.spec.attr for a in ats)),
            name=self._named(model, where.pos, apply_convention(
                model.naming, "fk", table, columns, referred, name), name),
            on_delete=self._action(module, where.pos, where.on_delete),
            on_update=self._action(module, where.pos, where.on_update),
        )

    def _action(self, module: ModuleFacts, pos: v.Pos, action: str | None
                ) -> ReferentialAction | None:
        if action is None:
            return None
        found = ACTIONS.get(" ".join(action.upper().split()))
        if found is None:
            self.ctx.warn(module, pos, codes.NOT_STATIC, f"unknown referential action {action!r}; "
                          "it is left out")
        return found

    def _constraint(self, draft: EntityDraft, model: Model, constraint: ConstraintSpec) -> None:
        keyed = constraint.kind in ("unique", "foreign_key")
        columns = self._columns(constraint, model) if keyed else []
        fields = tuple(c.spec.attr for c in columns)
        column_names = [c.spec.column for c in columns]
        if constraint.kind == "unique" and fields:
            name = self._named(model, constraint.pos, apply_convention(
                model.naming, "uq", draft.table, column_names, given=constraint.name),
                constraint.name)
            draft.uniques.append(Unique(fields, name))
        elif constraint.kind == "index":
            self._index(draft, model, constraint)
        elif constraint.kind == "check" and constraint.expression is not None:
            name = self._named(model, constraint.pos, apply_convention(
                model.naming, "ck", draft.table, [], given=constraint.name), constraint.name)
            draft.checks.append(Check(constraint.expression, name))
        elif constraint.kind == "foreign_key" and fields:
            found = self._foreign_key(model, fields, column_names, constraint.referred,
                                      constraint, constraint.name)
            if found is not None:
                draft.foreign_keys.append(found)

    def _index(self, draft: EntityDraft, model: Model, constraint: ConstraintSpec) -> None:
        items: list[IndexField] = []
        names: list[str] = []
        for value in constraint.columns:
            item = self._index_field(value, model)
            if item is None:
                self.ctx.warn(constraint.module, value.pos, codes.NOT_STATIC,
                              "this index expression cannot be read statically; the index is "
                              "left out")
                return
            items.append(item)
            names.append(item.field)
        name = self._named(model, constraint.pos, apply_convention(
            model.naming, "ix", draft.table, names, given=constraint.name), constraint.name)
        index_type = constraint.using if constraint.using in _INDEX_TYPES else None
        draft.indexes.append(Index(tuple(items), name, constraint.unique, index_type,
                                   constraint.where))

    def _index_field(self, value: v.Value, model: Model) -> IndexField | None:
        sort, value = self._sort(value)
        column = self.resolver.resolve(value, model) if isinstance(value, v.Lit | v.Ref) else None
        if column is None and isinstance(value, v.Lit) and isinstance(value.value, str):
            column = self._by_column_name(model, value.value)
        if column is not None:
            return IndexField(column.spec.attr, sort=sort)
        sql = self._sql(value, model)
        return IndexField(sql, expression=True, sort=sort) if sql else None

    def _sort(self, value: v.Value) -> tuple[Sort | None, v.Value]:
        """``desc(User.name)``, ``User.name.desc()`` -> ("desc", User.name)."""
        if not isinstance(value, v.Call):
            return None, value
        name = sa_name(self.ctx.symbols.ref(value))
        if name in SORTS and value.args:
            return SORTS[name], value.args[0]
        if isinstance(value.func, v.Attr) and value.func.attr in SORTS:
            return SORTS[value.func.attr], value.func.value
        if isinstance(value.func, v.Ref) and not value.args and name is None:
            owner, _, method = value.func.qname.rpartition(".")
            if method in SORTS:
                return SORTS[method], v.Ref(owner, value.func.text.rpartition(".")[0], value.pos)
        return None, value

    def _sql(self, value: v.Value, model: Model) -> str | None:
        """``func.lower(User.email)`` -> ``lower(email)``."""
        if isinstance(value, v.Call) and isinstance(value.func, v.Ref):
            function = sql_function(self.ctx.canonical(value.func.qname))
            parts = [self._sql(arg, model) for arg in value.args]
            if function is None or any(p is None for p in parts):
                return None
            return f"{function}({', '.join(p for p in parts if p)})"
        column = self.resolver.resolve(value, model)
        return column.spec.column if column is not None else None

    def _by_column_name(self, model: Model, name: str) -> ColumnAt | None:
        info = self.index.tables[self.index.table_key(model)]
        return info.columns.get(name)

    def _columns(self, constraint: ConstraintSpec, model: Model) -> list[ColumnAt]:
        found: list[ColumnAt] = []
        for value in constraint.columns:
            column = self.resolver.resolve(value, model) if isinstance(value, v.Lit | v.Ref) else None
            if column is None and isinstance(value, v.Lit) and isinstance(value.value, str):
                column = self._by_column_name(model, value.value)
            if column is None:
                self.ctx.error(constraint.module, value.pos, codes.UNRESOLVED,
                               "this constraint names a column the table does not have")
                continue
            found.append(column)
        return found


_INDEX_TYPES = frozenset({"btree", "hash", "gist", "gin", "spgist", "brin", "fulltext"})


def _autoincrement(spec: ColumnSpec, type_spec: TypeSpec, pk: list[str]) -> bool:
    """SQLAlchemy's rule: an explicit True, or "auto" on the single integer primary key column
    without a foreign key or non-sequence default."""
    if spec.column not in pk:
        return False
    if spec.autoincrement is True or spec.sequence:
        return True
    if spec.autoincrement is False or len(pk) != 1 or type_spec.list:
        return False
    if type_spec.logical not in AUTOINCREMENT_TYPES:
        return False
    return not spec.foreign_keys and spec.default is None


def _spell(targets: tuple[v.Value, ...]) -> str:
    spelled = [t.value if isinstance(t, v.Lit) else getattr(t, "text", "?") for t in targets]
    return ", ".join(repr(s) if isinstance(s, str) else str(s) for s in spelled)

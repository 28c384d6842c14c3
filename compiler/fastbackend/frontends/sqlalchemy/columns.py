"""Columns: ``Column(...)``, ``mapped_column(...)``, annotation-only ``Mapped[...]`` and SQLModel
fields, with ``Annotated`` aliases merged in, read into ColumnSpecs."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.annotations import Annotation, read_annotation
from fastbackend.frontends.sqlalchemy.coltypes import TypeMap, type_from_expression, type_from_python
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.defaults import NotStatic, client_default, is_now, server_default
from fastbackend.frontends.sqlalchemy.facts import AttributeFact, ModuleFacts
from fastbackend.frontends.sqlalchemy.names import sa_name
from fastbackend.frontends.sqlalchemy.specs import ColumnSpec, ForeignKeySpec, TypeSpec
from fastbackend.frontends.sqlalchemy.types import SQLMODEL_PYTHON_TYPES
from fastbackend_ir import Default

COLUMN_CALLS = frozenset({"Column", "mapped_column"})
RELATIONSHIP_CALLS = frozenset({"relationship", "relation", "Relationship"})
WRAPPERS = frozenset({"deferred"})
NOT_TYPES = frozenset({"ForeignKey", "Identity", "Sequence", "Computed", "CheckConstraint",
                       "UniqueConstraint", "FetchedValue", "DefaultClause"})


@dataclass
class ColumnArgs:
    """A column call's arguments, merged from an Annotated alias and the attribute's own call."""

    name: str | None = None
    type: v.Value | None = None
    foreign_keys: list[v.Call] = field(default_factory=list)
    sequence: bool = False
    kwargs: dict[str, v.Value] = field(default_factory=dict)

    def add(self, ctx: Context, call: v.Call) -> None:
        for arg in call.args:
            self._add_positional(ctx, arg)
        self.kwargs.update(dict(call.kwargs))
        if "type_" in self.kwargs:
            self.type = self.kwargs["type_"]
        if "name" in self.kwargs and v.literal_str(self.kwargs["name"]) is not None:
            self.name = v.literal_str(self.kwargs["name"])

    def _add_positional(self, ctx: Context, arg: v.Value) -> None:
        if isinstance(arg, v.Lit) and isinstance(arg.value, str):
            self.name = arg.value
            return
        kind = sa_name(ctx.symbols.ref(arg)) if isinstance(arg, v.Call) else None
        if kind == "ForeignKey":
            assert isinstance(arg, v.Call)
            self.foreign_keys.append(arg)
        elif kind in ("Identity", "Sequence"):
            self.sequence = True
        elif kind not in NOT_TYPES:
            self.type = arg

    def flag(self, name: str) -> bool | None:
        return v.literal_bool(self.kwargs.get(name))


@dataclass(frozen=True)
class Owner:
    """The class a column is read for: its module, its base's type map, its flavour."""

    name: str
    module: ModuleFacts
    type_map: TypeMap
    sqlmodel: bool = False


def is_relationship(ctx: Context, attribute: AttributeFact) -> bool:
    return sa_name(ctx.symbols.ref(attribute.value)) in RELATIONSHIP_CALLS and isinstance(
        attribute.value, v.Call)


def column_spec(ctx: Context, owner: Owner, attribute: AttributeFact) -> ColumnSpec | None:
    """The column an attribute declares, or None when it declares no column."""
    if attribute.name.startswith("__") or is_relationship(ctx, attribute):
        return None
    value = _unwrap(ctx, attribute.value)
    kind = sa_name(ctx.symbols.ref(value)) if isinstance(value, v.Call) else None
    annotation = read_annotation(ctx, attribute.annotation)
    if annotation.classvar or annotation.dynamic or annotation.collection:
        return None
    if owner.sqlmodel and (kind == "Field" or (kind is None and _plain(annotation, value))):
        return _sqlmodel_column(ctx, owner, attribute, annotation, value)
    if kind in COLUMN_CALLS:
        assert isinstance(value, v.Call)
        return _column(ctx, owner, attribute, annotation, [*annotation.extras, value])
    if kind is None and value is None and annotation.mapped and not _is_class(ctx, annotation):
        return _column(ctx, owner, attribute, annotation, list(annotation.extras))
    return None


def _unwrap(ctx: Context, value: v.Value | None) -> v.Value | None:
    if isinstance(value, v.Call) and sa_name(ctx.symbols.ref(value)) in WRAPPERS and value.args:
        return value.args[0]
    return value


def _plain(annotation: Annotation, value: v.Value | None) -> bool:
    return annotation.inner is not None and not annotation.mapped and (
        value is None or isinstance(value, v.Lit | v.Ref))


def _is_class(ctx: Context, annotation: Annotation) -> bool:
    """``Mapped["User"]`` names a mapped class (a relationship), not a column type."""
    inner = annotation.inner
    if not isinstance(inner, v.Ref):
        return False
    qname = ctx.canonical(inner.qname)
    return qname in ctx.symbols.classes and ctx.enum_class(qname) is None and not _is_type_class(
        ctx, qname)


def _is_type_class(ctx: Context, qname: str) -> bool:
    fact = ctx.symbols.classes[qname]
    return any(sa_name(e) in ("TypeDecorator", "UserDefinedType")
               for e in ctx.classifier.ancestry(fact).external)


def _column(ctx: Context, owner: Owner, attribute: AttributeFact, annotation: Annotation,
            calls: list[v.Call]) -> ColumnSpec:
    args = ColumnArgs()
    for call in calls:
        args.add(ctx, call)
    _check_flags(ctx, owner.module, args)
    type_spec = _type(ctx, owner, attribute, annotation, args)
    primary_key = args.flag("primary_key") is True
    nullable = args.flag("nullable")
    if nullable is None:
        nullable = not primary_key and (annotation.optional or not annotation.mapped)
    return _finish(ctx, owner, attribute, args, type_spec, primary_key, nullable)


FLAGS = ("primary_key", "nullable", "unique", "index", "autoincrement")


def _check_flags(ctx: Context, module: ModuleFacts, args: ColumnArgs) -> None:
    """A flag that is not a literal (``nullable=settings.optional``) is reported, not guessed."""
    for name in FLAGS:
        value = args.kwargs.get(name)
        if value is None or (isinstance(value, v.Lit) and isinstance(value.value, bool | str)):
            continue
        ctx.warn(module, value.pos, codes.NOT_STATIC, f"{name}= cannot be known without running "
                 "the code; SQLAlchemy's default for it is assumed")


def _type(ctx: Context, owner: Owner, attribute: AttributeFact, annotation: Annotation,
          args: ColumnArgs) -> TypeSpec:
    if args.type is not None:
        return type_from_expression(ctx, owner.module, args.type, f"{owner.name}_{attribute.name}")
    if annotation.inner is not None:
        found = type_from_python(ctx, owner.module, annotation.inner, owner.type_map)
        if found is not None:
            return found
    if args.foreign_keys:
        return TypeSpec("integer", from_foreign_key=True)  # the referenced column's, when lowering
    ctx.warn(owner.module, attribute.pos, codes.UNKNOWN_TYPE,
             f"the type of column {attribute.name!r} cannot be determined statically")
    return TypeSpec("unsupported")


def _finish(ctx: Context, owner: Owner, attribute: AttributeFact, args: ColumnArgs,
            type_spec: TypeSpec, primary_key: bool, nullable: bool) -> ColumnSpec:
    autoincrement: bool | str = args.flag("autoincrement")  # type: ignore[assignment]
    if autoincrement is None:
        autoincrement = "auto"
    onupdate = args.kwargs.get("onupdate")
    updated_at = onupdate is not None and is_now(onupdate, ctx.canonical)
    return ColumnSpec(
        attr=attribute.name,
        column=args.name or attribute.name,
        type=type_spec,
        nullable=nullable,
        primary_key=primary_key,
        unique=args.flag("unique") is True,
        index=args.flag("index") is True,
        autoincrement=autoincrement,
        default=None if updated_at else _default(ctx, owner.module, args, type_spec),
        updated_at=updated_at,
        foreign_keys=tuple(_foreign_key(call) for call in args.foreign_keys),
        description=v.literal_str(args.kwargs.get("comment") or args.kwargs.get("doc")),
        pos=attribute.pos,
        sequence=args.sequence,
        source=owner.module.relative,
    )


def _default(ctx: Context, module: ModuleFacts, args: ColumnArgs, type_spec: TypeSpec
             ) -> Default | None:
    found: Default | NotStatic | None = None
    if "server_default" in args.kwargs:
        value = args.kwargs["server_default"]
        found = server_default(value, type_spec.logical, ctx.canonical, ctx.enum_member(value))
    if found is None and "default" in args.kwargs:
        value = args.kwargs["default"]
        found = client_default(value, ctx.canonical, ctx.enum_member(value))
    if isinstance(found, NotStatic):
        ctx.warn(module, found.pos, codes.NOT_STATIC, f"the default is computed by {found.what} "
                 "when the code runs; it is left out of the IR")
        return None
    return found


def _foreign_key(call: v.Call) -> ForeignKeySpec:
    target = call.args[0] if call.args else v.Unknown("ForeignKey()", call.pos)
    return ForeignKeySpec(target, v.literal_str(call.kwarg("name")),
                          v.literal_str(call.kwarg("ondelete")),
                          v.literal_str(call.kwarg("onupdate")), call.pos)


def _sqlmodel_column(ctx: Context, owner: Owner, attribute: AttributeFact, annotation: Annotation,
                     value: v.Value | None) -> ColumnSpec | None:
    """SQLModel ``Field(...)``: its own keywords, or a whole ``sa_column=Column(...)``."""
    field_call = value if isinstance(value, v.Call) else None
    if field_call is not None:
        sa_column = field_call.kwarg("sa_column")
        if isinstance(sa_column, v.Call):
            return _column(ctx, owner, attribute, annotation, [sa_column])
    args = ColumnArgs()
    if field_call is not None:
        args.kwargs.update(dict(field_call.kwargs))
        if field_call.args:
            args.kwargs.setdefault("default", field_call.args[0])
    elif value is not None:
        args.kwargs["default"] = value
    _sqlmodel_foreign_key(field_call, args)
    _check_flags(ctx, owner.module, args)
    primary_key = args.flag("primary_key") is True
    nullable = args.flag("nullable")
    if nullable is None:
        nullable = annotation.optional and not primary_key
    type_spec = _sqlmodel_type(ctx, owner, attribute, annotation, args)
    return _finish(ctx, owner, attribute, args, type_spec, primary_key, nullable)


def _sqlmodel_foreign_key(field_call: v.Call | None, args: ColumnArgs) -> None:
    target = field_call.kwarg("foreign_key") if field_call is not None else None
    if target is not None and field_call is not None:
        kwargs = [("ondelete", field_call.kwarg("ondelete"))] if field_call.has("ondelete") else []
        args.foreign_keys.append(v.Call(v.Ref("sqlalchemy.ForeignKey", "ForeignKey", target.pos),
                                        (target,), tuple(kwargs), target.pos))  # type: ignore[arg-type]


def _sqlmodel_type(ctx: Context, owner: Owner, attribute: AttributeFact, annotation: Annotation,
                   args: ColumnArgs) -> TypeSpec:
    if "sa_type" in args.kwargs:
        return type_from_expression(ctx, owner.module, args.kwargs["sa_type"], attribute.name)
    inner = annotation.inner
    found = None
    if inner is not None:
        found = type_from_python(ctx, owner.module, inner, owner.type_map, SQLMODEL_PYTHON_TYPES)
    if found is None:
        ctx.warn(owner.module, attribute.pos, codes.UNKNOWN_TYPE,
                 f"the type of field {attribute.name!r} cannot be determined statically")
        return TypeSpec("unsupported")
    return _sqlmodel_sized(found, args)


def _sqlmodel_sized(found: TypeSpec, args: ColumnArgs) -> TypeSpec:
    from dataclasses import replace

    from fastbackend_ir import DbType

    length = v.literal_int(args.kwargs.get("max_length"))
    if found.logical == "string" and length is not None and found.db is None:
        return replace(found, db=DbType(type="VARCHAR", length=length))
    digits = v.literal_int(args.kwargs.get("max_digits"))
    places = v.literal_int(args.kwargs.get("decimal_places"))
    if found.logical == "decimal" and (digits is not None or places is not None):
        return replace(found, db=DbType(type="NUMERIC", precision=digits, scale=places))
    return found

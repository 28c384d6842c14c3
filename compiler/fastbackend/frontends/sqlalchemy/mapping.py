"""Which classes are mapped, to which table, with which inheritance, and what they declare."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.classes import MappedClass
from fastbackend.frontends.sqlalchemy.coltypes import TypeMap
from fastbackend.frontends.sqlalchemy.columns import (
    Owner,
    bare_class_annotation,
    column_spec,
    is_relationship,
)
from fastbackend.frontends.sqlalchemy.constraints import (
    ConstraintSpec,
    read_table_args,
)
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.facts import AttributeFact, ClassFact
from fastbackend.frontends.sqlalchemy.names import sa_name
from fastbackend.frontends.sqlalchemy.registry import default_schema, naming, type_map
from fastbackend.frontends.sqlalchemy.specs import ColumnSpec, RelationshipSpec
from fastbackend.frontends.sqlalchemy.tablenames import table_name

Strategy = Literal["single", "joined", "concrete"]


@dataclass(frozen=True)
class Declared:
    """An attribute and the class that declares it (a mixin's attribute keeps its own module)."""

    attribute: AttributeFact
    owner: ClassFact


@dataclass
class Model:
    cls: MappedClass
    table: str | None  # None: single-table inheritance, the parent's table
    strategy: Strategy | None
    type_map: TypeMap
    naming: dict[str, str]
    columns: list[ColumnSpec] = field(default_factory=list)
    relationships: list[RelationshipSpec] = field(default_factory=list)
    relationship_owners: list[ClassFact] = field(default_factory=list)
    table_args: v.Value | None = None
    table_args_owner: ClassFact | None = None
    mapper_args: v.Mapping | None = None
    schema: str | None = None
    constraints: tuple[ConstraintSpec, ...] = ()

    @property
    def name(self) -> str:
        return self.cls.fact.name


def find_models(ctx: Context) -> list[Model]:
    mapped: dict[str, MappedClass | None] = {}
    for module in ctx.symbols.modules.values():
        for fact in module.classes:
            _mapped_class(ctx, fact, mapped)
    models = [_model(ctx, cls) for cls in mapped.values() if cls is not None]
    return [model for model in models if model is not None]


def _mapped_class(ctx: Context, fact: ClassFact, seen: dict[str, MappedClass | None]
                  ) -> MappedClass | None:
    if fact.qname in seen:
        return seen[fact.qname]
    seen[fact.qname] = None
    classifier = ctx.classifier
    flavor = classifier.flavor(fact)
    if flavor is None or classifier.is_root(fact) or _abstract(fact) or _abstract_concrete(ctx, fact):
        return None
    if flavor == "sqlmodel" and v.literal_bool(fact.keyword("table")) is not True:
        return None
    ancestry = classifier.ancestry(fact)
    parent = next((a for a in ancestry.classes if _mapped_class(ctx, a, seen) is not None), None)
    found = MappedClass(fact, ctx.module(fact), flavor, ancestry, parent)
    seen[fact.qname] = found
    return found


def _abstract_concrete(ctx: Context, fact: ClassFact) -> bool:
    """``class Employee(AbstractConcreteBase, Base)`` has no table by design: its concrete
    subclasses are the entities, and its columns reach them as a mixin's would."""
    return any(sa_name(ctx.symbols.ref(base)) == "AbstractConcreteBase" for base in fact.bases)


def _abstract(fact: ClassFact) -> bool:
    attribute = fact.attribute("__abstract__")
    return attribute is not None and v.literal_bool(attribute.value) is True


def _model(ctx: Context, cls: MappedClass) -> Model | None:
    table_object = _table_object(ctx, cls)
    if table_object is not None:
        return _hybrid_model(ctx, cls, table_object)
    mapper_args = _mapper_args(ctx, cls)
    concrete = mapper_args is not None and v.literal_bool(mapper_args.get("concrete")) is True
    concrete = concrete or (any(sa_name(e) in ("ConcreteBase", "AbstractConcreteBase")
                               for e in cls.ancestry.external) and cls.parent is not None)
    table = table_name(ctx, cls)
    strategy: Strategy | None = None
    if cls.parent is not None:
        strategy = "concrete" if concrete else ("joined" if table is not None else "single")
    elif table is None and cls.lookup("__tablename__") is None:
        ctx.error(cls.module, cls.fact.pos, codes.NO_TABLE_NAME, f"mapped class {cls.name} has "
                  "no __tablename__ (and no mapped parent to share a table with)")
        return None
    if table is None and strategy is None:
        return None  # the table name was reported as not static
    model = Model(cls, table, strategy, type_map(ctx, cls), naming(ctx, cls),
                  mapper_args=mapper_args)
    _declarations(ctx, model)
    if model.table_args is not None and model.table_args_owner is not None:
        args = read_table_args(ctx, ctx.module(model.table_args_owner), model.table_args)
        model.schema, model.constraints = args.schema, args.constraints
    model.schema = model.schema or default_schema(ctx, cls)
    return model


def _table_object(ctx: Context, cls: MappedClass) -> tuple[str, v.Call] | None:
    """``__table__ = Table(...)`` (or a module-level Table it names): a hybrid declarative class."""
    attribute = cls.fact.attribute("__table__")
    if attribute is None or attribute.value is None:  # `__table__: FromClause` only types it
        return None
    value: v.Value | None = attribute.value
    variable = f"{cls.fact.qname}.__table__"
    if isinstance(value, v.Ref):
        variable, value = ctx.canonical(value.qname), ctx.deref(value)
    if isinstance(value, v.Call) and sa_name(ctx.symbols.ref(value)) == "Table":
        return variable, value
    ctx.error(cls.module, attribute.pos, codes.UNSUPPORTED, f"the __table__ of {cls.name} is not "
              "a Table(...) the compiler can read")
    return None


def _hybrid_model(ctx: Context, cls: MappedClass, table_object: tuple[str, v.Call]
                  ) -> Model | None:
    from fastbackend.frontends.sqlalchemy.tables import core_table

    variable, call = table_object
    core = core_table(ctx, cls.module, variable, call)
    if core is None:
        ctx.error(cls.module, call.pos, codes.NOT_STATIC, "the table name is not a literal")
        return None
    model = Model(cls, core.name, None, {}, naming(ctx, cls), mapper_args=_mapper_args(ctx, cls),
                  schema=core.schema, constraints=core.constraints)
    model.columns.extend(core.columns)
    owner = Owner(cls.name, cls.module, model.type_map)
    for attribute in cls.fact.attributes:
        if is_relationship(ctx, attribute):
            assert isinstance(attribute.value, v.Call)
            model.relationships.append(RelationshipSpec(
                attribute.name, attribute.value, attribute.annotation, attribute.pos))
            model.relationship_owners.append(cls.fact)
        elif column_spec(ctx, owner, attribute) is not None:
            ctx.error(cls.module, attribute.pos, codes.UNSUPPORTED, "a class mapped through "
                      "__table__ declares its columns in the Table, not in the class")
    return model


def _declared(cls: MappedClass) -> list[Declared]:
    """Attributes in method resolution order (the class, then its mixins and base, nearest
    first), each class's in declaration order, declared_attr functions in their place: the order
    SQLAlchemy's declarative scan adds the columns to the table (before sort_order)."""
    own = [Declared(a, cls.fact) for a in cls.fact.attributes]
    mixins = [Declared(a, m) for m in cls.mixins() for a in m.attributes]
    order = [*own, *mixins]
    if cls.flavor == "sqlmodel":
        # pydantic orders fields base class first; a redeclared field keeps its first place.
        inherited = [Declared(a, m) for m in reversed(cls.mixins()) for a in m.attributes]
        mine = {d.attribute.name: d for d in own}
        order = [mine.get(d.attribute.name, d) for d in inherited] + own
    seen: set[str] = set()
    result: list[Declared] = []
    for declared in order:
        if declared.attribute.name not in seen:
            seen.add(declared.attribute.name)
            result.append(declared)
    return result


def _declarations(ctx: Context, model: Model) -> None:
    cls = model.cls
    for declared in _declared(cls):
        attribute, owner_fact = declared.attribute, declared.owner
        if ctx.module(owner_fact).library:  # a library mixin's column: located at the class
            attribute, owner_fact = _at(attribute, cls.fact.pos), cls.fact
        if attribute.name == "__table_args__":
            model.table_args, model.table_args_owner = attribute.value, owner_fact
            continue
        owner = Owner(cls.name, ctx.module(owner_fact), model.type_map, cls.flavor == "sqlmodel")
        if is_relationship(ctx, attribute):
            assert isinstance(attribute.value, v.Call)
            model.relationships.append(RelationshipSpec(
                attribute.name, attribute.value, attribute.annotation, attribute.pos,
                cls.flavor == "sqlmodel"))
            model.relationship_owners.append(owner_fact)
            continue
        spec = column_spec(ctx, owner, attribute)
        if spec is not None:
            model.columns.append(spec)
        elif bare_class_annotation(ctx, attribute):
            ctx.error(owner.module, attribute.pos, codes.UNRESOLVED, f"{attribute.name} is "
                      "annotated with a mapped class but has no relationship(); SQLAlchemy "
                      "cannot map it as a column")
        elif isinstance(attribute.value, v.Unknown) and attribute.declared_attr:
            ctx.warn(owner.module, attribute.pos, codes.NOT_STATIC, f"declared_attr "
                     f"{attribute.name} cannot be evaluated statically; it is left out of the IR")
    model.columns.sort(key=lambda spec: spec.sort_order)  # stable: declaration order otherwise


def _at(attribute: AttributeFact, pos: v.Pos) -> AttributeFact:
    """A library's attribute with all of it at ``pos`` (its parts too: a ForeignKey("user.id")
    that names no table of the project is reported at the class, not at a line of a file the
    user does not have)."""
    def moved(value: v.Value | None) -> v.Value | None:
        return None if value is None else v.relocate(value, pos)
    return replace(attribute, pos=pos, value=moved(attribute.value),
                   annotation=moved(attribute.annotation))


def _mapper_args(ctx: Context, cls: MappedClass) -> v.Mapping | None:
    found = cls.lookup("__mapper_args__")
    if found is None:
        return None
    value = ctx.deref(found[0].value)
    if not isinstance(value, v.Mapping):
        ctx.warn(ctx.module(found[1]), found[0].pos, codes.NOT_STATIC, "__mapper_args__ cannot be "
                 "read statically; its inheritance settings are left out of the IR")
        return None
    for key in ("polymorphic_identity", "polymorphic_on", "concrete"):
        item = value.get(key)
        if item is not None and not isinstance(item, v.Lit | v.Ref):
            ctx.warn(ctx.module(found[1]), item.pos, codes.NOT_STATIC, f"{key} cannot be known "
                     "statically; it is left out of the IR")
    return value

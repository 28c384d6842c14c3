"""What a mapped class's declarative base says for all its models: the type annotation map, the
MetaData (naming convention, default schema), wherever the source keeps them: the base class, the
``declarative_base()``/``registry()`` call, a ``registry = ...`` attribute of the base, or
Flask-SQLAlchemy's ``SQLAlchemy(...)``."""

from __future__ import annotations

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.classes import MappedClass
from fastbackend.frontends.sqlalchemy.coltypes import TypeMap
from fastbackend.frontends.sqlalchemy.constraints import naming_convention
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.facts import ClassFact
from fastbackend.frontends.sqlalchemy.names import FLASK_FACTORY, sa_name


def _roots_and_calls(ctx: Context, cls: MappedClass) -> tuple[list[ClassFact], list[v.Call]]:
    roots = list(ctx.classifier.roots(cls.fact))
    calls = list(cls.ancestry.base_calls)
    for call in cls.ancestry.base_calls:  # reg.generate_base(): the registry holds the settings
        owner, _, method = (ctx.symbols.ref(call) or "").rpartition(".")
        found = ctx.classifier.registry_of(owner) if method == "generate_base" else None
        calls.extend([found] if found is not None else [])
    for root in roots:  # class Base(DeclarativeBase): registry = registry(...)
        attribute = root.attribute("registry")
        found = ctx.classifier.registry_of(ctx.canonical(attribute.value.qname)) if (
            attribute is not None and isinstance(attribute.value, v.Ref)) else None
        calls.extend([found] if found is not None else [])
    decorated = ctx.classifier.registry_call(cls.fact)
    calls.extend([decorated] if decorated is not None else [])
    if cls.flavor == "flask":
        calls.extend(_flask_factories(ctx))
    return roots, calls


def _flask_factories(ctx: Context) -> list[v.Call]:
    found: list[v.Call] = []
    for assignment in ctx.symbols.assignments.values():
        value = assignment.value
        if isinstance(value, v.Call) and ctx.symbols.ref(value) == FLASK_FACTORY:
            found.append(value)
    return found


def type_map(ctx: Context, cls: MappedClass) -> TypeMap:
    roots, calls = _roots_and_calls(ctx, cls)
    candidates = [a.value for r in roots if (a := r.attribute("type_annotation_map")) is not None]
    candidates += [c.kwarg("type_annotation_map") for c in calls]
    type_map: TypeMap = {}
    for candidate in candidates:
        mapping = ctx.deref(candidate)
        if isinstance(mapping, v.Mapping):
            for key, value in mapping.items:
                if isinstance(key, v.Ref):
                    type_map[ctx.canonical(key.qname)] = value
    return type_map


def _metadata(ctx: Context, cls: MappedClass) -> v.Call | None:
    """The ``MetaData(...)`` call of the class's base, when the source makes one."""
    roots, calls = _roots_and_calls(ctx, cls)
    candidates = [a.value for r in roots if (a := r.attribute("metadata")) is not None]
    candidates += [c.kwarg("metadata") for c in calls]
    for candidate in candidates:
        metadata = ctx.deref(candidate)
        if isinstance(metadata, v.Call) and sa_name(ctx.symbols.ref(metadata)) == "MetaData":
            return metadata
    return None


def naming(ctx: Context, cls: MappedClass) -> dict[str, str]:
    return naming_convention(ctx, _metadata(ctx, cls))


def default_schema(ctx: Context, cls: MappedClass) -> str | None:
    metadata = _metadata(ctx, cls)
    return v.literal_str(metadata.kwarg("schema")) if metadata is not None else None

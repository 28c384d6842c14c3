"""Reading annotations: ``Mapped[Optional[X]]``, ``X | None``, ``list["Post"]``, ``Annotated`` aliases."""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.names import python_name, sa_name

MAPPED = frozenset({"Mapped"})
RELATION_MAPPED = frozenset({"WriteOnlyMapped", "DynamicMapped"})
OPTIONAL = frozenset({"typing.Optional"})
UNION = frozenset({"typing.Union"})
ANNOTATED = frozenset({"typing.Annotated"})
COLLECTIONS = frozenset({"list", "set", "typing.List", "typing.Set", "typing.Sequence",
                         "typing.FrozenSet", "frozenset", "collections.abc.Sequence"})
# attribute_keyed_dict(...) collections: the objects are the mapping's values
MAPPINGS = frozenset({"dict", "typing.Dict", "typing.Mapping", "typing.MutableMapping",
                      "collections.abc.Mapping", "collections.abc.MutableMapping"})
CLASSVAR = frozenset({"typing.ClassVar"})
LITERAL = frozenset({"typing.Literal"})


@dataclass(frozen=True)
class Annotation:
    """An attribute's annotation, taken apart."""

    inner: v.Value | None  # the type inside Mapped[...] / Optional[...]
    mapped: bool  # inside Mapped[...]
    optional: bool
    collection: bool  # list[...] / set[...] (a to-many relationship)
    extras: tuple[v.Call, ...]  # mapped_column(...) calls from Annotated[...] aliases
    dynamic: bool = False  # WriteOnlyMapped / DynamicMapped
    classvar: bool = False


def read_annotation(ctx: Context, value: v.Value | None) -> Annotation:
    if value is None:
        return Annotation(None, False, False, False, ())
    mapped = dynamic = False
    base = _base(ctx, value)
    if base is not None and sa_name(base) in MAPPED | RELATION_MAPPED:
        mapped, dynamic = True, sa_name(base) in RELATION_MAPPED
        value = value.items[0] if isinstance(value, v.Subscript) and value.items else value
    if base is not None and python_name(base) in CLASSVAR:
        return Annotation(None, False, False, False, (), classvar=True)
    extras: list[v.Call] = []
    value, optional = _strip(ctx, value, extras)
    collection = False
    base = _base(ctx, value)
    if isinstance(value, v.Subscript) and python_name(base) in COLLECTIONS and value.items:
        collection, value = True, value.items[0]
    elif isinstance(value, v.Subscript) and python_name(base) in MAPPINGS and value.items:
        collection, value = True, value.items[-1]
    return Annotation(value, mapped, optional, collection, tuple(extras), dynamic)


def _strip(ctx: Context, value: v.Value, extras: list[v.Call]) -> tuple[v.Value, bool]:
    """Remove Optional/``| None`` and Annotated (collecting its mapped_column) layers."""
    optional = False
    for _ in range(10):
        target = ctx.deref(value) if isinstance(value, v.Ref) else value
        base = _base(ctx, target) if target is not None else None
        if isinstance(target, v.Subscript) and python_name(base) in ANNOTATED and target.items:
            extras[:0] = [e for e in target.items[1:] if isinstance(e, v.Call)]
            value = target.items[0]
        elif isinstance(target, v.Subscript) and python_name(base) in LITERAL:
            return value, optional
        elif isinstance(target, v.Subscript) and python_name(base) in OPTIONAL and target.items:
            value, optional = target.items[0], True
        elif isinstance(target, v.Subscript) and python_name(base) in UNION:
            rest = [i for i in target.items if not _is_none(i)]
            optional = optional or len(rest) < len(target.items)
            if len(rest) != 1:
                return value, optional
            value = rest[0]
        elif isinstance(target, v.Union) and (_is_none(target.left) or _is_none(target.right)):
            value = target.left if _is_none(target.right) else target.right
            optional = True
        else:
            return value, optional
    return value, optional


def _is_none(value: v.Value) -> bool:
    return isinstance(value, v.Lit) and value.value is None


def _base(ctx: Context, value: v.Value) -> str | None:
    if isinstance(value, v.Subscript) and isinstance(value.base, v.Ref):
        return ctx.canonical(value.base.qname)
    if isinstance(value, v.Ref):
        return ctx.canonical(value.qname)
    return None

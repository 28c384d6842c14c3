"""Resolve a column's type: from an SQLAlchemy type expression, or from a Python annotation
(``Mapped[int]``, a Python enum, the base's ``type_annotation_map``)."""

from __future__ import annotations

import re
from dataclasses import replace

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.facts import ClassFact, ModuleFacts
from fastbackend.frontends.sqlalchemy.names import dialect, sa_name
from fastbackend.frontends.sqlalchemy.report import Reporter
from fastbackend.frontends.sqlalchemy.specs import EnumSpec, TypeSpec
from fastbackend.frontends.sqlalchemy.types import PYTHON_TYPES, sql_type, type_name
from fastbackend.passes.naming import pascal
from fastbackend_ir import DbType

TypeMap = dict[str, v.Value]
MAX_ALIASES = 10  # T = BigInteger(); U = T; ...: chains longer than this are left unknown
LITERAL = frozenset({"typing.Literal", "typing_extensions.Literal"})


def type_from_expression(ctx: Context, module: ModuleFacts, value: v.Value, owner: str,
                         depth: int = 0) -> TypeSpec:
    """``String(50)``, ``sa.Enum(Status, name="status")``, ``ARRAY(Integer)``, a TypeDecorator,
    or a name bound to one at module level (``T = BigInteger()``)."""
    assigned = _assigned_type(ctx, value) if depth < MAX_ALIASES else None
    if assigned is not None:
        return type_from_expression(ctx, module, assigned, owner, depth + 1)
    call = value if isinstance(value, v.Call) else None
    target = value.func if isinstance(value, v.Call) else value
    if isinstance(target, v.Attr) and isinstance(target.value, v.Call):
        # JSON().with_variant(JSONB(), "postgresql"): the IR holds one type, the generic one.
        if target.attr == "with_variant":
            ctx.warn(module, value.pos, codes.UNKNOWN_TYPE, "with_variant(...): the IR records "
                     "the generic type; the dialect variant is left out")
        return type_from_expression(ctx, module, target.value, owner, depth + 1)
    if not isinstance(target, v.Ref):
        ctx.warn(module, value.pos, codes.NOT_STATIC, "this column type cannot be known "
                 "without running the code; recorded as unsupported")
        return TypeSpec("unsupported")
    qname = ctx.canonical(target.qname)
    name = type_name(qname)
    if name == "Enum":
        return _sa_enum(ctx, module, call, owner)
    if name == "ARRAY":
        return _array(ctx, module, call, qname, owner)
    if name is not None:
        found = sql_type(name, qname, call)
        if found is not None:
            _check_arguments(ctx, module, call, target.text)
            return found
    enum = ctx.enum_class(qname)
    if enum is not None:
        return enum_type(ctx, enum, None, False)
    if sa_name(qname) == "as_mutable" and call is not None and call.args:
        return type_from_expression(ctx, module, call.args[0], owner, depth + 1)  # MutableDict
    impl = _decorator_impl(ctx, qname, call)
    if impl is not None and depth < MAX_ALIASES and _known(ctx, module, impl, owner, depth):
        found = type_from_expression(ctx, module, impl, owner, depth + 1)
        if found.logical != "unsupported":
            ctx.note(module, target.pos, codes.UNKNOWN_TYPE, f"{target.text} is a TypeDecorator; "
                     "the IR records its impl's type")
            return found
    return _unknown(ctx, module, target, qname)


def _assigned_type(ctx: Context, value: v.Value) -> v.Value | None:
    """The value a module-level name holds, when it is not itself a type or class name."""
    if not isinstance(value, v.Ref):
        return None
    qname = ctx.canonical(value.qname)
    if type_name(qname) is not None or qname in ctx.symbols.classes:
        return None
    assigned = ctx.deref(value)
    return assigned if isinstance(assigned, v.Call | v.Ref) and assigned is not value else None


def _known(ctx: Context, module: ModuleFacts, value: v.Value, owner: str, depth: int) -> bool:
    """Whether a type expression is one the compiler knows, asked without reporting anything."""
    reporter, ctx.reporter = ctx.reporter, Reporter()
    try:
        return type_from_expression(ctx, module, value, owner, depth + 1).logical != "unsupported"
    finally:
        ctx.reporter = reporter


def _decorator_impl(ctx: Context, qname: str, call: v.Call | None) -> v.Value | None:
    """A project TypeDecorator's ``impl``, called with the decorator's own arguments when it is
    a class (``Slug(40)`` with ``impl = String`` is ``String(40)``), as TypeDecorator does."""
    fact = ctx.symbols.classes.get(qname)
    if fact is None or not any(sa_name(e) == "TypeDecorator"
                               for e in ctx.classifier.ancestry(fact).external):
        return None
    found = next((a for f in (fact, *ctx.classifier.ancestry(fact).classes)
                  if (a := f.attribute("impl")) is not None), None)
    impl = found.value if found is not None else None
    if isinstance(impl, v.Ref) and call is not None:
        return v.Call(impl, call.args, call.kwargs, call.pos)
    return impl


def _check_arguments(ctx: Context, module: ModuleFacts, call: v.Call | None, text: str) -> None:
    """``String(get_length())``: a parameter that is not a literal is reported, not guessed."""
    if call is None:
        return
    for value in (*call.args, *(value for _, value in call.kwargs)):
        if not isinstance(value, v.Lit):
            ctx.warn(module, value.pos, codes.NOT_STATIC, f"an argument of {text}(...) cannot be "
                     "known without running the code; it is left out of the IR")


def _unknown(ctx: Context, module: ModuleFacts, target: v.Ref, qname: str) -> TypeSpec:
    name = sa_name(qname) or qname.rsplit(".", 1)[-1]
    ctx.warn(module, target.pos, codes.UNKNOWN_TYPE, f"column type {target.text} is not one the "
             "compiler knows; recorded by name as unsupported")
    return TypeSpec("unsupported", DbType(type=name, raw=target.text, dialect=dialect(qname)))


def _array(ctx: Context, module: ModuleFacts, call: v.Call | None, qname: str, owner: str
           ) -> TypeSpec:
    if call is None or not call.args:
        ctx.warn(module, (call.pos if call else v.Pos(1, 1)), codes.NOT_STATIC,
                 "ARRAY without an item type")
        return TypeSpec("unsupported")
    # An array is a list of its item type; db keeps what the source states about the item.
    item = type_from_expression(ctx, module, call.args[0], owner)
    return TypeSpec(item.logical, item.db, item.enum, True)


def _sa_enum(ctx: Context, module: ModuleFacts, call: v.Call | None, owner: str) -> TypeSpec:
    if call is None:
        ctx.warn(module, v.Pos(1, 1), codes.NOT_STATIC, "Enum without values")
        return TypeSpec("unsupported")
    name = v.literal_str(call.kwarg("name"))
    by_value = call.kwarg("values_callable") is not None
    first = call.args[0] if call.args else None
    enum_fact = ctx.enum_class(ctx.canonical(first.qname)) if isinstance(first, v.Ref) else None
    if enum_fact is not None:
        found = enum_type(ctx, enum_fact, name, by_value)
    else:
        labels = [a.value for a in call.args if isinstance(a, v.Lit) and isinstance(a.value, str)]
        if not labels or len(labels) != len(call.args):
            ctx.warn(module, call.pos, codes.NOT_STATIC, "the values of this Enum cannot be "
                     "known statically; recorded as unsupported")
            return TypeSpec("unsupported")
        found = _labels_enum(ctx, module, labels, name, owner, call.pos)
    if v.literal_bool(call.kwarg("native_enum")) is False:
        return _non_native(found, v.literal_int(call.kwarg("length")))
    return found


def _labels_enum(ctx: Context, module: ModuleFacts, labels: list[str], name: str | None,
                 owner: str, pos: v.Pos) -> TypeSpec:
    spec = EnumSpec(pascal(name or owner), name, tuple(_label(label) for label in labels),
                    module, pos)
    return TypeSpec("enum", enum=_register(ctx, spec))


def _label(label: str) -> tuple[str, str | None]:
    """An enum value's IR name and stored value: "in progress" is named in_progress."""
    name = re.sub(r"[\s.]+", "_", label) or "_"
    return name, (label if name != label else None)


def _non_native(found: TypeSpec, length: int | None) -> TypeSpec:
    """``native_enum=False``: stored in a VARCHAR as long as the longest value (or ``length``)."""
    assert found.enum is not None
    longest = max(len(db or name) for name, db in found.enum.values)
    return replace(found, db=DbType(type="VARCHAR", length=length or longest))


def enum_type(ctx: Context, fact: ClassFact, db_name: str | None, by_value: bool) -> TypeSpec:
    """A Python enum class as a column type; SQLAlchemy stores member names unless told
    (values_callable) to store values."""
    values: list[tuple[str, str | None]] = []
    for attribute in fact.attributes:
        if attribute.name.startswith("_") or attribute.annotation is not None:
            continue
        stored = v.literal_str(attribute.value) if by_value else None
        values.append((attribute.name, stored if stored != attribute.name else None))
    spec = EnumSpec(fact.name, db_name or fact.name.lower(), tuple(values),
                    ctx.module(fact), fact.pos)
    return TypeSpec("enum", enum=_register(ctx, spec))


def _is_literal(ctx: Context, value: v.Value) -> bool:
    return isinstance(value, v.Ref) and ctx.canonical(value.qname) in LITERAL


def _literal(ctx: Context, module: ModuleFacts, value: v.Subscript, owner: str
             ) -> TypeSpec | None:
    labels = [i.value for i in value.items if isinstance(i, v.Lit) and isinstance(i.value, str)]
    if len(labels) != len(value.items):
        return None
    return _non_native(_labels_enum(ctx, module, labels, None, owner, value.pos), None)


def _register(ctx: Context, spec: EnumSpec) -> EnumSpec:
    """One IR enum per database enum type: a Python enum stored under two type names (or once by
    name, once by value) becomes two IR enums, the second named after its database name."""
    existing = ctx.enums.get(spec.name)
    if existing is None or _same(existing, spec):
        return ctx.enums.setdefault(spec.name, spec)
    renamed = replace(spec, name=pascal(spec.db_name or spec.name))
    found = ctx.enums.setdefault(renamed.name, renamed)
    return found


def _same(a: EnumSpec, b: EnumSpec) -> bool:
    return a.db_name == b.db_name and a.values == b.values


def type_from_python(ctx: Context, module: ModuleFacts, value: v.Value, type_map: TypeMap,
                     python_types: dict[str, str] = PYTHON_TYPES, owner: str = ""
                     ) -> TypeSpec | None:
    """``int`` -> Integer, ``datetime`` -> DateTime, ``Status`` -> Enum(Status),
    ``Literal["a", "b"]`` -> a non-native Enum; None if unknown."""
    if isinstance(value, v.Subscript) and _is_literal(ctx, value.base) and value.items:
        return _literal(ctx, module, value, owner)
    if not isinstance(value, v.Ref):
        return None
    qname = ctx.canonical(value.qname)
    if qname in type_map:
        return type_from_expression(ctx, module, type_map[qname], value.text)
    if qname in python_types:
        name = python_types[qname]
        return sql_type(name, f"sqlalchemy.{name}", None)
    enum = ctx.enum_class(qname)
    if enum is not None:
        return enum_type(ctx, enum, None, False)
    return None

"""Constructs that only running the code can resolve, reported where they are written."""

from __future__ import annotations

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.classes import MappedClass
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.facts import ModuleFacts
from fastbackend.frontends.sqlalchemy.names import sa_name

IMPERATIVE = frozenset({"map_imperatively", "mapper"})


def warn_runtime_constructs(ctx: Context) -> None:
    for module in ctx.symbols.modules.values():
        if module.library:
            continue
        for assignment in module.assignments.values():
            if _is_type_call(ctx, assignment.value):
                ctx.warn(module, assignment.value.pos, codes.NOT_STATIC,
                         f"{assignment.name} is a class created at run time with type(...); "
                         "its mapping cannot be known statically and it is left out of the IR")
        for statement in module.statements:
            _imperative(ctx, module, statement.value)
            _mapper_event(ctx, module, statement.value)
        for name, pos in module.undefined:
            ctx.warn(module, pos, codes.UNRESOLVED, f"name {name!r} is not defined (a typo or a "
                     "missing import?); what uses it is read as unknown")
        for pos in module.conditions:
            ctx.warn(module, pos, codes.NOT_STATIC, "declarations under this condition are "
                     "compiled as if it held; whether it does is known only when the code runs")


def warn_class_hooks(ctx: Context, classes: list[MappedClass]) -> None:
    """A metaclass or ``__init_subclass__`` of a model's base runs at import and may change
    what the compiler read from the class bodies (table names, columns): say so, once, where
    it is defined. Libraries the compiler describes (libraries/) are already accounted for."""
    warned: set[str] = set()
    for cls in classes:
        for ancestor in (cls.fact, *cls.ancestry.classes):
            module = ctx.module(ancestor)
            if ancestor.qname in warned or module.library:
                continue
            warned.add(ancestor.qname)
            for name, pos in ancestor.hooks:
                ctx.warn(module, pos, codes.NOT_STATIC, f"{ancestor.name}.{name} runs when each "
                         "model class is created and may change its table or columns; the "
                         "compiler reads the class bodies as written")
            metaclass = ancestor.keyword("metaclass")
            if metaclass is not None:
                ctx.warn(module, metaclass.pos, codes.NOT_STATIC, f"the metaclass of "
                         f"{ancestor.name} runs when each model class is created and may change "
                         "its table or columns; the compiler reads the class bodies as written")
    for call in {id(c): c for cls in classes for c in cls.ancestry.base_calls}.values():
        metaclass = call.kwarg("metaclass")  # declarative_base(metaclass=...)
        found = _module_of(ctx, call) if metaclass is not None else None
        if metaclass is not None and found is not None:
            ctx.warn(found, metaclass.pos, codes.NOT_STATIC, "a custom metaclass runs when each "
                     "model class is created and may change its table or columns; the compiler "
                     "reads the class bodies as written")


def _module_of(ctx: Context, call: v.Call) -> ModuleFacts | None:
    for module in ctx.symbols.modules.values():
        if any(a.value is call for a in module.assignments.values()):
            return module
    return None


# Events whose listeners can add columns or relationships to mapped classes as they are set up.
MAPPER_EVENTS = frozenset({"mapper_configured", "before_mapper_configured", "after_configured",
                           "before_configured", "instrument_class", "class_instrument"})


def _mapper_event(ctx: Context, module: ModuleFacts, value: v.Value) -> None:
    """``event.listen(Base, "mapper_configured", fn)`` / ``@event.listens_for(...)``."""
    if not isinstance(value, v.Call) or sa_name(ctx.symbols.ref(value)) not in (
            "listen", "listens_for"):
        return
    names = [v.literal_str(arg) for arg in value.args[1:2]]
    if names and names[0] in MAPPER_EVENTS:
        ctx.warn(module, value.pos, codes.NOT_STATIC, f"a {names[0]!r} event listener runs when "
                 "the models are set up and may add columns or relationships to them; what it "
                 "adds is not in the IR")


def _is_type_call(ctx: Context, value: v.Value) -> bool:
    return isinstance(value, v.Call) and ctx.symbols.ref(value) == "builtins.type" and len(
        value.args) == 3


def _imperative(ctx: Context, module: object, value: v.Value) -> None:
    from fastbackend.frontends.sqlalchemy.facts import ModuleFacts

    assert isinstance(module, ModuleFacts)
    if not isinstance(value, v.Call):
        return
    qname = ctx.symbols.ref(value) or ""
    method = value.func.attr if isinstance(value.func, v.Attr) else qname.rsplit(".", 1)[-1]
    if sa_name(qname) in IMPERATIVE or method == "map_imperatively":
        ctx.error(module, value.pos, codes.UNSUPPORTED, "imperative mapping (map_imperatively) "
                  "is not supported; declare the class declaratively")

"""Constructs that only running the code can resolve, reported where they are written."""

from __future__ import annotations

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.context import Context
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
        for name, pos in module.undefined:
            ctx.warn(module, pos, codes.UNRESOLVED, f"name {name!r} is not defined (a typo or a "
                     "missing import?); what uses it is read as unknown")
        for pos in module.conditions:
            ctx.warn(module, pos, codes.NOT_STATIC, "declarations under this condition are "
                     "compiled as if it held; whether it does is known only when the code runs")


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

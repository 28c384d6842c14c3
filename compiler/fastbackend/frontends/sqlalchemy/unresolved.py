"""FB108 says why: the base a class derives from that the compiler could not resolve, where the
class names it, and where the compiler looked for it."""

from __future__ import annotations

from fastbackend.diagnostics import Diagnostic
from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.facts import ClassFact, ModuleFacts
from fastbackend.frontends.sqlalchemy.finder import NOT_PROJECT

# Bases that make a class something other than a model; never the reason none was found.
ORDINARY = frozenset({"builtins", "typing", "typing_extensions", "enum", "abc", "dataclasses",
                      "collections", "pydantic", "__future__"})


def report_no_models(ctx: Context, entry: str) -> None:
    for module in ctx.symbols.modules.values():
        if module.library:
            continue
        for fact in module.classes:
            base = _unresolved_base(ctx, fact)
            if base is not None:
                _report(ctx, module, fact, base)
                return
    ctx.reporter.raw(Diagnostic(entry, 1, 1, codes.NO_MODELS, "no mapped SQLAlchemy class found "
                                f"in {entry}: no class derives from a declarative base, db.Model "
                                "or SQLModel (with table=True)"))


def _unresolved_base(ctx: Context, fact: ClassFact) -> v.Ref | None:
    for base in fact.bases:
        qname = ctx.symbols.ref(base)
        if not isinstance(base, v.Ref) or qname is None or qname in ctx.symbols.classes:
            continue
        head = qname.split(".")[0]
        if head in ORDINARY or head in NOT_PROJECT or ctx.classifier.base_call(qname) is not None:
            continue
        return base
    return None


def _report(ctx: Context, module: ModuleFacts, fact: ClassFact, base: v.Ref) -> None:
    qname = ctx.symbols.ref(base) or base.qname
    owner = qname.rpartition(".")[0]
    where = (f"module {owner} has no class or assignment named {qname.rpartition('.')[2]}"
             if owner in ctx.symbols.modules else
             f"module {owner or qname} was not found in the project")
    ctx.error(module, base.pos, codes.NO_MODELS, f"no mapped SQLAlchemy class found: class "
              f"{fact.name} derives from {base.text} ({qname}), which could not be resolved "
              f"({where}); if it lives elsewhere, give the folder its imports start from with "
              "--root")

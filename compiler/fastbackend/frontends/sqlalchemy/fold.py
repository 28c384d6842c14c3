"""Constant folding: a name bound at module level to a literal (``MAX_NAME = 80``) means that
literal wherever it is used (``String(MAX_NAME)``), across the modules of the source."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.facts import AttributeFact, ClassFact
from fastbackend.frontends.sqlalchemy.project import Symbols


def fold_constants(symbols: Symbols) -> None:
    for module in symbols.modules.values():
        module.classes[:] = [_class(symbols, fact) for fact in module.classes]
        for name, assignment in list(module.assignments.items()):
            module.assignments[name] = replace(assignment, value=_value(symbols, assignment.value))
        module.statements[:] = [replace(s, value=_value(symbols, s.value))
                                for s in module.statements]
    symbols.reindex()


def _class(symbols: Symbols, fact: ClassFact) -> ClassFact:
    attributes = tuple(_attribute(symbols, a) for a in fact.attributes)
    return replace(fact, attributes=attributes)


def _attribute(symbols: Symbols, attribute: AttributeFact) -> AttributeFact:
    if attribute.value is None:
        return attribute
    return replace(attribute, value=_value(symbols, attribute.value))


def _value(symbols: Symbols, value: v.Value) -> v.Value:
    if isinstance(value, v.Ref):
        constant = _constant(symbols, value.qname)
        return v.Lit(constant.value, value.pos) if constant is not None else value
    if isinstance(value, v.Lit | v.Unknown):
        return value
    changes: dict[str, Any] = {}
    for item in fields(value):
        current = getattr(value, item.name)
        folded = _fold_field(symbols, current)
        if folded is not current:
            changes[item.name] = folded
    return replace(value, **changes) if changes else value


def _fold_field(symbols: Symbols, current: object) -> object:
    if isinstance(current, tuple):
        items = tuple(_fold_field(symbols, item) for item in current)
        return items if any(a is not b for a, b in zip(items, current, strict=True)) else current
    if isinstance(current, v.Lit | v.Ref | v.Call | v.Attr | v.Seq | v.Mapping | v.Subscript
                  | v.Union | v.Lambda | v.Compare | v.BoolOp | v.Unknown):
        return _value(symbols, current)
    return current


def _constant(symbols: Symbols, qname: str, depth: int = 0) -> v.Lit | None:
    member = _enum_member(symbols, qname)
    if member is not None:
        return member
    assignment = symbols.assignment(qname)
    if assignment is None or depth > 10:
        return None
    if isinstance(assignment.value, v.Lit):
        return assignment.value
    if isinstance(assignment.value, v.Ref):
        return _constant(symbols, assignment.value.qname, depth + 1)
    return None


def _enum_member(symbols: Symbols, qname: str) -> v.Lit | None:
    """``Status.ACTIVE.value`` (the member's literal) and ``Status.ACTIVE.name`` (its name), for
    a class of the project whose member is assigned a literal."""
    owner, _, attr = symbols.canonical(qname).rpartition(".")
    if attr not in ("value", "name"):
        return None
    class_name, _, member = owner.rpartition(".")
    fact = symbols.classes.get(class_name)
    attribute = fact.attribute(member) if fact is not None else None
    if attribute is None or not isinstance(attribute.value, v.Lit):
        return None
    return attribute.value if attr == "value" else v.Lit(member, attribute.value.pos)

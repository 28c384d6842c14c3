"""Field declarations: types, modifiers, legacy syntax, duplicates, provider support."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.symbols import SymbolTable, positional_or
from fastbackend.frontends.prisma.types import SCALARS

_NO_SCALAR_LISTS = {"sqlite", "mysql", "sqlserver"}


def check(schema: ast.Schema, symbols: SymbolTable) -> list[Problem]:
    problems: list[Problem] = []
    for block in schema.blocks:
        seen: set[str] = set()
        for decl in block.fields:
            problems += list(_field(block, decl, symbols))
            if decl.name in seen:
                problems.append(Problem(decl.span, "FB203", f"Field \"{decl.name}\" is already "
                                        f"defined on {block.kind} \"{block.name}\"."))
            seen.add(decl.name)
    return problems


def _where(block: ast.Block, decl: ast.FieldDecl) -> str:
    return f"Error validating field `{decl.name}` in {block.kind} `{block.name}`: "


def _field(block: ast.Block, decl: ast.FieldDecl, symbols: SymbolTable) -> Iterator[Problem]:
    if decl.type is None:
        yield Problem(decl.span, "FB213", "This field declaration is invalid. It is either "
                      "missing a name or a type.")
        return
    yield from _syntax(block, decl)
    kind = symbols.kind_of(decl)
    if kind == "unknown":
        yield Problem(decl.type.span, "FB202", _unknown_type(decl.type.name, symbols))
    elif kind == "relation" and block.kind == "type":
        yield Problem(decl.span, "FB215", _where(block, decl) + "Relation fields inside "
                      "composite types are not supported.")
    if (kind == "scalar" and decl.type.modifier == "list"
            and symbols.provider in _NO_SCALAR_LISTS):
        yield Problem(decl.span, "FB215", _where(block, decl) + "Field \"" + decl.name
                      + "\" in model \"" + block.name + "\" can't be a list. The current "
                      "connector does not support lists of primitive types.")
    if (symbols.provider == "mongodb" and decl.attribute("id") is not None
            and block.kind == "model" and not _maps_to(decl, "_id")):
        yield Problem(decl.span, "FB215", _where(block, decl) + "MongoDB model IDs must have an "
                      "@map(\"_id\") annotation.")
    if (reason := _name_problem(decl.name)) is not None:
        yield Problem(decl.span, "FB212", f"Error validating: Field name {reason}.")


def _syntax(block: ast.Block, decl: ast.FieldDecl) -> Iterator[Problem]:
    assert decl.type is not None
    if decl.type.modifier == "optional_list":
        yield Problem(decl.type.span, "FB213", "Optional lists are not supported. Use either "
                      "`Type[]` or `Type?`.")
    if decl.type.modifier == "legacy_required":
        yield Problem(decl.type.span, "FB213", "Fields are required by default, `!` is no "
                      "longer required.")
    if decl.type.legacy_list:
        yield Problem(decl.type.span, "FB213", "To specify a list, please use `Type[]` instead "
                      "of `[Type]`.")
    if decl.colon:
        yield Problem(decl.span, "FB213", "Field declarations don't require a `:`.")


def _maps_to(decl: ast.FieldDecl, column: str) -> bool:
    value = positional_or(decl.attribute("map"), "name")
    return isinstance(value, ast.StringValue) and value.value == column


def _name_problem(name: str) -> str | None:
    if name[:1].isdigit():
        return "must not start with a number"
    if "-" in name:
        return "The character `-` is not allowed"
    return None


def _unknown_type(name: str, symbols: SymbolTable) -> str:
    known = [*SCALARS, *symbols.models, *symbols.enums, *symbols.composites]
    message = (f"Type \"{name}\" is neither a built-in type, nor refers to another model, "
               "composite type, or enum.")
    close = [k for k in known if k.lower() == name.lower()] or difflib.get_close_matches(
        name, known, n=1)
    return message + (f" Did you mean \"{close[0]}\"?" if close else "")

"""Prisma's warnings (its `lint`): the schema compiles, but something deserves attention."""

from __future__ import annotations

from collections.abc import Iterator

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.relations import RelationPair
from fastbackend.frontends.prisma.symbols import SymbolTable, name_list, positional_or

_KEYS = ("id", "unique", "index")


def check(symbols: SymbolTable, pairs: dict[tuple[str, str], RelationPair]) -> list[Problem]:
    return (list(_deprecated_setting(symbols)) + list(_unindexed_relations(symbols, pairs))
            + list(_set_null_on_required(symbols, pairs)))


def _set_null_on_required(
    symbols: SymbolTable, pairs: dict[tuple[str, str], RelationPair]
) -> Iterator[Problem]:
    """PostgreSQL accepts SetNull on a required foreign key (it fails at run time instead)."""
    if symbols.provider != "postgresql" or symbols.relation_mode != "foreignKeys":
        return
    for pair in pairs.values():
        end, attribute = pair.end, pair.end.attribute
        model = symbols.models[end.model]
        required = any((decl := model.field(name)) is not None and decl.type is not None
                       and decl.type.modifier != "optional" for name in end.fields)
        for key in ("onDelete", "onUpdate"):
            argument = attribute.named(key) if attribute else None
            value = argument.value if argument else None
            if required and attribute and isinstance(value, ast.PathValue) and (
                    value.text == "SetNull"):
                yield Problem(attribute.span, "FB221", f"The `{key}` referential action of a "
                              "relation should not be set to `SetNull` when a referenced field "
                              "is required.", warning=True)


def _deprecated_setting(symbols: SymbolTable) -> Iterator[Problem]:
    source = symbols.datasource
    entry = symbols.config(source, "referentialIntegrity") if source else None
    if entry is not None:
        yield Problem(entry.span, "FB221", "The `referentialIntegrity` attribute is deprecated. "
                      "Please use `relationMode` instead.", warning=True)


def _unindexed_relations(
    symbols: SymbolTable, pairs: dict[tuple[str, str], RelationPair]
) -> Iterator[Problem]:
    """relationMode "prisma" creates no foreign keys, so nothing indexes the foreign-key fields."""
    if symbols.relation_mode != "prisma" or symbols.provider == "mongodb":
        return
    for pair in pairs.values():
        end = pair.end
        attribute = end.attribute
        if attribute is None or not end.fields or end.is_list:
            continue
        if not _indexed(symbols.models[end.model], end.fields):
            yield Problem(attribute.span, "FB221", "With `relationMode = \"prisma\"`, no foreign "
                          "keys are used, so relation fields will not benefit from the index "
                          "usually created by the relational database under the hood. We "
                          "recommend adding an index manually.", warning=True)


def _indexed(block: ast.Block, fields: tuple[str, ...]) -> bool:
    """Some index, unique or id starts with the foreign-key fields."""
    keys: list[tuple[str, ...]] = [(decl.name,) for decl in block.fields
            if decl.attribute("id") or decl.attribute("unique")]
    keys += [name_list(positional_or(attribute, "fields"))
             for attribute in block.attributes if attribute.name in _KEYS]
    return any(key[: len(fields)] == fields for key in keys)

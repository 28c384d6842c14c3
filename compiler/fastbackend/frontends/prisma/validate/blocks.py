"""Block-level rules: names, duplicates, unique criteria, enums, views, composite types."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.symbols import SymbolTable, is_ignored, name_list, positional_or
from fastbackend.frontends.prisma.types import SCALARS

RESERVED = {"enum", "PrismaClient", *SCALARS}
_BLOCK_WORDS = {"model": "Model", "view": "View", "type": "Composite type", "enum": "Enum"}


def check(schema: ast.Schema, symbols: SymbolTable) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, ast.Block] = {}
    for block in schema.blocks:
        if block.kind in ("datasource", "generator"):
            continue
        problems += list(_name(block))
        if block.name in seen:
            problems.append(Problem(block.name_span, "FB203", f"The {block.kind} \"{block.name}\""
                                    f" cannot be defined because a {seen[block.name].kind} with "
                                    "that name already exists."))
        seen.setdefault(block.name, block)
        problems += list(_shape(block, symbols))
    return problems


def invalid_name(name: str) -> str | None:
    if name[:1].isdigit():
        return "must not start with a number"
    if "-" in name:
        return "contains `-`, which is not allowed"
    return None


def _name(block: ast.Block) -> Iterator[Problem]:
    word = _BLOCK_WORDS[block.kind]
    if (block.name in RESERVED and block.kind != "enum") or block.name == "enum":
        yield Problem(block.name_span, "FB212", f"Error validating {word.lower()} "
                      f"\"{block.name}\": The {word.lower()} name `{block.name}` is invalid. "
                      "It is a reserved name.")
    elif (reason := invalid_name(block.name)) is not None:
        yield Problem(block.name_span, "FB212", f"Error validating: {word} name {reason}.")


def _shape(block: ast.Block, symbols: SymbolTable) -> Iterator[Problem]:
    if block.alias:
        yield Problem(block.span, "FB200", "Invalid type definition. Please check the "
                      "documentation in https://pris.ly/d/composite-types")
    elif block.kind == "enum" and not block.values:
        yield Problem(block.span, "FB219", "An enum must have at least one value.")
    elif block.kind == "enum":
        yield from _duplicate_values(block)
    elif block.kind == "type" and symbols.provider not in (None, "mongodb"):
        yield Problem(block.span, "FB215", "Error validating: Composite types are not "
                      f"supported on {symbols.provider}.")
    elif block.kind == "view":
        if "views" not in symbols.preview_features:
            yield Problem(block.span, "FB218", "Error validating: View definitions are only "
                          "available with the `views` preview feature.")
        yield from _view_keys(block)
    ids = [d for d in block.fields if d.attribute("id") is not None]
    if block.kind == "model" and len(ids) + (block.attribute("id") is not None) > 1:
        yield Problem(block.span, "FB210", f"Error validating model \"{block.name}\": At most one "
                      "field must be marked as the id field with the `@id` attribute.")
    if block.kind in ("model", "view"):
        yield from _compound_names(block)
    if block.kind == "model" and not is_ignored(block) and not has_unique_criterion(block):
        yield Problem(block.span, "FB210", f"Error validating model \"{block.name}\": Each model "
                      "must have at least one unique criteria that has only required fields. "
                      "Either mark a single field with `@id`, `@unique` or add a multi field "
                      "criterion with `@@id([])` or `@@unique([])` to the model.")


_CLIENT_NAME = re.compile(r"[A-Za-z0-9_]*")


def _compound_names(block: ast.Block) -> Iterator[Problem]:
    """`@@id`/`@@unique` get a client name (`name:`, else the fields joined with `_`): it must be
    an identifier and must not clash with a field."""
    fields = {d.name for d in block.fields}
    for attribute in block.attributes:
        if attribute.name not in ("id", "unique"):
            continue
        named = attribute.named("name")
        given = named.value.value if named and isinstance(named.value, ast.StringValue) else None
        if given is not None and not _CLIENT_NAME.fullmatch(given):
            yield Problem(attribute.span, "FB205", f"Error validating model \"{block.name}\": The "
                          f"`name` property within the `@@{attribute.name}` attribute only allows "
                          "for the following characters: `_a-zA-Z0-9`.")
        names = name_list(positional_or(attribute, "fields"))
        implicit = "_".join(names) if len(names) > 1 else None
        if given is not None and given in fields:
            yield Problem(block.span, "FB203", f"Error validating model \"{block.name}\": The "
                          f"custom name `{given}` specified for the `@@{attribute.name}` attribute "
                          "is already used as a name for a field. Please choose a different name.")
        elif given is None and implicit is not None and implicit in fields:
            yield Problem(attribute.span, "FB203", f"Error validating model \"{block.name}\": The "
                          f"field `{implicit}` clashes with the `@@{attribute.name}` attribute's "
                          "name. Please resolve the conflict by providing a custom id name.")


def _duplicate_values(block: ast.Block) -> Iterator[Problem]:
    seen: set[str] = set()
    for value in block.values:
        if (reason := invalid_name(value.name)) is not None:
            yield Problem(value.span, "FB212", f"Error validating: Enum Value name {reason}.")
        if value.name in seen:
            yield Problem(value.span, "FB203", f"Value \"{value.name}\" is already defined on "
                          f"enum \"{block.name}\".")
        seen.add(value.name)


def _view_keys(block: ast.Block) -> Iterator[Problem]:
    for decl in block.fields:
        if decl.attribute("id") is not None:
            yield Problem(decl.span, "FB218", "Error validating: Views cannot have primary keys.")
    compound = block.attribute("id")
    if compound is not None:
        yield Problem(compound.span, "FB218", "Error validating: Views cannot have primary keys.")


def has_unique_criterion(block: ast.Block) -> bool:
    # A key of an `Unsupported` field is no unique criterion, as Prisma's engine counts it
    # (checked against prisma-schema-wasm 7); an optional id field is refused on its own (FB205).
    unsupported = {d.name for d in block.fields if d.type and d.type.unsupported is not None}
    required = {d.name for d in block.fields if d.type and d.type.modifier == "required"
                and d.name not in unsupported}
    for decl in block.fields:
        if decl.attribute("id") is not None and decl.name not in unsupported:
            return True
        if decl.attribute("unique") is not None and decl.name in required:
            return True
    for attr in block.attributes:
        if attr.name == "id" and not set(name_list(positional_or(attr, "fields"))) & unsupported:
            return True
        if attr.name == "unique" and _all_required(attr, required):
            return True
    return False


def _all_required(attr: ast.Attribute, required: set[str]) -> bool:
    names = name_list(positional_or(attr, "fields"))
    return bool(names) and all(name in required for name in names)

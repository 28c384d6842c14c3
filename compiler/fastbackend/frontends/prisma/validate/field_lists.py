"""Field lists in attribute arguments: `@@id`/`@@unique`/`@@index`/`@@fulltext` name existing
scalar fields (or composite-type paths), once each; relation `fields:`/`references:` hold names
only. A single bare name is a one-item list, as Prisma reads it."""

from __future__ import annotations

from collections.abc import Iterator

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.expressions import kind_of, render
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.symbols import SymbolTable, list_items, name_list, positional_or


def check(schema: ast.Schema, symbols: SymbolTable) -> list[Problem]:
    problems: list[Problem] = []
    for block in schema.blocks:
        problems += list(_field_references(block, symbols))
        for decl in block.fields:
            problems += list(_relation_lists(decl))
    return problems


def not_names(value: ast.Expression | None, expected: str) -> Iterator[Problem]:
    """Items of a field list that are not field names: a string, a number, a nested list (an
    index's list also takes `name(sort: Desc)`, a relation's does not)."""
    allowed = (ast.PathValue, ast.FunctionValue) if expected == "constant literal" else (
        ast.PathValue,)
    for item in list_items(value):
        if not isinstance(item, allowed):
            yield Problem(item.span, "FB205", f"Expected a {expected} value, but received "
                          f"{kind_of(item)} value `{render(item)}`.")


def _relation_lists(decl: ast.FieldDecl) -> Iterator[Problem]:
    relation = decl.attribute("relation")
    for key in ("fields", "references"):
        argument = relation.named(key) if relation else None
        if argument is not None:
            yield from not_names(argument.value, "constant")


def _field_references(block: ast.Block, symbols: SymbolTable) -> Iterator[Problem]:
    fields = {d.name: d for d in block.fields}
    for attribute in block.attributes:
        if attribute.name not in ("id", "unique", "index", "fulltext"):
            continue
        value = positional_or(attribute, "fields")
        names = name_list(value)
        yield from not_names(value, "constant literal")
        if isinstance(value, ast.ArrayValue) and not value.items:
            yield Problem(attribute.span, "FB214", f"Error parsing attribute \"@@{attribute.name}\""
                          ": The list of fields in an index cannot be empty. Please specify at "
                          "least one field.")
        for name in sorted({n for n in names if names.count(n) > 1}):
            word = "unique index" if attribute.name == "unique" else f"{attribute.name}"
            yield Problem(attribute.span, "FB214", f"Error validating model \"{block.name}\": The "
                          f"{word} definition refers to the field {name} multiple times.")
        for name in names:
            decl = fields.get(name.split(".", 1)[0])
            problem = _referenced_field_problem(attribute.name, name, decl, symbols)
            if problem is not None:
                yield Problem(attribute.span, "FB214", f"Error validating model "
                              f"\"{block.name}\": The {attribute.name} definition {problem}")


def _composite_path_problem(name: str, decl: ast.FieldDecl, symbols: SymbolTable) -> str | None:
    """`address.city`: every step after the first names a field of a composite type."""
    current: ast.FieldDecl | None = decl
    for part in name.split(".")[1:]:
        composite = symbols.composites.get(current.type.name) if current and current.type else None
        if composite is None:
            return f"refers to the unknown fields: {name}."
        current = composite.field(part)
        if current is None:
            return f"refers to the unknown fields: {part} in type {composite.name}."
    return None


def _referenced_field_problem(
    kind: str, name: str, decl: ast.FieldDecl | None, symbols: SymbolTable
) -> str | None:
    if decl is None:
        return f"refers to the unknown fields: {name}."
    if "." in name:
        return _composite_path_problem(name, decl, symbols)
    if symbols.kind_of(decl) == "relation":
        return (f"refers to the relation fields {name}. Index definitions must reference only "
                "scalar fields.")
    if kind == "id" and decl.type is not None and decl.type.modifier == "optional":
        return (f"refers to the optional field `{name}`. ID definitions must reference only "
                "required fields.")
    return None

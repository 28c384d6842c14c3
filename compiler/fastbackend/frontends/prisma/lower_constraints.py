"""`@id`/`@@id`, `@unique`/`@@unique`, `@@index`/`@@fulltext` -> IR constraints, with their spans."""

from __future__ import annotations

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.keys import field_options, index_length
from fastbackend.frontends.prisma.symbols import (
    field_items,
    name_list,
    positional_or,
    string_argument,
)
from fastbackend_ir import Index, IndexField, PrimaryKey, Unique


def located_primary_key(block: ast.Block) -> tuple[PrimaryKey, ast.Span] | None:
    compound = block.attribute("id")
    if compound is not None:
        fields = name_list(positional_or(compound, "fields"))
        return PrimaryKey(fields, string_argument(compound, "map")), compound.span
    for decl in block.fields:
        single = decl.attribute("id")
        if single is not None:
            return PrimaryKey((decl.name,), string_argument(single, "map")), single.span
    return None


def has_key_options(attribute: ast.Attribute) -> bool:
    """`@unique(sort: Desc)`, `@unique(length: 10)`, `@@unique([a(sort: Desc)])`: options a plain
    unique constraint cannot carry, so the IR records a unique index instead."""
    if attribute.named("sort") or attribute.named("length"):
        return True
    return any(isinstance(item, ast.FunctionValue) and item.arguments
               for item in field_items(attribute))


def _field_uniques(block: ast.Block) -> list[tuple[ast.FieldDecl, ast.Attribute]]:
    return [(decl, attr) for decl in block.fields if (attr := decl.attribute("unique"))]


def located_uniques(block: ast.Block) -> list[tuple[Unique, ast.Span]]:
    """Named single-field uniques (`@unique(map: "x")`) and `@@unique`s, in source order.

    An unnamed `@unique` is the field's `unique` flag instead; one with options is an index.
    """
    uniques = [
        (Unique((decl.name,), string_argument(attr, "map")), attr.span)
        for decl, attr in _field_uniques(block) if attr.named("map") and not has_key_options(attr)
    ]
    uniques += [
        (Unique(name_list(positional_or(attr, "fields")), string_argument(attr, "map")), attr.span)
        for attr in block.attributes if attr.name == "unique" and not has_key_options(attr)
    ]
    return uniques


def located_indexes(block: ast.Block) -> list[tuple[Index, ast.Span]]:
    """Unique indexes (uniques with options), then `@@index` and `@@fulltext`, in source order."""
    found = [(_field_unique_index(decl, attr), attr.span)
             for decl, attr in _field_uniques(block) if has_key_options(attr)]
    found += [(_index(attr), attr.span) for attr in block.attributes
              if attr.name in ("index", "fulltext")
              or (attr.name == "unique" and has_key_options(attr))]
    return found


def _field_unique_index(decl: ast.FieldDecl, attribute: ast.Attribute) -> Index:
    options = ast.FunctionValue(decl.name, attribute.arguments, attribute.span)
    return Index((_index_field(options),), name=string_argument(attribute, "map"), unique=True)


def _index(attribute: ast.Attribute) -> Index:
    kind = "fulltext" if attribute.name == "fulltext" else None
    type_arg = attribute.named("type")
    if type_arg is not None and isinstance(type_arg.value, ast.PathValue):
        kind = type_arg.value.text.lower()
    name = string_argument(attribute, "map") or string_argument(attribute, "name")
    fields = tuple(_index_field(item) for item in field_items(attribute)
                   if isinstance(item, ast.PathValue | ast.FunctionValue))
    return Index(fields, name=name, type=kind, unique=attribute.name == "unique")


def _index_field(item: ast.PathValue | ast.FunctionValue) -> IndexField:
    if isinstance(item, ast.PathValue) and len(item.parts) > 1:
        # A MongoDB composite-type path (`address.city`): IR fields have no sub-fields, so the
        # path is recorded as an expression.
        return IndexField(item.text, expression=True)
    if isinstance(item, ast.PathValue):
        return IndexField(item.text)
    options = field_options(item.arguments)
    sort = options.get("sort")
    ops = options.get("ops")
    ops_text = None
    if isinstance(ops, ast.PathValue):
        ops_text = ops.text
    elif isinstance(ops, ast.FunctionValue) and ops.arguments:
        raw = ops.arguments[0].value
        ops_text = raw.value if isinstance(raw, ast.StringValue) else None
    return IndexField(
        item.name,
        sort="desc" if isinstance(sort, ast.PathValue) and sort.text == "Desc" else (
            "asc" if isinstance(sort, ast.PathValue) else None),
        length=index_length(options.get("length")),
        ops=ops_text,
    )

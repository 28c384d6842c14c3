"""`@id`/`@@id`, `@unique`/`@@unique`, `@@index`/`@@fulltext` -> IR constraints, with their spans."""

from __future__ import annotations

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.symbols import name_list, positional_or, string_argument
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


def located_uniques(block: ast.Block) -> list[tuple[Unique, ast.Span]]:
    """Named single-field uniques (`@unique(map: "x")`) and every `@@unique`, in source order.

    An unnamed `@unique` is the field's `unique` flag instead.
    """
    uniques = [
        (Unique((decl.name,), string_argument(attr, "map")), attr.span)
        for decl in block.fields if (attr := decl.attribute("unique")) and attr.named("map")
    ]
    uniques += [
        (Unique(name_list(positional_or(attr, "fields")), string_argument(attr, "map")), attr.span)
        for attr in block.attributes if attr.name == "unique"
    ]
    return uniques


def located_indexes(block: ast.Block) -> list[tuple[Index, ast.Span]]:
    return [(_index(attr), attr.span) for attr in block.attributes
            if attr.name in ("index", "fulltext")]


def _index(attribute: ast.Attribute) -> Index:
    kind = "fulltext" if attribute.name == "fulltext" else None
    type_arg = attribute.named("type")
    if type_arg is not None and isinstance(type_arg.value, ast.PathValue):
        kind = type_arg.value.text.lower()
    name = string_argument(attribute, "map") or string_argument(attribute, "name")
    value = positional_or(attribute, "fields")
    items = value.items if isinstance(value, ast.ArrayValue) else ()
    return Index(tuple(_index_field(item) for item in items), name=name, type=kind)


def _index_field(item: ast.Expression) -> IndexField:
    if isinstance(item, ast.PathValue) and len(item.parts) > 1:
        # A MongoDB composite-type path (`address.city`): IR fields have no sub-fields, so the
        # path is recorded as an expression.
        return IndexField(item.text, expression=True)
    if not isinstance(item, ast.FunctionValue):
        return IndexField(".".join(name_list(item)))
    options = {a.name: a.value for a in item.arguments if a.name}
    sort = options.get("sort")
    length = options.get("length")
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
        length=int(length.text) if isinstance(length, ast.NumberValue) else None,
        ops=ops_text,
    )

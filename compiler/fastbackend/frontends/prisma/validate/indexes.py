"""Index options each provider supports: `type:`, `length:`, `clustered:`, named foreign keys."""

from __future__ import annotations

from collections.abc import Iterator

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.connectors import (
    CLUSTERING_PROVIDERS,
    FULLTEXT_PROVIDERS,
    LENGTH_PROVIDERS,
    NO_NAMED_FOREIGN_KEYS,
    OPERATOR_CLASSES,
    PRIMARY_KEY_SORT_PROVIDERS,
    index_types,
)
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.symbols import SymbolTable, positional_or

_INDEXES = ("id", "unique", "index", "fulltext")


def check(schema: ast.Schema, symbols: SymbolTable) -> list[Problem]:
    problems: list[Problem] = []
    for block in schema.blocks:
        if block.kind not in ("model", "view"):
            continue
        for decl in block.fields:
            for attribute in decl.attributes:
                if attribute.name in _INDEXES:
                    problems += list(_options(attribute, "@", symbols, block, decl))
            problems += list(_named_foreign_key(decl, symbols))
        for attribute in block.attributes:
            if attribute.name in _INDEXES:
                problems += list(_options(attribute, "@@", symbols, block, None))
        problems += list(_clustering(block, symbols))
    return problems


def _options(
    attribute: ast.Attribute, sigil: str, symbols: SymbolTable, block: ast.Block,
    decl: ast.FieldDecl | None,
) -> Iterator[Problem]:
    prefix = f"Error parsing attribute \"{sigil}{attribute.name}\": "
    if _uses_length(attribute) and symbols.provider not in LENGTH_PROVIDERS:
        yield Problem(attribute.span, "FB215", prefix + "The length argument is not supported in "
                      "an index definition with the current connector")
    if (attribute.name == "id" and _uses_option(attribute, "sort")
            and symbols.provider not in PRIMARY_KEY_SORT_PROVIDERS):
        yield Problem(attribute.span, "FB215", prefix + "The sort argument is not supported in "
                      "the primary key with the current connector")
    if attribute.name == "fulltext" and symbols.provider not in FULLTEXT_PROVIDERS:
        yield Problem(attribute.span, "FB215", prefix + "Defining fulltext indexes is not "
                      "supported with the current connector.")
    if attribute.named("clustered") and symbols.provider not in CLUSTERING_PROVIDERS:
        yield Problem(attribute.span, "FB215", prefix + "Defining clustering is not supported in "
                      "the current connector.")
    kind = attribute.named("type")
    if kind is not None and isinstance(kind.value, ast.PathValue):
        yield from _index_type(attribute, kind.value.text, symbols, block, prefix)
    yield from _operator_classes(attribute)
    clustered = attribute.named("clustered")
    if clustered and clustered.value and _text(clustered.value) not in ("true", "false"):
        yield Problem(clustered.value.span, "FB205", "Expected a boolean value, but received "
                      f"literal value `{_text(clustered.value)}`.")


def _text(value: ast.Expression) -> str:
    return value.text if isinstance(value, ast.PathValue | ast.NumberValue) else ""


def _operator_classes(attribute: ast.Attribute) -> Iterator[Problem]:
    fields = positional_or(attribute, "fields")
    items = fields.items if isinstance(fields, ast.ArrayValue) else ()
    for item in items:
        options = item.arguments if isinstance(item, ast.FunctionValue) else ()
        for option in options:
            value = option.value
            known = (isinstance(value, ast.FunctionValue) and value.name == "raw") or (
                isinstance(value, ast.PathValue) and value.text in OPERATOR_CLASSES)
            if option.name == "ops" and value is not None and not known:
                yield Problem(value.span, "FB205", f"Invalid operator class: {_text(value)}")


def _uses_length(attribute: ast.Attribute) -> bool:
    return _uses_option(attribute, "length")


def _uses_option(attribute: ast.Attribute, option: str) -> bool:
    """`@unique(length: 10)` or `@@index([a(length: 10)])`."""
    if attribute.named(option):
        return True
    fields = positional_or(attribute, "fields")
    items = fields.items if isinstance(fields, ast.ArrayValue) else ()
    return any(isinstance(item, ast.FunctionValue) and any(a.name == option for a in
                                                           item.arguments) for item in items)


def _index_type(
    attribute: ast.Attribute, kind: str, symbols: SymbolTable, block: ast.Block, prefix: str
) -> Iterator[Problem]:
    if kind not in index_types(symbols.provider):
        yield Problem(attribute.span, "FB215", prefix + "The given index type is not supported "
                      "with the current connector")
        return
    if kind == "Gist":
        yield from _gist_defaults(attribute, block, prefix)
    if kind != "Gin":
        return
    fields = positional_or(attribute, "fields")
    items = fields.items if isinstance(fields, ast.ArrayValue) else ()
    for item in items:
        name = item.name if isinstance(item, ast.FunctionValue) else getattr(item, "text", "")
        decl = block.field(name)
        if decl is not None and decl.type is not None and not _gin_indexable(decl):
            yield Problem(attribute.span, "FB215", prefix + f"The Gin index type does not "
                          f"support the type of the field `{name}`.")


def _gist_defaults(
    attribute: ast.Attribute, block: ast.Block, prefix: str
) -> Iterator[Problem]:
    """An `Inet` column has no default GiST operator class: it needs `ops: InetOps`."""
    fields = positional_or(attribute, "fields")
    for item in fields.items if isinstance(fields, ast.ArrayValue) else ():
        if isinstance(item, ast.FunctionValue) and any(a.name == "ops" for a in item.arguments):
            continue
        name = item.name if isinstance(item, ast.FunctionValue) else _text(item)
        decl = block.field(name)
        if decl is not None and any(a.name.endswith(".Inet") for a in decl.attributes):
            yield Problem(attribute.span, "FB215", prefix + "The Gist index field type `Inet` "
                          "has no default operator class.")


def _gin_indexable(decl: ast.FieldDecl) -> bool:
    assert decl.type is not None
    return (decl.type.modifier == "list" or decl.type.name == "Json"
            or decl.type.unsupported is not None)


def _named_foreign_key(decl: ast.FieldDecl, symbols: SymbolTable) -> Iterator[Problem]:
    relation = decl.attribute("relation")
    if relation is not None and relation.named("map") and symbols.provider in NO_NAMED_FOREIGN_KEYS:
        yield Problem(relation.span, "FB215", "Error parsing attribute \"@relation\": Your "
                      "provider does not support named foreign keys.")


def _clustering(block: ast.Block, symbols: SymbolTable) -> Iterator[Problem]:
    """SQL Server: the primary key is clustered unless it says otherwise; one clustered index."""
    if symbols.provider not in CLUSTERING_PROVIDERS:
        return
    clustered = [a for a in _all_index_attributes(block) if _is_clustered(a)]
    if len(clustered) > 1:
        for attribute in clustered:
            yield Problem(attribute.span, "FB215", "Error parsing attribute \"@"
                          + ("@" if attribute in block.attributes else "") + attribute.name
                          + "\": A model can only hold one clustered index or id.")


def _all_index_attributes(block: ast.Block) -> list[ast.Attribute]:
    found = [a for d in block.fields for a in d.attributes if a.name in _INDEXES]
    return found + [a for a in block.attributes if a.name in _INDEXES]


def _is_clustered(attribute: ast.Attribute) -> bool:
    argument = attribute.named("clustered")
    if argument is not None:
        return isinstance(argument.value, ast.PathValue) and argument.value.text == "true"
    return attribute.name == "id"

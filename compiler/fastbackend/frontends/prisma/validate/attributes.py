"""Attributes: known names, known arguments, duplicates, native-type prefixes, field references."""

from __future__ import annotations

from collections.abc import Iterator

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.expressions import kind_of, render
from fastbackend.frontends.prisma.native_types import (
    argument_problem,
    arity_problem,
    native_type_problem,
)
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.symbols import (
    SymbolTable,
    is_ignored,
)

# attribute -> (its default parameter, the other parameters)
FIELD_ATTRIBUTES: dict[str, tuple[str | None, set[str]]] = {
    "id": (None, {"map", "length", "sort", "clustered"}),
    "unique": (None, {"map", "length", "sort", "clustered"}),
    "default": ("value", {"map"}),
    "relation": ("name", {"fields", "references", "onDelete", "onUpdate", "map"}),
    "map": ("name", set()),
    "updatedAt": (None, set()),
    "ignore": (None, set()),
    "shardKey": (None, set()),
}
BLOCK_ATTRIBUTES: dict[str, tuple[str | None, set[str]]] = {
    "id": ("fields", {"name", "map", "length", "sort", "clustered"}),
    "unique": ("fields", {"name", "map", "clustered", "length", "sort"}),
    "index": ("fields", {"name", "map", "type", "clustered", "where"}),
    "fulltext": ("fields", {"map"}),
    "map": ("name", set()),
    "schema": ("name", set()),
    "ignore": (None, set()),
    "shardKey": ("fields", set()),
}
ENUM_VALUE_ATTRIBUTES: dict[str, tuple[str | None, set[str]]] = {"map": ("name", set())}
ENUM_ATTRIBUTES = {"map", "schema"}
_STRING_PARAMETERS = {"name", "map"}
REPEATABLE = {"unique", "index", "fulltext"}  # as block attributes; field attributes are unique


def check(schema: ast.Schema, symbols: SymbolTable) -> list[Problem]:
    problems: list[Problem] = []
    for block in schema.blocks:
        for decl in block.fields:
            problems += list(_field_attributes(block, decl, symbols))
        for value in block.values:
            problems += list(_attributes(value.attributes, ENUM_VALUE_ATTRIBUTES, "@"))
        allowed = {k: v for k, v in BLOCK_ATTRIBUTES.items()
                   if block.kind != "enum" or k in ENUM_ATTRIBUTES}
        problems += list(_attributes(block.attributes, allowed, "@@"))
    return problems


def _field_attributes(
    block: ast.Block, decl: ast.FieldDecl, symbols: SymbolTable
) -> Iterator[Problem]:
    native = [a for a in decl.attributes if "." in a.name]
    plain = tuple(a for a in decl.attributes if "." not in a.name)
    yield from _attributes(plain, FIELD_ATTRIBUTES, "@")
    for attribute in native:
        prefix, type_name = attribute.name.split(".", 1)
        problem = native_type_problem(symbols.provider, type_name, decl.type.name if decl.type
                                      else "") or arity_problem(
            symbols.provider, type_name, len(attribute.arguments)) or argument_problem(
            symbols.provider, type_name, [a.value for a in attribute.arguments])
        kind = symbols.kind_of(decl)
        if prefix == symbols.datasource_name and problem and kind == "scalar":
            yield Problem(attribute.span, "FB216", problem)
        if kind in ("enum", "relation", "unsupported"):
            yield Problem(attribute.span, "FB204", f"Attribute not known: \"@{attribute.name}\".")
        if prefix != symbols.datasource_name:
            yield Problem(attribute.span, "FB216", f"The prefix {prefix} is invalid. It must be "
                          f"equal to the name of an existing datasource e.g. "
                          f"{symbols.datasource_name or 'db'}. Did you mean to use "
                          f"{symbols.datasource_name or 'db'}.{attribute.name.split('.', 1)[1]}?")
    if len(native) > 1:
        yield Problem(native[1].span, "FB204", "Attribute \"@" + native[1].name
                      + "\" can only be defined once.")
    if decl.attribute("ignore") and decl.type and decl.type.unsupported is not None:
        yield Problem(decl.span, "FB205", "Error parsing attribute \"@ignore\": Fields of type "
                      "`Unsupported` cannot take an `@ignore` attribute. They are already treated "
                      "as ignored by the client due to their type.")
    yield from _scalar_only(decl, symbols)
    yield from _updated_at(decl)
    yield from _ignore_in_ignored_model(decl, block, symbols)
    yield from _ignored_target(block, decl, symbols)
    mapped = decl.attribute("map")
    if mapped and symbols.kind_of(decl) == "relation":
        yield Problem(mapped.span, "FB205", "Error parsing attribute \"@map\": The attribute "
                      "`@map` cannot be used on relation fields.")


def _ignored_target(
    block: ast.Block, decl: ast.FieldDecl, symbols: SymbolTable
) -> Iterator[Problem]:
    """A relation to an `@@ignore`d model must be `@ignore`d too, unless its own model is
    `@@ignore`d already (prisma-engines' `ignored_related_model`)."""
    target = symbols.models.get(decl.type.name) if decl.type else None
    if (target is not None and is_ignored(target) and decl.attribute("ignore") is None
            and not is_ignored(block)):
        yield Problem(decl.span, "FB205", "Error parsing attribute \"@ignore\": The relation "
                      f"field `{decl.name}` on Model `{block.name}` must specify the `@ignore` "
                      f"attribute, because the model {target.name} it is pointing to is marked "
                      "ignored.")


def _ignore_in_ignored_model(
    decl: ast.FieldDecl, block: ast.Block, symbols: SymbolTable
) -> Iterator[Problem]:
    """Only scalar fields: a relation field may say `@ignore` in an `@@ignore`d model."""
    ignore = decl.attribute("ignore")
    if ignore is not None and is_ignored(block) and symbols.kind_of(decl) != "relation":
        yield Problem(ignore.span, "FB205", "Error parsing attribute \"@ignore\": Fields on an "
                      "already ignored Model do not need an `@ignore` annotation.")


def _scalar_only(decl: ast.FieldDecl, symbols: SymbolTable) -> Iterator[Problem]:
    """@id on a required scalar; @relation only on a relation field."""
    identity = decl.attribute("id")
    is_relation = symbols.kind_of(decl) == "relation"
    if identity and is_relation:
        yield Problem(identity.span, "FB205", "Error parsing attribute \"@id\": The field "
                      f"`{decl.name}` is a relation field and cannot be marked with `@id`. Only "
                      "scalar fields can be declared as id.")
    elif identity and decl.type and decl.type.modifier != "required":
        yield Problem(decl.span, "FB205", "Error parsing attribute \"@id\": Fields that are "
                      "marked as id must be required.")
    unique = decl.attribute("unique")
    if unique and is_relation:
        yield Problem(unique.span, "FB205", "Error parsing attribute \"@unique\": The field "
                      f"`{decl.name}` is a relation field and cannot be marked with `unique`. "
                      "Only scalar fields can be made unique.")
    relation = decl.attribute("relation")
    if relation and decl.type and symbols.kind_of(decl) != "relation" and (
            symbols.kind_of(decl) != "unknown"):
        yield Problem(relation.span, "FB209", "Error parsing attribute \"@relation\": Invalid "
                      "field type, not a relation.")


def _updated_at(decl: ast.FieldDecl) -> Iterator[Problem]:
    updated = decl.attribute("updatedAt")
    if updated and decl.type and decl.type.name != "DateTime":
        yield Problem(updated.span, "FB205", "Error parsing attribute \"@updatedAt\": Fields "
                      "that are marked with @updatedAt must be of type DateTime.")
    elif updated and decl.type and decl.type.modifier == "list":
        yield Problem(updated.span, "FB205", "Error parsing attribute \"@updatedAt\": Fields "
                      "that are marked with @updatedAt cannot be lists.")


def _attributes(
    attributes: tuple[ast.Attribute, ...], known: dict[str, tuple[str | None, set[str]]],
    sigil: str,
) -> Iterator[Problem]:
    counts: dict[str, int] = {}
    for attribute in attributes:
        counts[attribute.name] = counts.get(attribute.name, 0) + 1
    for attribute in attributes:
        name = f"{sigil}{attribute.name}"
        if attribute.name not in known:
            yield Problem(attribute.span, "FB204", f"Attribute not known: \"{name}\".")
            continue
        repeatable = sigil == "@@" and attribute.name in REPEATABLE
        if counts[attribute.name] > 1 and not repeatable:
            # Prisma reports every occurrence, the first one too.
            yield Problem(attribute.span, "FB204", f"Attribute \"{name}\" can only be defined "
                          "once.")
        yield from _arguments(attribute, name, *known[attribute.name])
        if attribute.name == "index" and attribute.named("name") and attribute.named("map"):
            yield Problem(attribute.span, "FB205", f"Error parsing attribute \"{name}\": The "
                          "`@@index` attribute accepts the `name` argument as an alias for the "
                          "`map` argument for legacy reasons. It does not accept both though.")


def _arguments(
    attribute: ast.Attribute, name: str, default: str | None, others: set[str]
) -> Iterator[Problem]:
    prefix = f"Error parsing attribute \"{name}\": "
    if attribute.trailing_comma:
        yield Problem(attribute.span, "FB205", prefix + "Trailing commas are not valid in "
                      "attribute arguments, please remove the comma.")
    bound: set[str] = set()
    for argument in attribute.arguments:
        key = argument.name if argument.name is not None else default
        if key is None or (key not in others and key != default):
            yield Problem(argument.span, "FB205", prefix + "No such argument.")
        elif argument.value is None:
            yield Problem(argument.span, "FB205", prefix + f"The argument `{key}` needs a value.")
        elif key in bound:
            yield Problem(argument.span, "FB205", prefix + f"The argument `{key}` is already "
                          "specified" + (" as unnamed argument." if argument.name else "."))
        elif key in _STRING_PARAMETERS and not isinstance(argument.value, ast.StringValue):
            yield Problem(argument.value.span, "FB205", "Expected a string value, but received "
                          f"{kind_of(argument.value)} value `{render(argument.value)}`.")
        elif key in _STRING_PARAMETERS and isinstance(argument.value, ast.StringValue) and (
                not argument.value.value):
            yield from _empty_name(attribute, key, argument, prefix)
        elif key == "sort" and _text(argument.value) not in ("Asc", "Desc"):
            yield Problem(argument.value.span, "FB205", prefix + "The `sort` argument can only "
                          f"be `Asc` or `Desc` you provided: {_text(argument.value)}.")
        bound.add(key or "")
    if default is not None and default not in bound and name != "@relation":
        # Prisma words this one without the attribute prefix.
        yield Problem(attribute.span, "FB205", f"Argument \"{default}\" is missing.")


# Names that may not be empty: database names (`map:`) and client names (`name:`) of keys and
# relations; `@map("")` and `@@map("")` are accepted.
_NON_EMPTY_NAMES = {"map", "name:id", "name:unique", "name:index", "name:relation"}


def _empty_name(
    attribute: ast.Attribute, key: str, argument: ast.Argument, prefix: str
) -> Iterator[Problem]:
    if key not in _NON_EMPTY_NAMES and f"{key}:{attribute.name}" not in _NON_EMPTY_NAMES:
        return
    message = ("A relation cannot have an empty name." if attribute.name == "relation"
               else f"The `{key}` argument cannot be an empty string.")
    yield Problem(argument.span, "FB205", prefix + message)


def _text(value: ast.Expression) -> str:
    if isinstance(value, ast.PathValue | ast.NumberValue):
        return value.text
    if isinstance(value, ast.FunctionValue):
        return f"{value.name}()"
    return "[...]" if isinstance(value, ast.ArrayValue) else value.value

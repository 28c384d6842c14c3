"""Index options each provider supports: `type:`, `length:`, `sort:`, `ops:`, `clustered:`, the
native types a key may use, and named foreign keys (psl-core's index and connector validations)."""

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
    UNINDEXABLE_NATIVE_TYPES,
    index_types,
)
from fastbackend.frontends.prisma.expressions import i64, kind_of, render
from fastbackend.frontends.prisma.keys import Key, block_keys, field_options
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.symbols import SymbolTable, field_items
from fastbackend.frontends.prisma.validate.operator_classes import (
    cockroach_problems,
    postgres_problems,
)

_CONNECTOR_RULES = {"postgresql": postgres_problems, "cockroachdb": cockroach_problems}
_CONNECTOR_NAMES = {"mysql": "MySQL", "sqlserver": "SQL Server"}
_LENGTH_GUIDE = {"mysql": " Please use the `length` argument to the field in the index "
                          "definition to allow this."}


def check(schema: ast.Schema, symbols: SymbolTable) -> list[Problem]:
    problems: list[Problem] = []
    for block in schema.blocks:
        if block.kind not in ("model", "view"):
            continue
        keys = block_keys(block, symbols)
        for key in keys:
            problems += list(_options(key, symbols))
            problems += list(_operator_class_names(key.attribute))
            problems += list(_CONNECTOR_RULES.get(symbols.provider or "", _none)(key))
            problems += list(_key_types(key, symbols))
        for decl in block.fields:
            problems += list(_named_foreign_key(decl, symbols))
        problems += list(_clustering(keys, symbols))
    return problems


def _none(_key: Key) -> Iterator[Problem]:
    return iter(())


def _options(key: Key, symbols: SymbolTable) -> Iterator[Problem]:
    prefix = f'Error parsing attribute "{key.label}": '
    lengths = [f for f in key.fields if f.length is not None]
    yield from _option_values(key)
    if lengths and symbols.provider not in LENGTH_PROVIDERS:
        where = "the primary key" if key.kind == "id" else "an index definition"
        yield _problem(key, prefix + f"The length argument is not supported in {where} with the "
                       "current connector")
    elif any(_is_scalar(f.decl, ("String", "Bytes")) is False for f in lengths):
        yield _problem(key, prefix + "The length argument is only allowed with field types "
                       "`String` or `Bytes`.")
    sorted_fields = any(f.sort is not None for f in key.fields)
    if key.kind == "id" and sorted_fields and symbols.provider not in PRIMARY_KEY_SORT_PROVIDERS:
        yield _problem(key, prefix + "The sort argument is not supported in the primary key with "
                       "the current connector")
    if key.algorithm == "Hash" and sorted_fields and "Hash" in index_types(symbols.provider):
        yield _problem(key, prefix + "Hash type does not support sort option.")
    if key.kind == "fulltext" and symbols.provider not in FULLTEXT_PROVIDERS:
        yield _problem(key, prefix + "Defining fulltext indexes is not supported with the "
                       "current connector.")
    if key.attribute.named("clustered") and symbols.provider not in CLUSTERING_PROVIDERS:
        yield _problem(key, prefix + "Defining clustering is not supported in the current "
                       "connector.")
    if key.algorithm is not None and key.algorithm not in index_types(symbols.provider):
        yield _problem(key, prefix + "The given index type is not supported with the current "
                       "connector")
    if key.kind != "normal" and any(f.has_ops for f in key.fields):
        yield _problem(key, prefix + "Operator classes can only be defined to fields in an "
                       "@@index attribute.")
    yield from _clustered_value(key.attribute)


def _option_values(key: Key) -> Iterator[Problem]:
    """`sort:` takes Asc or Desc, `length:` an integer (its first occurrence counts)."""
    for item in _option_sources(key):
        options = field_options(item)
        # A field attribute's own `sort:` is checked with its other arguments (attributes.py).
        sort = None if key.on_field else options.get("sort")
        length = options.get("length")
        if sort is not None and not isinstance(sort, ast.PathValue):
            yield Problem(sort.span, "FB205", "Expected a constant value, but received "
                          f"{kind_of(sort)} value `{render(sort)}`.")
        elif sort is not None and sort.text not in ("Asc", "Desc"):
            yield Problem(sort.span, "FB205", "Unexpected token. Expected one of: Asc, Desc")
        if length is not None and (not isinstance(length, ast.NumberValue)
                                   or i64(length.text) is None):
            yield Problem(length.span, "FB205", "Expected a numeric value, but received "
                          f"{kind_of(length)} value `{render(length)}`.")


def _option_sources(key: Key) -> list[tuple[ast.Argument, ...]]:
    """The argument lists that carry per-field options: the attribute's own (`@unique(sort:)`),
    or each `name(...)` in the field list."""
    if key.on_field:
        return [key.attribute.arguments]
    return [item.arguments for item in field_items(key.attribute)
            if isinstance(item, ast.FunctionValue)]


def _is_scalar(decl: ast.FieldDecl | None, scalars: tuple[str, ...]) -> bool | None:
    """Whether the field's type is one of ``scalars``; None for no field or `Unsupported`."""
    if decl is None or decl.type is None or decl.type.unsupported is not None:
        return None
    return decl.type.name in scalars


def _clustered_value(attribute: ast.Attribute) -> Iterator[Problem]:
    clustered = attribute.named("clustered")
    value = clustered.value if clustered else None
    text = value.text if isinstance(value, ast.PathValue | ast.NumberValue) else ""
    if value is not None and text not in ("true", "false"):
        yield Problem(value.span, "FB205", "Expected a boolean value, but received literal value "
                      f"`{text}`.")


def _operator_class_names(attribute: ast.Attribute) -> Iterator[Problem]:
    """`ops:` takes a class Prisma knows by name, or `raw("...")` with one string."""
    for item in field_items(attribute):
        options = item.arguments if isinstance(item, ast.FunctionValue) else ()
        for option in options:
            message = _operator_class_problem(option.value) if option.name == "ops" else None
            if message is not None and option.value is not None:
                yield Problem(option.value.span, "FB205", message)


def _operator_class_problem(value: ast.Expression | None) -> str | None:
    if isinstance(value, ast.PathValue):
        return None if value.text in OPERATOR_CLASSES else f"Invalid operator class: {value.text}"
    if isinstance(value, ast.FunctionValue) and value.name == "raw":
        if len(value.arguments) != 1:
            return f"Wrong number of arguments. Expected: 1, got: {len(value.arguments)}"
        if not isinstance(value.arguments[0].value, ast.StringValue):
            return "Invalid parameter type: expected string"
        return None
    if value is None:
        return None
    return f"Invalid operator class: {render(value)}"


def _key_types(key: Key, symbols: SymbolTable) -> Iterator[Problem]:
    """MySQL's text and blob types need a `length:` in a key; SQL Server's heap-allocated types
    cannot be keys at all, nor can Bytes be its primary key."""
    provider = symbols.provider or ""
    unindexable = UNINDEXABLE_NATIVE_TYPES.get(provider, set())
    guide = _LENGTH_GUIDE.get(provider, "")
    for field in key.fields:
        native = _native_spelling(field.native, field.native_arguments)
        if native in unindexable and not (guide and (field.length or key.kind == "fulltext")):
            yield _problem(key, key.incompatible(native, _CONNECTOR_NAMES[provider], guide))
            return
        if provider == "sqlserver" and key.kind == "id" and _is_scalar(field.decl, ("Bytes",)):
            yield _problem(key, "Error validating model: Using Bytes type is not allowed in the "
                           "model's id.")
            return


def _native_spelling(name: str | None, arguments: tuple[str, ...]) -> str:
    if name is None:
        return ""
    # As Prisma prints it: `VarChar(Max)` however `max` was spelled.
    spelled = ["Max" if a.lower() == "max" else a for a in arguments]
    return f"{name}({','.join(spelled)})" if spelled else name


def _named_foreign_key(decl: ast.FieldDecl, symbols: SymbolTable) -> Iterator[Problem]:
    relation = decl.attribute("relation")
    if relation is not None and relation.named("map") and symbols.provider in NO_NAMED_FOREIGN_KEYS:
        yield Problem(relation.span, "FB215", "Error parsing attribute \"@relation\": Your "
                      "provider does not support named foreign keys.")


def _clustering(keys: list[Key], symbols: SymbolTable) -> Iterator[Problem]:
    """SQL Server: the primary key is clustered unless it says otherwise; one clustered index."""
    if symbols.provider not in CLUSTERING_PROVIDERS:
        return
    clustered = [key for key in keys if _is_clustered(key)]
    if len(clustered) > 1:
        for key in clustered:
            yield _problem(key, f'Error parsing attribute "{key.label}": A model can only hold '
                           "one clustered index or id.")


def _is_clustered(key: Key) -> bool:
    argument = key.attribute.named("clustered")
    if argument is not None:
        return isinstance(argument.value, ast.PathValue) and argument.value.text == "true"
    return key.kind == "id"


def _problem(key: Key, message: str) -> Problem:
    return Problem(key.attribute.span, "FB215", message)

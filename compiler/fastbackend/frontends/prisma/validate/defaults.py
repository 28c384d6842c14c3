"""`@default(...)`: the function must exist and the value's kind must match the field's type."""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.connectors import DEFAULT_NAME_PROVIDERS
from fastbackend.frontends.prisma.expressions import i64, render
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.symbols import SymbolTable, name_list, positional_or

FUNCTIONS = {"autoincrement", "now", "uuid", "cuid", "nanoid", "ulid", "dbgenerated", "auto",
             "sequence"}
_NUMBER_TYPES = {"Int", "BigInt", "Float", "Decimal"}
_ALLOWED_ARGUMENTS: dict[str, set[str]] = {
    "uuid": {"4", "7"}, "cuid": {"1", "2"}, "nanoid": {str(n) for n in range(2, 256)},
    "ulid": set(), "now": set(), "autoincrement": set(),
}


def _describe(allowed: set[str]) -> str:
    if not allowed:
        return "none (it takes no argument)"
    numbers = sorted(int(a) for a in allowed)
    if len(numbers) > 2:
        return f"{numbers[0]} to {numbers[-1]}"
    return " and ".join(map(str, numbers))
_STRING_TYPES = {"String", "Json", "Bytes", "DateTime", "Decimal"}


def check(schema: ast.Schema, symbols: SymbolTable) -> list[Problem]:
    problems: list[Problem] = []
    for block in schema.blocks:
        for decl in block.fields:
            attribute = decl.attribute("default")
            value = positional_or(attribute, "value")
            if attribute is not None and value is not None and decl.type is not None:
                problems += list(_default(block, decl, value, symbols))
            if attribute is not None and attribute.named("map") and (
                    symbols.provider not in DEFAULT_NAME_PROVIDERS):
                problems.append(Problem(attribute.span, "FB215", "Error parsing attribute "
                                        "\"@default\": You defined a database name for the "
                                        "default value of a field on the model. This is not "
                                        "supported by the provider."))
    return problems


def _default(
    block: ast.Block, decl: ast.FieldDecl, value: ast.Expression, symbols: SymbolTable
) -> Iterator[Problem]:
    assert decl.type is not None
    prefix = "Error parsing attribute \"@default\": "
    if isinstance(value, ast.FunctionValue):
        yield from _function(decl, value, symbols, prefix, block)
        return
    if symbols.kind_of(decl) == "unsupported":
        yield Problem(value.span, "FB206", prefix + "Only @default(dbgenerated(\"...\")) can be "
                      "used for Unsupported types.")
        return
    if symbols.kind_of(decl) in ("relation", "composite"):
        return
    is_list = decl.type.modifier == "list"
    if is_list and not isinstance(value, ast.ArrayValue):
        yield Problem(value.span, "FB206", prefix + "The default value of a list field must be "
                      "a list.")
        return
    items = value.items if isinstance(value, ast.ArrayValue) else (value,)
    if isinstance(value, ast.ArrayValue) and not is_list:
        items = (value,)
    for item in items:
        message = _literal_problem(decl.type.name, item, symbols)
        if message is not None:
            yield Problem(item.span, "FB206", prefix + message)


def _autoincrement_refused(decl: ast.FieldDecl, block: ast.Block, symbols: SymbolTable) -> bool:
    """SQLite (and a schema without datasource) only on the id; MySQL only on an indexed field;
    MongoDB never."""
    if symbols.provider == "mongodb":
        return True
    if symbols.provider in ("sqlite", None):
        return decl.attribute("id") is None
    if symbols.provider == "mysql":
        indexed = {n for a in block.attributes if a.name in ("id", "unique", "index")
                   for n in name_list(positional_or(a, "fields"))[:1]}
        return not (decl.attribute("id") or decl.attribute("unique") or decl.name in indexed)
    return False


def _function(
    decl: ast.FieldDecl, function: ast.FunctionValue, symbols: SymbolTable, prefix: str,
    block: ast.Block,
) -> Iterator[Problem]:
    assert decl.type is not None
    if function.name not in FUNCTIONS or (function.name == "sequence"
                                          and symbols.provider != "cockroachdb"):
        yield Problem(function.span, "FB206", prefix + f"Unknown function in @default(): "
                      f"`{function.name}` is not known. You can read about the available "
                      "functions here: https://pris.ly/d/attribute-functions")
        return
    expected = {"autoincrement": {"Int", "BigInt"}, "now": {"DateTime"},
                "uuid": {"String"}, "cuid": {"String"}, "nanoid": {"String"},
                "ulid": {"String"}}.get(function.name)
    if expected is not None and decl.type.name not in expected:
        yield Problem(function.span, "FB206", prefix + f"The function `{function.name}()` "
                      f"cannot be used on fields of type `{decl.type.name}`.")
    yield from _function_arguments(function, prefix)
    if function.name == "autoincrement" and _autoincrement_refused(decl, block, symbols):
        yield Problem(function.span, "FB206", prefix + "The `autoincrement()` default value is "
                      "used on a non-id or non-indexed field even though the datasource does not "
                      "support this.")
    if function.name == "auto" and symbols.provider != "mongodb":
        yield Problem(function.span, "FB206", prefix + "The current connector does not support "
                      "the `auto()` function.")


_SEQUENCE_ARGUMENTS = {"virtual", "cache", "increment", "minValue", "maxValue", "start"}


def _function_arguments(function: ast.FunctionValue, prefix: str) -> Iterator[Problem]:
    if function.name == "sequence":
        for argument in function.arguments:
            if argument.name not in _SEQUENCE_ARGUMENTS:
                yield Problem(argument.span, "FB206", "Unexpected argument in `sequence()` "
                              "function call")
        return
    allowed = _ALLOWED_ARGUMENTS.get(function.name)
    if allowed is None:
        return
    args = [a.value.text if isinstance(a.value, ast.NumberValue) else "" for a in
            function.arguments]
    if len(args) > 1 or any(a not in allowed for a in args):
        yield Problem(function.span, "FB206", prefix + f"`{function.name}()` takes either no "
                      "argument, or a single integer argument among "
                      f"{_describe(allowed)}.")


def _literal_problem(type_name: str, item: ast.Expression, symbols: SymbolTable) -> str | None:
    if type_name in symbols.enums:
        values = {v.name for v in symbols.enums[type_name].values}
        if not isinstance(item, ast.PathValue) or item.text not in values:
            return "The defined default value is not a valid value of the enum specified " \
                   "for the field."
        return None
    if type_name == "Boolean":
        ok = isinstance(item, ast.PathValue) and item.text in ("true", "false")
        return None if ok else "A boolean literal must be `true` or `false`."
    if isinstance(item, ast.NumberValue) and type_name in _NUMBER_TYPES:
        if type_name in ("Int", "BigInt") and "." in item.text:
            return f"Expected an {type_name}, but found a float."
        if type_name in ("Int", "BigInt") and i64(item.text) is None:
            return (f"Parse error: \"{item.text}\" is not a valid integer. (number too large to "
                    "fit in target type)")
        if type_name == "Float" and math.isinf(float(item.text)):
            # Prisma reads it as infinity; the IR, which is JSON, has no infinite number.
            return (f"The number {_shortened(item.text)} is too large for a Float default: it "
                    "is infinite.")
        return None
    if isinstance(item, ast.StringValue) and type_name in _STRING_TYPES:
        return _parsed_string(type_name, item.value)
    return f"Expected a {type_name} value, but found `{render(item)}`."


def _shortened(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} digits)"


def _parsed_string(type_name: str, text: str) -> str | None:
    if type_name == "Bytes" and not _is_base64(text):
        return f"Parse error: \"{text}\" is not a valid base64 string."
    if type_name == "Decimal" and not _is_decimal(text):
        return f"Parse error: \"{text}\" is not a valid decimal."
    if type_name == "Json":
        try:
            json.loads(text)
        except ValueError:
            return "The default value is not valid JSON."
    if type_name == "DateTime" and not _is_rfc3339(text):
        return f"Parse error: \"{text}\" is not a valid rfc3339 datetime string."
    return None


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _is_rfc3339(text: str) -> bool:
    if not _RFC3339.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text.upper().replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        return False
    return True


def _is_base64(text: str) -> bool:
    """Canonical standard base64, padding included, as Prisma's decoder requires."""
    try:
        decoded = base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return base64.b64encode(decoded).decode() == text


def _is_decimal(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "infinity")

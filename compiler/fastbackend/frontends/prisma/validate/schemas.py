"""Multi-schema rules: with `schemas = [...]` in the datasource every model and enum names one of
them with `@@schema`; `@@schema` needs such a list."""

from __future__ import annotations

from collections.abc import Iterator

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.symbols import SymbolTable, positional_or


def check(schema: ast.Schema, symbols: SymbolTable) -> list[Problem]:
    declared = _declared(symbols)
    problems: list[Problem] = []
    for block in schema.blocks:
        if block.kind in ("model", "view", "enum"):
            problems += list(_block(block, declared))
    return problems


def _declared(symbols: SymbolTable) -> set[str] | None:
    source = symbols.datasource
    entry = symbols.config(source, "schemas") if source is not None else None
    if entry is None or not isinstance(entry.value, ast.ArrayValue):
        return None
    return {item.value for item in entry.value.items if isinstance(item, ast.StringValue)}


def _block(block: ast.Block, declared: set[str] | None) -> Iterator[Problem]:
    attribute = block.attribute("schema")
    if attribute is None:
        if declared:
            word = "enum" if block.kind == "enum" else "model"
            yield Problem(block.span, "FB220", f"Error validating {word} \"{block.name}\": This "
                          f"{word} is missing an `@@schema` attribute.")
        return
    value = positional_or(attribute, "name")
    name = value.value if isinstance(value, ast.StringValue) else None
    if declared is None or name not in declared:
        yield Problem(attribute.span, "FB220", "This schema is not defined in the datasource. "
                      "Read more on `@@schema` at https://pris.ly/d/multi-schema")

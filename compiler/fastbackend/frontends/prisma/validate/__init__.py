"""Prisma's validation rules, one module per subject; every problem is collected, none raised."""

from __future__ import annotations

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.relations import RelationPair
from fastbackend.frontends.prisma.symbols import SymbolTable
from fastbackend.frontends.prisma.validate import (
    attributes,
    blocks,
    config,
    constraint_names,
    defaults,
    field_lists,
    fields,
    indexes,
    relations,
    schemas,
    warnings,
)

RULES = (config.check, blocks.check, fields.check, attributes.check, field_lists.check,
         defaults.check, indexes.check, constraint_names.check, schemas.check)


def validate_schema(
    schema: ast.Schema, symbols: SymbolTable, pairs: dict[tuple[str, str], RelationPair]
) -> list[Problem]:
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule(schema, symbols))
    problems.extend(relations.check(symbols, pairs))
    problems.extend(warnings.check(symbols, pairs))
    return problems

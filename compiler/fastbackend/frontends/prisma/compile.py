"""Compile in-memory schema texts ({relative path: text}) to a FrontendResult."""

from __future__ import annotations

import re
from dataclasses import replace

from fastbackend.diagnostics import CompileError, Diagnostic
from fastbackend.frontends import FrontendResult
from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.lower import Lowering, lower_schema
from fastbackend.frontends.prisma.parser import parse_file
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.relations import pair_relations
from fastbackend.frontends.prisma.symbols import build_symbols
from fastbackend.frontends.prisma.validate import validate_schema
from fastbackend.passes.api import assign_api
from fastbackend.passes.constraint_names import PrismaNames, assign_names

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as diagnostics.with_source splits a source


def parse_texts(texts: dict[str, str]) -> tuple[ast.Schema, list[Problem]]:
    files: list[ast.SchemaFile] = []
    problems: list[Problem] = []
    for path, text in sorted(texts.items()):
        parsed, found = parse_file(path, text)
        files.append(parsed)
        problems.extend(found)
    return ast.Schema(tuple(files)), problems


def compile_texts(texts: dict[str, str]) -> FrontendResult:
    """Raises CompileError with every diagnostic when the schema does not compile."""
    schema, problems = parse_texts(texts)
    symbols = build_symbols(schema)
    pairs, relation_problems = pair_relations(symbols)
    problems += relation_problems + validate_schema(schema, symbols, pairs)
    diagnostics = _diagnostics(problems, texts)
    if any(d.is_error for d in diagnostics):
        raise CompileError(diagnostics)
    lowering = Lowering(symbols, pairs, {path: path for path in texts})
    ir = assign_api(lower_schema(lowering))
    ir = assign_names(ir, PrismaNames(ir.database.provider if ir.database else None))
    return FrontendResult(ir, lowering.source_map, [d for d in diagnostics if not d.is_error])


def _diagnostics(problems: list[Problem], texts: dict[str, str]) -> list[Diagnostic]:
    """Each problem with its source line; every file is split into lines once (a schema with
    thousands of errors would otherwise be split thousands of times)."""
    lines = {path: _LINE_BREAK.split(text) for path, text in texts.items()}
    found = []
    for problem in problems:
        diagnostic = problem.diagnostic()
        own = lines.get(problem.span.file, [])
        if 1 <= diagnostic.line <= len(own):
            diagnostic = replace(diagnostic, source_line=own[diagnostic.line - 1])
        found.append(diagnostic)
    return found

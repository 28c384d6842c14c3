"""Compile in-memory schema texts ({relative path: text}) to a FrontendResult."""

from __future__ import annotations

from fastbackend.diagnostics import CompileError, Diagnostic, with_source
from fastbackend.frontends import FrontendResult
from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.lower import Lowering, lower_schema
from fastbackend.frontends.prisma.parser import parse_file
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.relations import pair_relations
from fastbackend.frontends.prisma.symbols import build_symbols
from fastbackend.frontends.prisma.validate import validate_schema
from fastbackend.passes.api import assign_api


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
    diagnostics = [_diagnostic(p, texts) for p in problems]
    if any(d.is_error for d in diagnostics):
        raise CompileError(diagnostics)
    lowering = Lowering(symbols, pairs, {path: path for path in texts})
    ir = assign_api(lower_schema(lowering))
    return FrontendResult(ir, lowering.source_map, [d for d in diagnostics if not d.is_error])


def _diagnostic(problem: Problem, texts: dict[str, str]) -> Diagnostic:
    diagnostic = problem.diagnostic()
    return with_source(diagnostic, texts.get(problem.span.file, ""))

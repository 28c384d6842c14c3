"""Source positions, cheap where they are always needed and lazy everywhere else.

libcst's PositionProvider regenerates the whole module's code to count positions: on a file of a
thousand models that took longer than everything else together. Every compile needs the positions
of declarations (class names, attribute targets: the source map); only a diagnostic needs the
position of an expression. So declarations take their positions from ``ast`` (CPython's parser,
paired statement by statement with the libcst tree), and expressions get a position that
PositionProvider resolves, for the whole module once, the first time one is read.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from fastbackend.frontends.sqlalchemy.values import Pos

_NAMED = {cst.ClassDef: re.compile(r"class\s+"), cst.FunctionDef: re.compile(r"(async\s+)?def\s+")}


class Positions:
    def __init__(self, module: cst.Module, text: str, tree: ast.Module | None = None) -> None:
        self.module = module
        self.lines = text.splitlines()
        self.eager: dict[cst.CSTNode, Pos] = {}
        self.statements: dict[cst.CSTNode, Pos] = {}  # where each statement starts
        self._lazy: Mapping[cst.CSTNode, CodeRange] | None = None
        self._failed = False
        if tree is None:
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return  # libcst accepted what CPython rejects: resolve lazily
        self._pair(module.body, tree.body)

    def of(self, node: cst.CSTNode, fallback: Pos) -> Pos:
        found = self.eager.get(node)
        if found is not None:
            return found
        return Pos.lazy(lambda: self._resolve(node, fallback))

    def statement(self, node: cst.CSTNode, fallback: Pos) -> Pos:
        return self.statements.get(node, fallback)

    def _resolve(self, node: cst.CSTNode, fallback: Pos) -> tuple[int, int]:
        if self._lazy is None and not self._failed:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            try:
                self._lazy = wrapper.resolve(PositionProvider)
            except RecursionError:  # code nested deeper than libcst's visitor can walk
                self._failed = True
        found = self._lazy.get(node) if self._lazy is not None else None
        if found is None:
            return fallback.line, fallback.column
        return found.start.line, found.start.column + 1  # libcst columns are 0-based

    # pairing libcst statements with ast statements (both in source order)

    def _pair(self, body: Sequence[cst.CSTNode], statements: list[ast.stmt]) -> None:
        for node, statement in zip(_small(body), statements, strict=False):
            self._statement(node, statement)

    def _statement(self, node: cst.CSTNode, statement: ast.stmt) -> None:
        self.statements[node] = Pos(statement.lineno, statement.col_offset + 1)
        if isinstance(node, cst.Assign) and isinstance(statement, ast.Assign):
            self._at(node.targets[0].target, statement.targets[0])
        elif isinstance(node, cst.AnnAssign) and isinstance(statement, ast.AnnAssign):
            self._at(node.target, statement.target)
        elif isinstance(node, cst.Expr) and isinstance(statement, ast.Expr):
            self._at(node.value, statement.value)
        elif isinstance(node, cst.ClassDef | cst.FunctionDef) and isinstance(
                statement, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            self._name(node, statement)
            self._pair(_block(node.body), statement.body)
        elif isinstance(node, cst.If) and isinstance(statement, ast.If):
            self._pair(_block(node.body), statement.body)
        elif isinstance(node, cst.Try) and isinstance(statement, ast.Try):
            self._pair(_block(node.body), statement.body)
            for handler, ast_handler in zip(node.handlers, statement.handlers, strict=False):
                self._pair(_block(handler.body), ast_handler.body)

    def _at(self, node: cst.CSTNode, expression: ast.expr) -> None:
        if not isinstance(node, cst.Name | cst.Attribute | cst.Call | cst.Subscript):
            return  # parenthesised or unusual targets: leave them to the lazy resolver
        self.eager[node] = Pos(expression.lineno, expression.col_offset + 1)

    def _name(self, node: cst.ClassDef | cst.FunctionDef,
              statement: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        line = self.lines[statement.lineno - 1] if statement.lineno <= len(self.lines) else ""
        keyword = _NAMED[type(node)].match(line, statement.col_offset)
        if keyword is not None and line.startswith(node.name.value, keyword.end()):
            self.eager[node.name] = Pos(statement.lineno, keyword.end() + 1)


def _small(body: Sequence[cst.CSTNode]) -> list[cst.CSTNode]:
    """Statements as ast counts them: each small statement of a line on its own."""
    found: list[cst.CSTNode] = []
    for node in body:
        if isinstance(node, cst.SimpleStatementLine):
            found.extend(node.body)
        else:
            found.append(node)
    return found


def _block(body: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return body.body

"""Load the source's modules and, following their imports, every project module they use.

Each file is read once per compile (a module imported from ten places is parsed once) and
checked with CPython's own parser before libcst sees it: CPython refuses, at once and with the
right position, what would make libcst crash (deep nesting) or point one line too low.
Nothing is imported or executed.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import libcst as cst

from fastbackend.diagnostics import Diagnostic, with_source
from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy.collect import collect_module
from fastbackend.frontends.sqlalchemy.facts import ModuleFacts
from fastbackend.frontends.sqlalchemy.finder import LIBRARIES, Located, ModuleFinder
from fastbackend.frontends.sqlalchemy.project import Symbols
from fastbackend.frontends.sqlalchemy.report import Reporter
from fastbackend.sources import SourceSet


class Loader:
    def __init__(self, sources: SourceSet, reporter: Reporter) -> None:
        self.sources = sources
        self.reporter = reporter
        self.finder = ModuleFinder(sources.entry, sources.import_roots)
        self.modules: dict[str, ModuleFacts] = {}
        self.by_path: dict[Path, str] = {}
        self.aliases: dict[str, str] = {}

    def load(self) -> Symbols:
        for path in self.sources.files:
            name, is_package = self.finder.name_of(path)
            self._load(Located(name, path.resolve(), is_package))
        self._follow_imports()
        return Symbols(self.modules, self.aliases)

    def _follow_imports(self) -> None:
        done: set[str] = set()
        pending = [q for m in self.modules.values() for q in _imported(m)]
        while pending:
            qname = pending.pop()
            if qname in done:
                continue
            done.add(qname)
            found = self.finder.locate(qname)
            if found is None:
                continue
            module = self._load(found)
            if module is not None:
                pending.extend(_imported(module))

    def _load(self, found: Located) -> ModuleFacts | None:
        """Parse a module once; a file met again under another name becomes an alias."""
        known = self.by_path.get(found.path)
        if known is not None:
            if known != found.name:
                self.aliases.setdefault(found.name, known)
            return None
        if found.name in self.modules:
            return None
        self.by_path[found.path] = found.name
        relative = self._relative(found)
        text = self._text(found.path, relative)
        if text is None:
            return None
        parsed = self._parse(text, relative)
        if parsed is None:
            return None
        module = collect_module(parsed[0], found.name, found.path, relative, text,
                                found.is_package, parsed[1])
        module.library = found.library
        self.modules[found.name] = module
        return module

    def _relative(self, found: Located) -> str:
        if found.library:
            return f"<fastbackend>/{found.path.relative_to(LIBRARIES).as_posix()}"
        root = self.sources.root.resolve()
        if found.path.is_relative_to(root):
            return found.path.relative_to(root).as_posix()
        return Path(os.path.relpath(found.path, root)).as_posix()

    def _text(self, path: Path, relative: str) -> str | None:
        try:
            return path.read_text("utf-8")
        except UnicodeDecodeError:
            self.reporter.raw(Diagnostic(relative, 1, 1, "FB004", f"{relative} is not UTF-8 text"))
            return None

    def _parse(self, text: str, relative: str) -> tuple[cst.Module, ast.Module] | None:
        syntax = cpython_syntax(text, relative)
        if isinstance(syntax, Diagnostic):
            self.reporter.raw(with_source(syntax, text))
            return None
        try:
            return cst.parse_module(text), syntax
        except cst.ParserSyntaxError as error:  # CPython accepted it: libcst's own limits
            line, column = _libcst_position(error, text)
            diagnostic = Diagnostic(relative, line, column, codes.SYNTAX,
                                    f"syntax error: {error.message}")
            self.reporter.raw(with_source(diagnostic, text))
            return None


_NATIVE_POSITION = re.compile(r"error at (\d+):(\d+)")


def _libcst_position(error: cst.ParserSyntaxError, text: str) -> tuple[int, int]:
    """Where libcst's parser stopped, 1-based, on a line of the text. Its native parser's
    raw_line is one past the line its message names ("error at 19:115", a 1-based line and a
    0-based column: `((x)): int` at 19 gave line 20, which the file may not have)."""
    found = _NATIVE_POSITION.search(error.message)
    line, column = (int(found[1]), int(found[2])) if found else (error.raw_line, error.raw_column)
    lines = text.splitlines() or [""]
    line = min(max(line, 1), len(lines))
    return line, min(column + 1, len(lines[line - 1]) + 1)


def cpython_syntax(text: str, relative: str) -> ast.Module | Diagnostic:
    """The module as CPython parses it, or FB101 where CPython's parser stops."""
    try:
        tree = compile(text, relative, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        line, column = error.lineno or 1, error.offset or 1
        return Diagnostic(relative, line, max(column, 1), codes.SYNTAX,
                          f"syntax error: {error.msg}")
    except (RecursionError, MemoryError):
        return Diagnostic(relative, 1, 1, codes.SYNTAX, "syntax error: the code is nested too "
                          "deeply for Python's parser")
    except ValueError as error:  # source code string cannot contain null bytes
        return Diagnostic(relative, 1, 1, codes.SYNTAX, f"syntax error: {error}")
    assert isinstance(tree, ast.Module)
    return tree


def _imported(module: ModuleFacts) -> list[str]:
    scope = module.scope
    return [*scope.imports.values(), *scope.stars, *scope.modules]


def load(sources: SourceSet, reporter: Reporter) -> Symbols:
    return Loader(sources, reporter).load()

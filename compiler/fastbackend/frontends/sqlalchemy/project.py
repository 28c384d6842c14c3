"""Load every module of the source (and sibling modules it imports) and resolve names across them.

``Symbols.canonical`` follows re-exports (``from .models import User`` in ``__init__``), plain
aliases (``C = Column``) and Flask-SQLAlchemy's ``db = SQLAlchemy()`` so that ``db.Column`` is
``sqlalchemy.Column`` and ``db.Model`` is Flask-SQLAlchemy's model base.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from fastbackend.diagnostics import Diagnostic, with_source
from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.collect import collect_module
from fastbackend.frontends.sqlalchemy.facts import AssignmentFact, ClassFact, ModuleFacts
from fastbackend.frontends.sqlalchemy.names import FLASK_FACTORY, FLASK_MODEL
from fastbackend.frontends.sqlalchemy.report import Reporter
from fastbackend.sources import SourceSet

FLASK_DB = "@flask_db"
_NOT_PROJECT = ("sqlalchemy", "sqlmodel", "flask_sqlalchemy", "typing", "builtins", "datetime",
                "uuid", "enum", "decimal", "typing_extensions", "__future__")


class Symbols:
    def __init__(self, modules: dict[str, ModuleFacts]) -> None:
        self.modules = modules
        self.classes: dict[str, ClassFact] = {}
        self.assignments: dict[str, AssignmentFact] = {}
        self.reindex()
        self._cache: dict[str, str] = {}
        self._heads = {name.split(".")[0] for name in modules}

    def reindex(self) -> None:
        """Index classes and assignments by qualified name (again, after facts were rewritten)."""
        for module in self.modules.values():
            for fact in module.classes:
                self.classes[fact.qname] = fact
            for name, assignment in module.assignments.items():
                self.assignments[f"{module.name}.{name}"] = assignment

    def canonical(self, qname: str) -> str:
        cached = self._cache.get(qname)
        if cached is None:
            cached = self._cache[qname] = self._canonical(qname)
        return cached

    def ref(self, value: v.Value | None) -> str | None:
        """The canonical name of a Ref (or of the function a Call calls)."""
        if isinstance(value, v.Call):
            value = value.func
        return self.canonical(value.qname) if isinstance(value, v.Ref) else None

    def _canonical(self, qname: str) -> str:
        qname = self._within_source(qname)
        for _ in range(20):
            replaced = self._replace_prefix(qname)
            if replaced is None:
                break
            qname = replaced
        if qname == f"{FLASK_DB}.Model":
            return FLASK_MODEL
        if qname.startswith(f"{FLASK_DB}."):
            return "sqlalchemy." + qname[len(FLASK_DB) + 1:]
        return qname

    def _within_source(self, qname: str) -> str:
        """``app.models.user.User`` when the source is the ``models`` package (compiled from
        ``app/``'s point of view as ``models.user``): drop outer packages the source lies in."""
        parts = qname.split(".")
        if parts[0] in _NOT_PROJECT or parts[0] in self._heads or parts[0].startswith("@"):
            return qname
        for start in range(1, len(parts) - 1):
            if parts[start] in self._heads:
                return ".".join(parts[start:])
        return qname

    def _replace_prefix(self, qname: str) -> str | None:
        parts = qname.split(".")
        for i in range(len(parts), 0, -1):
            target = self._alias(".".join(parts[:i]))
            if target is not None:
                return ".".join([target, *parts[i:]])
        return None

    def _alias(self, prefix: str) -> str | None:
        module_name, _, name = prefix.rpartition(".")
        module = self.modules.get(module_name)
        if module is None or not name:
            return None
        if name in module.scope.imports and prefix not in self.classes:
            target = module.scope.imports[name]
            return target if target != prefix else None
        assignment = module.assignments.get(name)
        if assignment is None:
            return None
        if isinstance(assignment.value, v.Ref):
            return assignment.value.qname
        if self.ref(assignment.value) == FLASK_FACTORY and isinstance(assignment.value, v.Call):
            return FLASK_DB
        return None

    def class_fact(self, qname: str | None) -> ClassFact | None:
        return self.classes.get(self.canonical(qname)) if qname is not None else None

    def assignment(self, qname: str | None) -> AssignmentFact | None:
        return self.assignments.get(self.canonical(qname)) if qname is not None else None


def load(sources: SourceSet, reporter: Reporter) -> Symbols:
    modules: dict[str, ModuleFacts] = {}
    for path in sources.files:
        _load_file(sources, path, modules, reporter)
    _load_siblings(sources, modules, reporter)
    return Symbols(modules)


def module_name(sources: SourceSet, path: Path) -> tuple[str, bool]:
    parts = list(Path(sources.relative(path)).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts) or path.stem, is_package


def _load_file(sources: SourceSet, path: Path, modules: dict[str, ModuleFacts],
               reporter: Reporter) -> None:
    relative = sources.relative(path)
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        reporter.raw(Diagnostic(relative, 1, 1, "FB004", f"{relative} is not UTF-8 text"))
        return
    try:
        tree = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        message = f"syntax error: {error.message}"
        diagnostic = Diagnostic(relative, error.raw_line, error.raw_column + 1, codes.SYNTAX, message)
        reporter.raw(with_source(diagnostic, text))
        return
    name, is_package = module_name(sources, path)
    modules[name] = collect_module(tree, name, path, relative, text, is_package)


def _load_siblings(sources: SourceSet, modules: dict[str, ModuleFacts], reporter: Reporter) -> None:
    """Modules beside the source that it imports (a types module of Annotated aliases), read as
    text like everything else; never imported."""
    tried: set[Path] = set()
    pending = True
    while pending:
        pending = False
        wanted = {q for m in list(modules.values()) for q in m.scope.imports.values()}
        wanted |= {s for m in list(modules.values()) for s in m.scope.stars}
        for qname in sorted(wanted):
            path = _module_file(sources.root, qname, modules)
            if path is not None and path not in tried:
                tried.add(path)
                _load_file(sources, path, modules, reporter)
                pending = True


def _module_file(root: Path, qname: str, modules: dict[str, ModuleFacts]) -> Path | None:
    parts = qname.split(".")
    if parts[0] in _NOT_PROJECT:
        return None
    # "app.db.Base" seen from inside app/ is db.py: try without the outer packages too.
    for start in range(len(parts) - 1):
        for i in range(len(parts), start, -1):
            name = ".".join(parts[start:i])
            if name in modules:
                return None
            for candidate in (root.joinpath(*parts[start:i]).with_suffix(".py"),
                              root.joinpath(*parts[start:i], "__init__.py")):
                if candidate.is_file():
                    return candidate
    return None

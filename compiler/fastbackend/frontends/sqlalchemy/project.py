"""Resolve names across the modules of the project: ``Symbols.canonical``.

It follows re-exports (``from .models import User`` in ``__init__``), plain aliases
(``C = Column``), modules loaded under two names, and Flask-SQLAlchemy's ``db = SQLAlchemy()``, so
that ``db.Column`` is ``sqlalchemy.Column`` and ``db.Model`` is Flask-SQLAlchemy's model base.
Resolution is iterative and remembers what it is resolving: a name bound to itself
(``T = T.with_variant(...)``) or two modules importing each other end, they never recurse.
"""

from __future__ import annotations

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.facts import AssignmentFact, ClassFact, ModuleFacts
from fastbackend.frontends.sqlalchemy.names import FLASK_FACTORY, FLASK_MODEL

FLASK_DB = "@flask_db"
MAX_STEPS = 50  # alias chains longer than this are not written by people


class Symbols:
    def __init__(self, modules: dict[str, ModuleFacts], aliases: dict[str, str] | None = None
                 ) -> None:
        self.modules = modules
        self.module_aliases = aliases or {}  # a module loaded under another name -> that name
        self.classes: dict[str, ClassFact] = {}
        self.assignments: dict[str, AssignmentFact] = {}
        self.reindex()
        self._cache: dict[str, str] = {}
        self._resolving: set[str] = set()  # names being resolved: a cycle stops at them

    def reindex(self) -> None:
        """Index classes and assignments by qualified name (again, after facts were rewritten)."""
        for module in self.modules.values():
            for fact in module.classes:
                self.classes[fact.qname] = fact
            for name, assignment in module.assignments.items():
                self.assignments[f"{module.name}.{name}"] = assignment

    def canonical(self, qname: str) -> str:
        cached = self._cache.get(qname)
        if cached is not None:
            return cached
        if qname in self._resolving:
            return qname
        self._resolving.add(qname)
        try:
            cached = self._cache[qname] = self._canonical(qname)
        finally:
            self._resolving.discard(qname)
        return cached

    def ref(self, value: v.Value | None) -> str | None:
        """The canonical name of a Ref (or of the function a Call calls)."""
        if isinstance(value, v.Call):
            value = value.func
        return self.canonical(value.qname) if isinstance(value, v.Ref) else None

    def _canonical(self, qname: str) -> str:
        seen = {qname}
        for _ in range(MAX_STEPS):
            replaced = self._replace_prefix(qname)
            if replaced is None or replaced in seen:
                break
            seen.add(replaced)
            qname = replaced
        if qname == f"{FLASK_DB}.Model":
            return FLASK_MODEL
        if qname.startswith(f"{FLASK_DB}."):
            return "sqlalchemy." + qname[len(FLASK_DB) + 1:]
        return qname

    def _replace_prefix(self, qname: str) -> str | None:
        parts = qname.split(".")
        for i in range(len(parts), 0, -1):
            target = self._alias(".".join(parts[:i]))
            if target is not None:
                return ".".join([target, *parts[i:]])
        return None

    def _alias(self, prefix: str) -> str | None:
        if prefix in self.module_aliases:
            return self.module_aliases[prefix]
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
        if isinstance(assignment.value, v.Ref) and assignment.value.qname != prefix:
            return assignment.value.qname
        if isinstance(assignment.value, v.Call) and self._is_flask_factory(assignment.value, prefix):
            return FLASK_DB
        return None

    def _is_flask_factory(self, call: v.Call, prefix: str) -> bool:
        func = call.func
        if not isinstance(func, v.Ref) or func.qname.startswith(f"{prefix}."):
            return False  # db = db.something(): not the factory, and not a loop
        return self.canonical(func.qname) == FLASK_FACTORY

    def class_fact(self, qname: str | None) -> ClassFact | None:
        return self.classes.get(self.canonical(qname)) if qname is not None else None

    def assignment(self, qname: str | None) -> AssignmentFact | None:
        return self.assignments.get(self.canonical(qname)) if qname is not None else None

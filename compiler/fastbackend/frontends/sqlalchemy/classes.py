"""Decide what each class is: a declarative base, a mapped class (and its parent), or neither.

Bases are recognised by what they resolve to: ``DeclarativeBase`` subclasses, ``declarative_base()``
and ``registry().generate_base()`` results, ``@as_declarative``, ``@registry.mapped``,
Flask-SQLAlchemy's ``db.Model`` and SQLModel's ``SQLModel, table=True``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.facts import AttributeFact, ClassFact, ModuleFacts
from fastbackend.frontends.sqlalchemy.names import FLASK_MODEL, sa_name
from fastbackend.frontends.sqlalchemy.project import Symbols

Flavor = Literal["declarative", "flask", "sqlmodel"]
SQLMODEL = frozenset({"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"})
ROOT_BASES = frozenset({"DeclarativeBase", "DeclarativeBaseNoMeta"})
BASE_FACTORIES = frozenset({"declarative_base"})


@dataclass(frozen=True)
class Ancestry:
    """A class's project ancestors in method resolution order and the outside names it derives from."""

    classes: tuple[ClassFact, ...]
    external: frozenset[str]
    base_calls: tuple[v.Call, ...]  # declarative_base(...) / registry(...) calls it derives from


@dataclass(frozen=True)
class MappedClass:
    fact: ClassFact
    module: ModuleFacts
    flavor: Flavor
    ancestry: Ancestry
    parent: ClassFact | None

    @property
    def name(self) -> str:
        return self.fact.name

    def lookup(self, name: str) -> tuple[AttributeFact, ClassFact] | None:
        """An attribute of the class or of the mixins it inherits, nearest first."""
        for fact in (self.fact, *self.mixins()):
            attribute = fact.attribute(name)
            if attribute is not None:
                return attribute, fact
        return None

    def mixins(self) -> tuple[ClassFact, ...]:
        """Unmapped ancestors whose attributes the class inherits, nearest first."""
        found: list[ClassFact] = []
        for ancestor in self.ancestry.classes:
            if self.parent is not None and ancestor.qname == self.parent.qname:
                break
            found.append(ancestor)
        return tuple(found)


class Classifier:
    def __init__(self, symbols: Symbols) -> None:
        self.symbols = symbols
        self._ancestry: dict[str, Ancestry] = {}

    def ancestry(self, fact: ClassFact) -> Ancestry:
        cached = self._ancestry.get(fact.qname)
        if cached is None:
            self._ancestry[fact.qname] = Ancestry((), frozenset(), ())  # guards cycles
            cached = self._ancestry[fact.qname] = self._compute(fact)
        return cached

    def _compute(self, fact: ClassFact) -> Ancestry:
        classes: list[ClassFact] = []
        external: set[str] = set()
        calls: list[v.Call] = []
        for base in fact.bases:
            if isinstance(base, v.Subscript):  # TypeDecorator[Decimal], Generic[ID]
                base = base.base
            qname = self.symbols.ref(base)
            if qname is None:
                continue
            parent = self.symbols.classes.get(qname)
            if parent is not None:
                inherited = self.ancestry(parent)
                classes.extend([parent, *inherited.classes])
                external |= inherited.external
                calls.extend(inherited.base_calls)
                continue
            external.add(qname)
            call = self.base_call(qname)
            if call is not None:
                calls.append(call)
                classes.extend(self._base_class(call))
        return Ancestry(_dedupe(classes), frozenset(external), tuple(calls))

    def base_call(self, qname: str) -> v.Call | None:
        """The call that made a module-level base: ``Base = declarative_base()``."""
        assignment = self.symbols.assignment(qname)
        if assignment is None or not isinstance(assignment.value, v.Call):
            return None
        func = self.symbols.ref(assignment.value)
        if sa_name(func) in BASE_FACTORIES or (func or "").endswith(".generate_base"):
            return assignment.value
        return None

    def _base_class(self, call: v.Call) -> list[ClassFact]:
        """``declarative_base(cls=CommonBase)``: CommonBase's attributes go to every model."""
        found = self.symbols.class_fact(self.symbols.ref(call.kwarg("cls")))
        return [found, *self.ancestry(found).classes] if found is not None else []

    def is_root(self, fact: ClassFact) -> bool:
        if any(sa_name(self.symbols.ref(base)) in ROOT_BASES for base in fact.bases):
            return True
        return any(sa_name(self.symbols.ref(d)) == "as_declarative" for d in fact.decorators)

    def registry_decorated(self, fact: ClassFact) -> bool:
        return self.registry_call(fact) is not None

    def registry_call(self, fact: ClassFact) -> v.Call | None:
        """``@reg.mapped`` on the class: the ``reg = registry(...)`` call."""
        for decorator in fact.decorators:
            owner, _, attr = (self.symbols.ref(decorator) or "").rpartition(".")
            if attr in ("mapped", "mapped_as_dataclass"):
                found = self.registry_of(owner)
                if found is not None:
                    return found
        return None

    def registry_of(self, qname: str) -> v.Call | None:
        assignment = self.symbols.assignment(qname)
        value = assignment.value if assignment is not None else None
        if isinstance(value, v.Call) and sa_name(self.symbols.ref(value)) == "registry":
            return value
        return None

    def flavor(self, fact: ClassFact) -> Flavor | None:
        ancestry = self.ancestry(fact)
        if FLASK_MODEL in ancestry.external:
            return "flask"
        if ancestry.external & SQLMODEL:
            return "sqlmodel"
        if ancestry.base_calls or self.registry_decorated(fact):
            return "declarative"
        if any(self.is_root(a) for a in ancestry.classes):
            return "declarative"
        return None

    def roots(self, fact: ClassFact) -> tuple[ClassFact, ...]:
        return tuple(a for a in self.ancestry(fact).classes if self.is_root(a))


def _dedupe(classes: list[ClassFact]) -> tuple[ClassFact, ...]:
    """Keep each class once, at its last position: a good approximation of C3 for model trees."""
    seen: set[str] = set()
    result: list[ClassFact] = []
    for fact in reversed(classes):
        if fact.qname not in seen:
            seen.add(fact.qname)
            result.append(fact)
    return tuple(reversed(result))

"""What interpretation needs at hand: symbols, the classifier, enums found so far, the reporter."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.classes import Classifier
from fastbackend.frontends.sqlalchemy.facts import ClassFact, ModuleFacts
from fastbackend.frontends.sqlalchemy.project import Symbols
from fastbackend.frontends.sqlalchemy.report import Reporter
from fastbackend.frontends.sqlalchemy.specs import EnumSpec

ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})


@dataclass
class Context:
    symbols: Symbols
    classifier: Classifier
    reporter: Reporter
    enums: dict[str, EnumSpec] = field(default_factory=dict)

    def canonical(self, qname: str) -> str:
        return self.symbols.canonical(qname)

    def module(self, fact: ClassFact) -> ModuleFacts:
        return self.symbols.modules[fact.module]

    def deref(self, value: v.Value | None, depth: int = 0) -> v.Value | None:
        """Follow a name to the module-level value it was assigned (``convention = {...}``)."""
        if isinstance(value, v.Ref) and depth < 10:
            assignment = self.symbols.assignment(value.qname)
            if assignment is not None:
                return self.deref(assignment.value, depth + 1)
        return value

    def enum_class(self, qname: str | None) -> ClassFact | None:
        fact = self.symbols.class_fact(qname)
        if fact is None:
            return None
        if self.classifier.ancestry(fact).external & ENUM_BASES:
            return fact
        return None

    def enum_member(self, value: v.Value | None) -> str | None:
        """``PostStatus.draft`` -> ``draft`` when PostStatus is a Python enum of the project."""
        if not isinstance(value, v.Ref):
            return None
        owner, _, member = self.canonical(value.qname).rpartition(".")
        fact = self.enum_class(owner)
        if fact is not None and fact.attribute(member) is not None:
            return member
        return None

    def warn(self, module: ModuleFacts, pos: v.Pos, code: str, message: str) -> None:
        self.reporter.warn(module, pos, code, message)

    def note(self, module: ModuleFacts, pos: v.Pos, code: str, message: str) -> None:
        self.reporter.note(module, pos, code, message)

    def error(self, module: ModuleFacts, pos: v.Pos, code: str, message: str) -> None:
        self.reporter.error(module, pos, code, message)

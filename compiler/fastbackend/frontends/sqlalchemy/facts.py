"""Typed records of what the source says, collected per module before any interpretation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastbackend.frontends.sqlalchemy.scope import Scope
from fastbackend.frontends.sqlalchemy.values import Pos, Value


@dataclass(frozen=True)
class AttributeFact:
    """``name: annotation = value`` in a class body (either part may be absent)."""

    name: str
    annotation: Value | None
    value: Value | None
    pos: Pos
    declared_attr: bool = False


@dataclass(frozen=True)
class ClassFact:
    name: str
    qname: str
    module: str
    bases: tuple[Value, ...]
    keywords: tuple[tuple[str, Value], ...]
    decorators: tuple[Value, ...]
    attributes: tuple[AttributeFact, ...]
    docstring: str | None
    pos: Pos
    hooks: tuple[tuple[str, Pos], ...] = ()  # __init_subclass__, __table_cls__ defined here

    def attribute(self, name: str) -> AttributeFact | None:
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        return None

    def keyword(self, name: str) -> Value | None:
        for key, value in self.keywords:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class AssignmentFact:
    """A module-level ``name = value`` (or annotated assignment)."""

    name: str
    value: Value
    pos: Pos


@dataclass(frozen=True)
class StatementFact:
    """A module-level expression statement, such as ``Index("ix", User.email)``."""

    value: Value
    pos: Pos


@dataclass
class ModuleFacts:
    name: str
    path: Path
    relative: str
    text: str
    scope: Scope
    classes: list[ClassFact] = field(default_factory=list)
    assignments: dict[str, AssignmentFact] = field(default_factory=dict)
    statements: list[StatementFact] = field(default_factory=list)
    conditions: list[Pos] = field(default_factory=list)  # `if` tests guarding declarations
    undefined: list[tuple[str, Pos]] = field(default_factory=list)  # NameError at import
    library: bool = False  # a known library's stub (finder.py), not the project's code

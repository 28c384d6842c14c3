"""where=<JSON> in Prisma's shape -> a filter tree.

    {"OR": [{"title": {"contains": "sql"}}, {"author": {"is": {"email": {"endswith": "@x.io"}}}}],
     "NOT": {"status": "draft"}, "comments": {"some": {"body": {"icontains": "great"}}}}

Keys are AND/OR/NOT, field names (a value, null, or an object of operators) and relation names
(some/every/none on to-many, is/isNot on to-one; a plain object on a to-one means is).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastbackend_fastapi.problems import Problem
from fastbackend_fastapi.query import operators
from fastbackend_fastapi.query.errors import bad_parameter
from fastbackend_fastapi.query.limits import Budget
from fastbackend_fastapi.query.nodes import TRUE, All, AnyOf, Compare, Node, Not, Quantifier, Related
from fastbackend_fastapi.query.vocabulary import (
    EntityVocabulary,
    FieldInfo,
    RelationInfo,
    Vocabulary,
)

TO_MANY: tuple[Quantifier, ...] = ("some", "every", "none")
TO_ONE: tuple[Quantifier, ...] = ("is", "isNot")



@dataclass
class WhereReader:
    vocabulary: Vocabulary
    parameter: str = "where"
    budget: Budget = field(default_factory=Budget)
    steps: int = field(default=0)  # relations walked to reach the document being read

    def read(self, entity: EntityVocabulary, document: Any, pointer: str = "",
             depth: int = 0) -> Node:
        if not isinstance(document, dict):
            raise self._error(pointer, "expected an object")
        if depth > self.budget.limits.max_where_depth:
            raise self._error(pointer, f"nested deeper than {self.budget.limits.max_where_depth}"
                                       " levels")
        items = [self._entry(entity, key, value, f"{pointer}/{key}", depth)
                 for key, value in document.items()]
        return items[0] if len(items) == 1 else All(tuple(items))

    def _entry(self, entity: EntityVocabulary, key: str, value: Any, pointer: str,
               depth: int) -> Node:
        self.budget.condition(self._name(pointer))
        if key in ("AND", "OR", "NOT"):
            return self._logical(entity, key, value, pointer, depth)
        if key in entity.fields:
            return self._field(entity.fields[key], value, pointer)
        if key in entity.relations:
            return self._relation(entity.relations[key], value, pointer, depth)
        raise self._error(pointer, f"{entity.name} has no field or relation {key!r}")

    def _logical(self, entity: EntityVocabulary, key: str, value: Any, pointer: str,
                 depth: int) -> Node:
        documents = value if isinstance(value, list) else [value]
        items = tuple(self.read(entity, item, f"{pointer}/{i}" if isinstance(value, list)
                                else pointer, depth + 1) for i, item in enumerate(documents))
        if key == "OR":
            return AnyOf(items)
        return Not(All(items)) if key == "NOT" else All(items)

    def _field(self, info: FieldInfo, value: Any, pointer: str) -> Node:
        if not isinstance(value, dict):
            return self._compare(info, "eq", value, pointer)
        insensitive = self._insensitive(info, value, pointer)
        items = tuple(self._compare(info, op, operand, f"{pointer}/{op}", insensitive)
                      for op, operand in value.items() if op != "mode")
        return items[0] if len(items) == 1 else All(items)

    def _insensitive(self, info: FieldInfo, value: dict[str, Any], pointer: str) -> bool:
        """Prisma's `"mode": "insensitive"`: every text operator beside it ignores case."""
        if "mode" not in value:
            return False
        if value["mode"] not in ("insensitive", "default"):
            raise self._error(f"{pointer}/mode", "mode is 'default' or 'insensitive'")
        if operators.CASE_FOLDING not in info.operators:  # a text field (the IR's record)
            raise self._error(f"{pointer}/mode", f"mode applies to text fields, not to "
                                                 f"{info.name!r} ({info.type})")
        return bool(value["mode"] == "insensitive")

    def _compare(self, info: FieldInfo, name: str, value: Any, pointer: str,
                 insensitive: bool = False) -> Compare:
        name = operators.ALIASES.get(name, name)
        if value is None and name in ("eq", "ne"):  # equals null / not null
            name, value = "isnull", name == "eq"
        op = operators.operator(name, info, self._name(pointer))
        if op.listed and isinstance(value, list):
            self.budget.values(len(value), self._name(pointer))
        parsed = operators.from_json(op, info, value, self._name(pointer))
        folded = operators.FOLDING.get(op.name) if insensitive else None
        return Compare(info, folded or op.name, parsed)

    def _relation(self, relation: RelationInfo, value: Any, pointer: str, depth: int) -> Node:
        self.budget.steps(self.steps + 1, self._name(pointer))
        target = self.vocabulary.entity(relation.target)
        if value is None and not relation.to_many:  # author: null -> has no author
            return Related(relation, "isNot", TRUE)
        allowed = TO_MANY if relation.to_many else TO_ONE
        if not isinstance(value, dict):
            raise self._error(pointer, f"expected an object with {' / '.join(allowed)}")
        if not relation.to_many and not set(value) & set(TO_ONE):
            return Related(relation, "is", self._nested(target, value, pointer, depth))
        items = []
        for quantifier, inner in value.items():
            if quantifier not in allowed:
                raise self._error(f"{pointer}/{quantifier}",
                                  f"{relation.name} takes {' / '.join(allowed)}")
            items.append(self._quantified(relation, target, quantifier, inner,
                                          f"{pointer}/{quantifier}", depth))
        return items[0] if len(items) == 1 else All(tuple(items))

    def _quantified(self, relation: RelationInfo, target: EntityVocabulary, quantifier: Any,
                    inner: Any, pointer: str, depth: int) -> Node:
        if inner is None and quantifier in TO_ONE:  # is: null -> none; isNot: null -> some
            return Related(relation, "isNot" if quantifier == "is" else "is", TRUE)
        return Related(relation, quantifier, self._nested(target, inner, pointer, depth))

    def _nested(self, target: EntityVocabulary, document: Any, pointer: str, depth: int) -> Node:
        """The where of a related row: one more nested EXISTS."""
        self.steps += 1
        try:
            return self.read(target, document, pointer, depth + 1)
        finally:
            self.steps -= 1

    def _name(self, pointer: str) -> str:
        return f"{self.parameter} at {pointer or '/'}"

    def _error(self, pointer: str, message: str) -> Problem:
        return bad_parameter(self._name(pointer), message)

"""Before/after IR pairs made by editing copies of the golden blog IR."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastbackend_ir import IR, from_dict, validate

GOLDEN_BLOG = Path(__file__).resolve().parent.parent / "golden" / "blog.ir.json"

Doc = dict[str, Any]
Edit = Callable[[Doc], None]


def golden() -> Doc:
    document: Doc = json.loads(GOLDEN_BLOG.read_text("utf-8"))
    return document


def typed(document: Doc) -> IR:
    validate(document)  # every pair must be a valid IR, or the test proves nothing
    return from_dict(IR, document)


def edited(*edits: Edit, recorded: bool = False) -> Doc:
    """The golden IR with ``edits`` made to its model's facts. The contract the compiler
    records from those facts (IR 1.2: routes, field roles, linking fields) is left out, as an
    IR 1.1 has none: recorded, it would name what an edit renamed or removed. With
    ``recorded``, it is kept, and the edits change it (the rules of the contract itself)."""
    document = copy.deepcopy(golden())
    for edit in edits:
        edit(document)
    return document if recorded else without_contract(document)


def without_contract(document: Doc) -> Doc:
    for spec in document["entities"].values():
        spec.pop("routes", None)
        for item in spec["fields"]:
            item.pop("roles", None)
        for relation in spec.get("relations", []):
            relation.pop("localFields", None)
            relation.pop("remoteFields", None)
            relation.pop("exposed", None)
    return document


def entity(document: Doc, name: str) -> Doc:
    found: Doc = document["entities"][name]
    return found


def field(document: Doc, entity_name: str, field_name: str) -> Doc:
    for spec in entity(document, entity_name)["fields"]:
        if spec["name"] == field_name:
            found: Doc = spec
            return found
    raise KeyError(field_name)


def relation(document: Doc, entity_name: str, name: str) -> Doc:
    for spec in entity(document, entity_name)["relations"]:
        if spec["name"] == name:
            found: Doc = spec
            return found
    raise KeyError(name)


@dataclass(frozen=True)
class Case:
    """``base`` and ``head`` edit the golden IR; ``pointer`` is where the finding points (into
    the head, or into the base for something removed); ``says`` is part of its message."""

    rule: str
    head: Edit
    pointer: str
    says: str
    base: Edit = lambda document: None
    side: str = "head"
    recorded: bool = False  # the edits change the recorded contract (edited's ``recorded``)

    def pair(self) -> tuple[IR, IR]:
        return (typed(edited(self.base, recorded=self.recorded)),
                typed(edited(self.head, recorded=self.recorded)))


def reverse(case_rule: str, case: Case, says: str, side: str = "base") -> Case:
    """The same edit read backwards: added becomes removed (and points into the base)."""
    return Case(case_rule, case.base, case.pointer, says, case.head, side, case.recorded)

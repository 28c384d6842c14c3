"""Invalid IR is refused with a message naming the JSON Pointer of each problem."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fastbackend_ir import IRValidationError, IRVersionError, loads

Edit = Callable[[dict[str, Any]], None]


def _refusal(golden: Path, edit: Edit) -> IRValidationError:
    document = json.loads(golden.read_text("utf-8"))
    edit(document)
    with pytest.raises(IRValidationError) as caught:
        loads(json.dumps(document), origin="test.ir.json")
    return caught.value


def _set(path: str, value: Any) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value

    return edit


def _delete(path: str) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[int(last) if isinstance(node, list) else last]

    return edit


CASES = [
    ("wrong type", _set("entities/User/fields/1/nullable", "yes"),
     "/entities/User/fields/1/nullable", "'yes' is not of type 'boolean'"),
    ("missing key", _delete("entities/Post/fields/1/column"),
     "/entities/Post/fields/1", "'column' is a required property"),
    ("unknown key", _set("entities/Tag/colour", "red"), "/entities/Tag", "unknown key 'colour'"),
    ("unknown logical type", _set("entities/Tag/fields/1/type", "varchar"),
     "/entities/Tag/fields/1/type", "'varchar' is not one of"),
    ("bad default kind", _set("entities/Post/fields/3/default", {"kind": "magic"}),
     "/entities/Post/fields/3/default", "magic"),
    ("enum field without its enum", _delete("entities/Post/fields/3/enum"),
     "/entities/Post/fields/3", "'enum' is a required property"),
    ("unknown relation target", _set("entities/Post/relations/0/target", "Author"),
     "/entities/Post/relations/0/target", "unknown entity 'Author'"),
    ("unknown enum", _set("entities/Post/fields/3/enum", "Mood"),
     "/entities/Post/fields/3/enum", "unknown enum 'Mood'"),
    ("foreign key to a missing field", _set("entities/Post/foreignKeys/0/fields/0", "writer_id"),
     "/entities/Post/foreignKeys/0/fields/0", "unknown field 'writer_id'"),
    ("absolute source path", _set("entities/Post/source", "/home/me/models.py"),
     "/entities/Post/source", "does not match"),
    ("many-to-many without a join table", _delete("entities/Tag/relations/0/joinTable"),
     "/entities/Tag/relations/0", "joinTable"),
]


@pytest.mark.parametrize(("edit", "pointer", "fragment"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_invalid_ir_is_refused_naming_the_pointer(
    golden_blog_ir_path: Path, edit: Edit, pointer: str, fragment: str
) -> None:
    error = _refusal(golden_blog_ir_path, edit)
    matching = [p for p in error.problems if p.pointer == pointer]
    assert matching, f"no problem at {pointer}: {error.problems}"
    assert any(fragment in p.message for p in matching), matching
    assert pointer in str(error) and "test.ir.json" in str(error)


@pytest.mark.parametrize("version", ["2.0", "0.9", "10.3"])
def test_unknown_major_version_is_refused_clearly(golden_blog_ir_path: Path, version: str) -> None:
    document = json.loads(golden_blog_ir_path.read_text("utf-8"))
    document["irVersion"] = version
    with pytest.raises(IRVersionError) as caught:
        loads(json.dumps(document))
    problem = caught.value.problems[0]
    assert problem.pointer == "/irVersion"
    assert f"major version {version.split('.')[0]} is not supported" in problem.message


def test_a_newer_minor_version_of_the_same_major_is_accepted(golden_blog_ir_path: Path) -> None:
    document = json.loads(golden_blog_ir_path.read_text("utf-8"))
    document["irVersion"] = "1.9"
    assert loads(json.dumps(document)).ir_version == "1.9"


@pytest.mark.parametrize("version", [1, "1", "v1.0", None])
def test_malformed_version_is_refused(golden_blog_ir_path: Path, version: object) -> None:
    document = json.loads(golden_blog_ir_path.read_text("utf-8"))
    document["irVersion"] = version
    with pytest.raises(IRValidationError, match="/irVersion: irVersion must be a string"):
        loads(json.dumps(document))


@pytest.mark.parametrize("text", ["", "{", "[]", "null", "not json"])
def test_not_an_ir_document_is_refused(text: str) -> None:
    with pytest.raises(IRValidationError):
        loads(text)


def test_every_problem_is_reported_at_once(golden_blog_ir_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        _set("entities/User/fields/1/nullable", 1)(document)
        _set("entities/Tag/fields/1/unique", "no")(document)

    error = _refusal(golden_blog_ir_path, edit)
    assert {p.pointer for p in error.problems} >= {
        "/entities/User/fields/1/nullable", "/entities/Tag/fields/1/unique"}

"""Read and write IR documents in their canonical, byte-deterministic form."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastbackend_ir import jsontext
from fastbackend_ir.codec import from_dict, to_dict
from fastbackend_ir.errors import IRProblem, IRValidationError
from fastbackend_ir.nodes import IR
from fastbackend_ir.types import JSONValue
from fastbackend_ir.validation import validate


def canonical_json(document: JSONValue) -> str:
    """Sorted keys, two-space indent, UTF-8 text, one trailing newline: the same bytes everywhere."""
    try:
        return jsontext.dumps(document) + "\n"  # json.dumps's bytes, written faster
    except jsontext.Unsupported:
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def loads(text: str | bytes, origin: str | None = None) -> IR:
    """Parse, validate and type an IR document."""
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise IRValidationError([IRProblem("", f"not JSON ({error.msg} at {where})")], origin) from None
    validate(document, origin)
    return from_dict(IR, document)


# The IRs last read (or written, by ``remember``) from a few files, with their bytes: a process
# that loads an unchanged ir.json again gets the same IR instead of a second decode (`fastbackend
# dev` serving the IR it has just compiled, the pytest plugin's fixtures once per test). IR nodes
# are frozen dataclasses that nothing changes in place, so the one object can be shared.
_KNOWN: dict[str, tuple[bytes, IR]] = {}
_KNOWN_FILES = 4


def load(path: str | Path) -> IR:
    path = Path(path)
    data = path.read_bytes()
    key = os.path.abspath(path)
    known = _KNOWN.get(key)
    if known is not None and known[0] == data:
        return known[1]
    ir = loads(data, origin=str(path))
    _remember(key, data, ir)
    return ir


def remember(path: str | Path, text: str, ir: IR) -> None:
    """Note that ``path`` holds ``text``, the canonical text of ``ir`` (as ``dumps`` gave it):
    a later ``load`` of the unchanged file in this process returns ``ir`` without decoding."""
    _remember(os.path.abspath(path), text.encode("utf-8"), ir)


def _remember(key: str, data: bytes, ir: IR) -> None:
    _KNOWN.pop(key, None)
    _KNOWN[key] = (data, ir)
    while len(_KNOWN) > _KNOWN_FILES:
        del _KNOWN[next(iter(_KNOWN))]


def dumps(ir: IR) -> str:
    """The canonical text of ``ir``; refuses to produce an invalid document."""
    document = to_dict(ir)
    validate(document)
    return canonical_json(document)


def dump(ir: IR, path: str | Path) -> bool:
    """Write ``ir`` to ``path`` unless the file already holds these bytes; True if it wrote."""
    return write_if_changed(Path(path), dumps(ir))


def write_if_changed(path: Path, text: str) -> bool:
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True

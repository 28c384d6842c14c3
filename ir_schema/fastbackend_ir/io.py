"""Read and write IR documents in their canonical, byte-deterministic form."""

from __future__ import annotations

import json
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


def load(path: str | Path) -> IR:
    path = Path(path)
    return loads(path.read_bytes(), origin=str(path))


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

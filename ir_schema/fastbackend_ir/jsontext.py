"""Canonical JSON text, written in one pass: the same bytes as ``json.dumps(document, indent=2,
sort_keys=True, ensure_ascii=False)``, three times as fast.

With ``indent`` set, the standard library encodes in pure Python through nested generators (its
C encoder only writes compact JSON): for a 300-model IR and its source map that was a tenth of
the compile (issue #19). This writer appends to one list and escapes strings with the standard
library's C routine. It covers what IR documents hold (str keys, str, int, float, bool, None,
lists, tuples, dicts); anything else raises ``Unsupported`` and the caller uses json.dumps.
tests/ir/test_jsontext.py compares both.
"""

from __future__ import annotations

import json.encoder
from typing import Any

_escape = json.encoder.encode_basestring  # the C version when available, as json.dumps uses
_INFINITY = float("inf")


class Unsupported(Exception):
    """A value json.dumps would write differently or refuse."""


def dumps(document: Any) -> str:
    parts: list[str] = []
    try:
        _value(document, parts, "\n")
    except RecursionError:
        raise Unsupported("nested too deeply (or a cycle)") from None
    return "".join(parts)


def _value(value: Any, parts: list[str], newline: str) -> None:
    if isinstance(value, str):
        parts.append(_escape(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        parts.append(_float(value))
    elif isinstance(value, list | tuple):
        _array(value, parts, newline)
    elif isinstance(value, dict):
        _object(value, parts, newline)
    else:
        raise Unsupported(f"a {type(value).__name__}")


def _float(value: float) -> str:
    """json's floatstr with allow_nan (its default)."""
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _array(items: list[Any] | tuple[Any, ...], parts: list[str], newline: str) -> None:
    if not items:
        parts.append("[]")
        return
    inner = newline + "  "
    separator = "[" + inner
    for item in items:
        parts.append(separator)
        separator = "," + inner
        _value(item, parts, inner)
    parts.append(newline + "]")


def _object(mapping: dict[Any, Any], parts: list[str], newline: str) -> None:
    if not mapping:
        parts.append("{}")
        return
    if not all(isinstance(key, str) for key in mapping):
        raise Unsupported("a key that is not a string")
    inner = newline + "  "
    separator = "{" + inner
    for key in sorted(mapping):
        parts.append(separator + _escape(key) + ": ")
        separator = "," + inner
        _value(mapping[key], parts, inner)
    parts.append(newline + "}")

"""Conversion between IR nodes and their canonical JSON form.

Canonical form: camelCase keys, optional keys omitted when they hold their default, entities and
enums keyed by name. The conversion is driven by the dataclasses' type hints, so a new IR attribute
is one line in nodes.py and one property in the schema.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Hashable
from typing import Any, TypeVar

from fastbackend_ir import nodes
from fastbackend_ir.types import JSONObject, JSONValue

T = TypeVar("T")

_DEFAULTS_BY_KIND: dict[str, type[Any]] = {
    "literal": nodes.LiteralDefault,
    "generator": nodes.GeneratorDefault,
    "sql": nodes.SqlDefault,
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def to_dict(node: Any) -> JSONObject:
    """The canonical JSON object for a dataclass node."""
    out: JSONObject = {}
    for name, json_key, default, factory in _encoding_plan(typing.cast(Hashable, type(node))):
        value = getattr(node, name)
        if default is not dataclasses.MISSING:
            if value == default:
                continue
        elif factory is not dataclasses.MISSING and value == factory():
            continue
        out[json_key] = _encode(value)
    return out


_Plan = tuple[tuple[str, str, Any, Any], ...]


@functools.cache
def _encoding_plan(cls: Hashable) -> _Plan:
    """Per node class, once: each encoded field's name, JSON key and the default that leaves it
    out (``kind`` is always written). Computing these per node cost half of writing an IR."""
    plan = []
    for spec in dataclasses.fields(typing.cast(Any, cls)):
        if spec.metadata.get("key"):
            continue
        always = spec.name == "kind"
        plan.append((spec.name, camel(spec.name),
                     dataclasses.MISSING if always else spec.default,
                     dataclasses.MISSING if always else spec.default_factory))
    return tuple(plan)


def _encode(value: Any) -> JSONValue:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_dict(value)
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    return typing.cast(JSONValue, value)


def from_dict(cls: type[T], data: JSONObject, key: str | None = None) -> T:
    """Build ``cls`` from an already validated JSON object."""
    hints = _hints(typing.cast(Hashable, cls))
    kwargs: dict[str, Any] = {}
    for spec in dataclasses.fields(cls):  # type: ignore[arg-type]
        if spec.metadata.get("key"):
            if key is not None:
                kwargs[spec.name] = key
            continue
        json_key = camel(spec.name)
        if json_key in data:
            kwargs[spec.name] = _decode(hints[spec.name], data[json_key])
    return cls(**kwargs)


@functools.cache
def _hints(cls: Hashable) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(nodes))


def _decode(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _decode_union(args, value)
    if origin is tuple:
        return tuple(_decode(args[0], item) for item in value)
    if origin is dict:
        item_hint = args[1]
        if isinstance(item_hint, type) and dataclasses.is_dataclass(item_hint):
            return {k: from_dict(item_hint, v, key=k) for k, v in value.items()}
        return {k: _decode(item_hint, v) for k, v in value.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return from_dict(hint, value)
    return value


def _decode_union(args: tuple[Any, ...], value: Any) -> Any:
    if value is None:
        return None
    options = [arg for arg in args if arg is not type(None)]
    if isinstance(value, dict) and "kind" in value and nodes.LiteralDefault in options:
        return from_dict(_DEFAULTS_BY_KIND[value["kind"]], value)
    dataclass_options = [arg for arg in options
                         if isinstance(arg, type) and dataclasses.is_dataclass(arg)]
    if isinstance(value, dict) and len(dataclass_options) == 1:
        return from_dict(dataclass_options[0], value)
    sequences = [arg for arg in options if typing.get_origin(arg) is tuple]
    if isinstance(value, list) and len(sequences) == 1:  # `tuple[Route, ...] | None` (IR 1.2)
        return _decode(sequences[0], value)
    return value

"""Row keys in URLs: `/{a}` or, for composite keys, `/{a},{b}` (DESIGN.md)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pydantic import TypeAdapter, ValidationError

from fastbackend_fastapi import pytypes
from fastbackend_ir import IR, Entity
from fastbackend_ir.routable import UNROUTABLE_KEYS

SEPARATOR = ","


@dataclass(frozen=True)
class KeyCodec:
    entity: str
    fields: tuple[str, ...]
    adapters: tuple[TypeAdapter[Any], ...]

    def parse(self, text: str) -> tuple[Any, ...] | None:
        """The typed key values, or None when ``text`` cannot name a row."""
        parts = text.split(SEPARATOR, len(self.fields) - 1)
        if len(parts) != len(self.fields):
            return None
        try:
            return tuple(a.validate_strings(p) for a, p in zip(self.adapters, parts, strict=True))
        except ValidationError:
            return None

    def format(self, values: Sequence[Any]) -> str:
        texts = (self._text(adapter, value) for adapter, value in zip(self.adapters, values,
                                                                       strict=True))
        return SEPARATOR.join(quote(text, safe="") for text in texts)

    @staticmethod
    def _text(adapter: TypeAdapter[Any], value: Any) -> str:
        dumped = adapter.dump_python(value, mode="json")
        # JSON's spelling of a number or a boolean (`true`, as the Express server writes it)
        return dumped if isinstance(dumped, str) else json.dumps(dumped)


def key_codec(ir: IR, entity: Entity) -> KeyCodec:
    fields = entity.api.key
    # A key of a type no URL can carry is text (such an entity has no routes: routable.py).
    adapters = tuple(TypeAdapter(pytypes.python_type(entity.field(name), ir)
                                 if entity.field(name).type not in UNROUTABLE_KEYS
                                 and not entity.field(name).list else str,
                                 config=pytypes.JSON_CONFIG) for name in fields)
    return KeyCodec(entity.name, fields, adapters)

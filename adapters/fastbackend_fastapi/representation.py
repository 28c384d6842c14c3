"""Rows -> JSON bodies and ETags, with serializers built once per entity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Row

from fastbackend_fastapi.etags import etag_of
from fastbackend_fastapi.schemas import EntitySchemas
from fastbackend_ir import Entity


@dataclass(frozen=True)
class Representation:
    schemas: EntitySchemas
    read_positions: tuple[tuple[str, int], ...]
    unexposed_positions: tuple[int, ...]

    def as_dict(self, row: Row[Any]) -> dict[str, Any]:
        return {name: row[position] for name, position in self.read_positions}

    def body(self, row: Row[Any]) -> bytes:
        return self.schemas.read.dump_json(self.as_dict(row))

    def etag(self, row: Row[Any], body: bytes) -> str:
        if not self.unexposed_positions:
            return etag_of(body)
        # Hidden and write-only columns change the row too; If-Match must see that.
        return etag_of(body, repr([row[p] for p in self.unexposed_positions]).encode())

    def body_and_etag(self, row: Row[Any]) -> tuple[bytes, str]:
        body = self.body(row)
        return body, self.etag(row, body)

    def page(self, rows: Sequence[Row[Any]], meta: dict[str, Any]) -> bytes:
        return self.schemas.page.dump_json({"data": [self.as_dict(r) for r in rows], "meta": meta})

    def items(self, rows: Sequence[Row[Any]]) -> bytes:
        return self.schemas.items.dump_json([self.as_dict(r) for r in rows])


def build_representation(entity: Entity, schemas: EntitySchemas) -> Representation:
    """Rows from store.py hold every field in declared order."""
    positions = {f.name: i for i, f in enumerate(entity.fields)}
    read = tuple((name, positions[name]) for name in schemas.read_fields)
    unexposed = tuple(i for f, i in zip(entity.fields, range(len(entity.fields)), strict=True)
                      if f.name not in schemas.read_fields)
    return Representation(schemas, read, unexposed)

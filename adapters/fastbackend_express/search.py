"""`ModelMeta.search` of src/meta.ts: how lib/search.ts reads an entity's full-text search index.

The index is the one `fastbackend migrate` creates on PostgreSQL (a GIN index on
``to_tsvector('<language>'::regconfig, coalesce(a, '') || ' ' || coalesce(b, ''))``); the
statement spells the same expression so PostgreSQL uses it. An entity without search is null.
"""

from __future__ import annotations

from typing import Any

from fastbackend_ir import Entity


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def search_meta(entity: Entity) -> dict[str, Any] | None:
    search = entity.search
    if search is None:
        return None
    text = " || ' ' || ".join(f"coalesce({_quoted(entity.field(name).column)}, '')"
                              for name in search.fields)
    key = entity.api.key[0] if len(entity.api.key) == 1 else None
    table = ".".join(_quoted(part) for part in (entity.schema, entity.table) if part is not None)
    return {"table": table, "vector": f"to_tsvector('{search.language}'::regconfig, {text})",
            "language": search.language, "key": key,
            "keyColumn": _quoted(entity.field(key).column) if key is not None else ""}

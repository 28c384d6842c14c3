"""`ModelMeta.search` of src/meta.ts: how lib/search.ts reads an entity's full-text search index.

The index is the one `fastbackend migrate` creates: on PostgreSQL a GIN index on
``to_tsvector('<language>'::regconfig, coalesce(a, '') || ' ' || coalesce(b, ''))``, the
statement spelling the same expression so PostgreSQL uses it; on MySQL and MariaDB a FULLTEXT
index on the columns, read by ``MATCH (a, b) AGAINST (? IN NATURAL LANGUAGE MODE)`` (the
columns in the index's order). An entity without search is null.
"""

from __future__ import annotations

from typing import Any

from fastbackend_ir import Entity


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _backquoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def search_meta(entity: Entity, database: str = "postgresql") -> dict[str, Any] | None:
    search = entity.search
    if search is None:
        return None
    if database == "mysql":
        key = entity.api.key[0] if len(entity.api.key) == 1 else None
        columns = ", ".join(_backquoted(entity.field(name).column) for name in search.fields)
        return {"table": _backquoted(entity.table),
                "vector": f"MATCH ({columns}) AGAINST (? IN NATURAL LANGUAGE MODE)",
                "language": search.language, "key": key,
                "keyColumn": _backquoted(entity.field(key).column) if key is not None else ""}
    text = " || ' ' || ".join(f"coalesce({_quoted(entity.field(name).column)}, '')"
                              for name in search.fields)
    key = entity.api.key[0] if len(entity.api.key) == 1 else None
    table = ".".join(_quoted(part) for part in (entity.schema, entity.table) if part is not None)
    return {"table": table, "vector": f"to_tsvector('{search.language}'::regconfig, {text})",
            "language": search.language, "key": key,
            "keyColumn": _quoted(entity.field(key).column) if key is not None else ""}

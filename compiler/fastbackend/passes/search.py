"""The search pass: fastbackend.yaml's `models.<Model>.search`, decided into the IR (IR 1.4).

Which fields full-text search reads, in which language, and the name of the index that serves
it (PostgreSQL's GIN index, SQLite's FTS5 table and its triggers): every adapter reads these
from the IR (the runtime's schema creation and migrations, its `search=` parameter, the
OpenAPI document) and none of them reads fastbackend.yaml for them.
"""

from __future__ import annotations

from dataclasses import replace

from fastbackend.config import Document, SearchConfig, models
from fastbackend_ir import IR, Entity, Search

MAX_INDEX_NAME = 52  # 63 bytes less SQLite's longest FTS5 shadow-table suffix ("_docsize")
SUFFIX = "_search"


def apply(ir: IR, document: Document) -> IR:
    entities = dict(ir.entities)
    for name, config in models(document).items():
        if config.search is not None and name in entities:
            entities[name] = _searched(document, entities[name], config.search)
    return replace(ir, entities=entities)


def index_name(table: str) -> str:
    """``{table}_search``, the table cut so the name and its FTS5 shadow tables fit."""
    return table.encode()[:MAX_INDEX_NAME - len(SUFFIX)].decode(errors="ignore") + SUFFIX


def _searched(document: Document, entity: Entity, config: SearchConfig) -> Entity:
    path = ("models", entity.name, "search")
    by_name = {f.name: f for f in entity.fields}
    listed = isinstance(document.get(path), list)  # `search: [a, b]` or `search: {fields: ...}`
    for i, name in enumerate(config.fields):
        where = (*path, i) if listed else (*path, "fields", i)
        found = by_name.get(name)
        if found is None:
            raise document.error(where, "FB406", f"{name!r} is not a field of {entity.name}")
        if found.type != "string" or found.list:
            raise document.error(where, "FB402", f"{entity.name}.{name} is not a text field; "
                                 "only text fields can be searched")
        if found.api.hidden or found.api.write_only:
            raise document.error(where, "FB402", f"{entity.name}.{name} is never returned, so "
                                 "it cannot be searched (its words would show through)")
    if entity.kind == "view" or entity.inheritance is not None:
        raise document.error(path, "FB402", f"{entity.name} is not a plain table: search "
                             "needs an index on its own table", at_key=True)
    return replace(entity, search=Search(fields=config.fields, index=index_name(entity.table),
                                         language=config.language))

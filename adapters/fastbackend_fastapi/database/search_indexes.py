"""Full-text search indexes (IR 1.4) in the runtime's schema creation and in migrations
(their Alembic operations: database/search_revisions.py).

The catalog records each searched table (``metadata.info[SEARCH]``, by table key: tables.py); the SQL is the
dialect's (dialects/fulltext.py). At startup ``create_tables`` calls ``ensure``: what the
database lacks of an index is created, and filled from the rows already there. ``fastbackend
migrate`` adds a ``CreateSearchIndexOp`` for each index the database lacks; the revision spells
the SQL of every database that has full-text search, so it stays portable (written on SQLite,
applied on PostgreSQL), and its downgrade drops the index. Alembic never sees the index itself:
``include_name`` keeps the FTS5 table, its shadow tables and the GIN index out of the
comparison, so no revision ever drops them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from fastbackend_fastapi.database.dialects import Dialect
from fastbackend_ir import Search

SEARCH = "fastbackend_search"
# FTS5's shadow tables of an external-content table
SHADOWS = ("_data", "_idx", "_docsize", "_config", "_content")


def searched(metadata: sa.MetaData,
             tables: Iterable[sa.Table] | None = None) -> Iterator[tuple[sa.Table, Search]]:
    """The searched tables (of ``tables``, else all) and their searches."""
    by_key: dict[str, Search] = metadata.info.get(SEARCH, {})
    # not metadata.sorted_tables: it warns on a cycle of foreign keys, and order means nothing
    chosen = None if tables is None else {table.key for table in tables}
    for key, search in sorted(by_key.items()):
        if chosen is None or key in chosen:
            yield metadata.tables[key], search


def search_of(table: sa.Table) -> Search | None:
    found: Search | None = (table.metadata.info.get(SEARCH, {})).get(table.key)
    return found


def ensure(connection: sa.Connection, dialect: Dialect, metadata: sa.MetaData,
           tables: list[sa.Table]) -> list[str]:
    """Create the search indexes the database lacks; the names of those created."""
    if dialect.fulltext is None:
        return []  # `search=` is a 400 on this database (query/search.py)
    return [search.index for table, search in searched(metadata, tables)
            if dialect.fulltext.ensure(connection, table, search)]


def index_names(metadata: sa.MetaData) -> frozenset[str]:
    """Every name the search indexes give tables and indexes: not Alembic's to compare."""
    names = set()
    for _, search in searched(metadata):
        names.add(search.index)
        names.update(search.index + suffix for suffix in SHADOWS)
    return frozenset(names)


def include_name(metadata: sa.MetaData) -> Any:
    """Alembic's ``include_name`` hook that leaves the search indexes out."""
    excluded = index_names(metadata)

    def include(name: str | None, type_: str, parent_names: Any) -> bool:
        return name not in excluded

    return include


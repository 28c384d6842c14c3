"""The Alembic operations of full-text search indexes (database/search_indexes.py says how)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import renderers
from alembic.autogenerate.api import AutogenContext
from alembic.migration import MigrationContext
from alembic.operations import ops

from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.database.search_indexes import searched


class CreateSearchIndexOp(ops.MigrateOperation):
    """Create (``drop=False``) or drop one table's full-text search index, on whichever
    database the revision runs: one SQL list per database that has full-text search."""

    def __init__(self, table_name: str, schema: str | None, sql: dict[str, list[str]],
                 drop: bool = False) -> None:
        self.table_name = table_name
        self.schema = schema
        self.sql = sql
        self.drop = drop

    def reverse(self) -> CreateSearchIndexOp:
        raise NotImplementedError  # built in pairs by missing()


class DropSearchIndexOp(CreateSearchIndexOp):
    pass


@renderers.dispatch_for(CreateSearchIndexOp)
@renderers.dispatch_for(DropSearchIndexOp)
def _render(context: AutogenContext, operation: CreateSearchIndexOp) -> list[str]:
    verb = "Drop" if operation.drop else "Create"
    lines = [f"# {verb} the full-text search index of {operation.table_name} "
             "(docs/query-language.md, \"Search\"): each database's own SQL.",
             "_database = op.get_context().dialect.name"]
    for i, (database, statements) in enumerate(sorted(operation.sql.items())):
        lines.append(f"{'if' if i == 0 else 'elif'} _database == {database!r}:")
        lines.extend(f"    op.execute({statement!r})" for statement in statements)
    return [*lines, ""]


def missing(context: MigrationContext,
            metadata: sa.MetaData) -> list[tuple[CreateSearchIndexOp, DropSearchIndexOp]]:
    """The create and drop operations of every search index the database lacks."""
    if context.connection is None:
        return []
    dialect = dialects.of(context.connection.dialect)
    if dialect.fulltext is None:
        return []
    found = []
    for table, search in searched(metadata):
        if dialect.fulltext.present(context.connection, table, search):
            continue
        create = {d.name: d.fulltext.create(table, search) for d in dialects.DIALECTS
                  if d.fulltext is not None}
        drop = {d.name: d.fulltext.drop(table, search) for d in dialects.DIALECTS
                if d.fulltext is not None}
        found.append((CreateSearchIndexOp(table.name, table.schema, create),
                      DropSearchIndexOp(table.name, table.schema, drop, drop=True)))
    return found

"""The database: engines, execution mode, error classification and migrations, per dialect.

    engine.py      engines from a URL, the read and write engines, creating the tables
    execution.py   where database calls run (inline, thread, async)
    errors.py      the database's errors -> problems (by the dialect's classification)
    sqltypes.py    column types that behave the same on every database
    migrations.py  Alembic with the IR as its target (imported on demand: Alembic is heavy)
    revisions.py   what a revision file says, portable across databases
    dialects/      one Dialect per database: every decision that depends on it

Nothing outside dialects/ names a database (tests/adapters/fastapi/test_dialect_boundary.py).
"""

from __future__ import annotations

from fastbackend_fastapi.database.engine import (
    UnsupportedSQL,
    async_reads,
    check_connection,
    check_server_defaults,
    create_async_engine,
    create_engine,
    create_tables,
    reader,
    with_schemas,
    writer,
)
from fastbackend_fastapi.database.execution import (
    Execution,
    ResolvedExecution,
    resolve_execution,
)

__all__ = [
    "Execution",
    "ResolvedExecution",
    "UnsupportedSQL",
    "async_reads",
    "check_connection",
    "check_server_defaults",
    "create_async_engine",
    "create_engine",
    "create_tables",
    "reader",
    "resolve_execution",
    "with_schemas",
    "writer",
]

"""Where database calls run: on the event loop, in a thread pool, or on an asyncio driver.

runtime.Database runs them; this module only decides the mode. "auto" takes the dialect's
measured default (docs/runtime.md): SQLite answers in microseconds in-process, so a thread hop
costs more than the query; PostgreSQL is a network round trip, best overlapped.
"""

from __future__ import annotations

from typing import Literal

from fastbackend_fastapi.database import dialects

Execution = Literal["auto", "inline", "thread", "async"]
ResolvedExecution = Literal["inline", "thread", "async"]


def resolve_execution(execution: Execution, dialect: str) -> ResolvedExecution:
    """The mode for SQLAlchemy's backend ``dialect`` (an engine's ``dialect.name``)."""
    if execution != "auto":
        return execution
    return dialects.named(dialect).execution

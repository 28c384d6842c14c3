"""What the CLI's lifecycle commands need from this runtime, behind one entry point.

Registered as ``fastbackend.runtime`` / ``fastapi`` in pyproject, so the compiler finds it by
entry point and never imports this package by name (DESIGN.md). Heavy modules (Alembic) are
imported only when a command asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastbackend_fastapi.database.migrations import Migrations
    from fastbackend_ir import IR

# `fastbackend build` writes this beside ir.json: plain `uvicorn main:app` serves it.
ENTRY_MODULE = '''"""ASGI entry point written by `fastbackend build`; do not edit.

Serve it with:  uvicorn main:app --host 0.0.0.0 --port 8000
or, to exit 0 after a graceful SIGTERM (uvicorn itself ends with status 143):
                python -m fastbackend_fastapi.serve main:app --host 0.0.0.0 --port 8000
The API is built at startup from ir.json beside this file; DATABASE_URL selects the database
(default: a SQLite file beside it). This folder is the project folder: its fastbackend.yaml
and its app/ package (custom routers in app/custom/ and what they import) are the project's.
"""

from pathlib import Path

from fastbackend_fastapi import create_app

HERE = Path(__file__).resolve().parent

app = create_app(HERE / "ir.json", custom_path=HERE / "app" / "custom", project_path=HERE)
'''

# What serving needs, and nothing of the compiler (no libcst, no lark). Kept in step with
# pyproject's dependencies by tests/cli/test_build.py.
REQUIREMENTS = (
    "fastapi>=0.115",
    "uvicorn[standard]>=0.30",  # uvloop and httptools: the fast stack for production
    "SQLAlchemy>=2.0.30",
    "pydantic>=2.7",
    "jsonschema>=4.21",
    "psycopg[binary]>=3.1",
    "PyYAML>=6.0",  # fastbackend.yaml, and the OpenAPI document as YAML
    "fastapi-offline>=1.7",  # /docs and /redoc assets, served without a CDN
)


@dataclass(frozen=True)
class Lifecycle:
    name: str
    entry_module: str
    requirements: tuple[str, ...]

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """Failures a command reports as a message (never a traceback)."""
        import alembic.util
        import sqlalchemy.exc

        from fastbackend_fastapi.database.migrations import MigrationError
        return (MigrationError, alembic.util.CommandError, sqlalchemy.exc.SQLAlchemyError)

    def migrations(self, folder: Path, ir_path: Path, database_url: str | None,
                   ir: IR | None = None) -> Migrations:
        from fastbackend_fastapi.database.migrations import Migrations
        return Migrations(folder, ir_path, database_url, ir)


RUNTIME = Lifecycle(name="fastapi", entry_module=ENTRY_MODULE, requirements=REQUIREMENTS)

"""The import path that projects' migrations/env.py files name (written by `fastbackend
migrate`, kept in their repositories): the code is fastbackend_fastapi.database.migrations."""

from __future__ import annotations

from fastbackend_fastapi.database.migrations import run_environment

__all__ = ["run_environment"]

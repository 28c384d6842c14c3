"""Fixtures of the CLI tests that touch a database: `migrate` on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import sqlalchemy_project


@pytest.fixture
def models(tmp_path: Path) -> Path:
    """The blog's models.py in a folder of its own."""
    return sqlalchemy_project(tmp_path / "blog")

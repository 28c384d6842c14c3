"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import require_node, temporary_postgres_database

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"


@pytest.fixture
def golden_blog_ir_path() -> Path:
    return GOLDEN / "blog.ir.json"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL of a fresh, empty PostgreSQL database (postgresql+psycopg://...)."""
    with temporary_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def node() -> str:
    return require_node()


EXPRESS_TESTS = ROOT / "tests" / "adapters" / "express"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the Express tests share one worker: their session fixtures (npm ci,
    one emitted and compiled server per IR) are built once instead of once per worker."""
    for item in items:
        if EXPRESS_TESTS in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("express"))

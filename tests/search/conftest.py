"""A project with full-text search, compiled from models.py and fastbackend.yaml: `Article`
searches its title and body; `Note` declares no search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fastbackend_fastapi import create_app
from tests.adapters.fastapi.conftest import TestClient  # imported once, its warning silenced
from tests.conftest import compile_models

__all__ = ["TestClient"]

MODELS = '''
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20))
    views: Mapped[int] = mapped_column(default=0)


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
'''

CONFIG = '''
models:
  Article:
    search:
      fields: [title, body]
      language: english
'''


def compile_project(folder: Path, config: str = CONFIG) -> Path:
    return compile_models(folder, MODELS, config)


@pytest.fixture(scope="session")
def search_ir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_project(tmp_path_factory.mktemp("search") / "project")


@pytest.fixture
def search_url(sqlite_or_postgres_url: str) -> str:
    """The databases with full-text search (MariaDB refuses it: test_search.py)."""
    return sqlite_or_postgres_url


@pytest.fixture
def client(search_ir: Path, search_url: str) -> Iterator[TestClient]:
    app = create_app(search_ir, database_url=search_url, custom_path=None)
    with TestClient(app) as started:
        yield started

"""A project with soft delete, compiled from models.py and fastbackend.yaml: `Post` and
`Author` stamp `deleted_at` on DELETE; `Post` is searched by title (docs/rest-api.md, "Soft
delete")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import compile_models

MODELS = '''
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    deleted_at: Mapped[datetime | None]
    posts: Mapped[list["Post"]] = relationship(back_populates="author")


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    deleted_at: Mapped[datetime | None]
    created: Mapped[datetime] = mapped_column(default=datetime.now)
    author: Mapped[Author] = relationship(back_populates="posts")
'''

CONFIG = '''
models:
  Author: {soft_delete: deleted_at}
  Post:
    soft_delete: deleted_at
    search: [title]
'''


def compile_project(folder: Path, config: str = CONFIG, models: str = MODELS) -> Path:
    return compile_models(folder, models, config)


@pytest.fixture(scope="session")
def soft_ir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_project(tmp_path_factory.mktemp("softdelete") / "project")


@pytest.fixture
def soft_url(sqlite_or_postgres_url: str) -> str:
    return sqlite_or_postgres_url

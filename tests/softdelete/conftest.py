"""A project with soft delete, compiled from models.py and fastbackend.yaml: `Post` and
`Author` stamp `deleted_at` on DELETE; `Post` is searched by title; a `Comment` (deleted for
real) refers to both (docs/rest-api.md, "Soft delete"). tests/adapters/express/irs/
softdelete.ir.json is this project's IR (test_runtime.py checks it is)."""

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
    comments: Mapped[list["Comment"]] = relationship(back_populates="author")


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    deleted_at: Mapped[datetime | None]
    created: Mapped[datetime] = mapped_column(default=datetime.now)
    author: Mapped[Author] = relationship(back_populates="posts")
    comments: Mapped[list["Comment"]] = relationship(back_populates="post")


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(200))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"))
    post: Mapped[Post] = relationship(back_populates="comments")
    author: Mapped[Author | None] = relationship(back_populates="comments")
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

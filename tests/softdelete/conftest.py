"""A project with soft delete, compiled from models.py and fastbackend.yaml: `Post` and
`Author` stamp `deleted_at` on DELETE; `Post` is searched by title (docs/rest-api.md, "Soft
delete")."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastbackend.pipeline import compile_path

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
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "models.py").write_text(models, "utf-8")
    (folder / "fastbackend.yaml").write_text(config, "utf-8")
    _, result = compile_path(folder)
    ir_path = folder / "ir.json"
    ir_path.write_text(result.ir_text or "", "utf-8")
    return ir_path


@pytest.fixture(scope="session")
def soft_ir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_project(tmp_path_factory.mktemp("softdelete") / "project")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def soft_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+pysqlite:///{tmp_path / 'app.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url

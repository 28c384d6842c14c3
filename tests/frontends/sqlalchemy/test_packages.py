"""Models split over modules: a package compiled from inside its parent, absolute imports that
name outer packages, and single files importing a sibling module."""

from __future__ import annotations

from pathlib import Path

from fastbackend.pipeline import compile_path

BASE = '''from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
'''
USER = '''from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    posts: Mapped[list["Post"]] = relationship(back_populates="author")
'''
POST = '''from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.user import User


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey(User.id))
    author: Mapped[User] = relationship(back_populates="posts")
'''


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


def test_a_subpackage_with_absolute_imports_of_its_outer_package(tmp_path: Path) -> None:
    _write(tmp_path, {"app/__init__.py": "", "app/models/__init__.py": "",
                      "app/models/base.py": BASE, "app/models/user.py": USER,
                      "app/models/post.py": POST})
    _, result = compile_path(tmp_path / "app" / "models")
    assert sorted(result.ir.entities) == ["Post", "User"]
    author = result.ir.entities["Post"].relation("author")
    assert (author.kind, author.target, author.inverse) == ("manyToOne", "User", "posts")
    assert result.ir.entities["Post"].foreign_keys[0].references.entity == "User"
    assert result.ir.source.files == ("models/__init__.py", "models/base.py", "models/post.py",
                                      "models/user.py")
    assert result.source_map["/entities/Post"].file == "models/post.py"


def test_a_single_file_reads_the_base_from_a_sibling_module(tmp_path: Path) -> None:
    _write(tmp_path, {"app/db.py": BASE, "app/models.py": USER.replace(
        "from app.models.base import Base", "from app.db import Base").replace(
        '    posts: Mapped[list["Post"]] = relationship(back_populates="author")\n', "")})
    _, result = compile_path(tmp_path / "app" / "models.py")
    assert list(result.ir.entities) == ["User"]
    assert result.ir.source.files == ("db.py", "models.py")

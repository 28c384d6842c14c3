from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    posts: Mapped[list[Post]] = relationship(back_populates="author")


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), index=True)
    views: Mapped[int] = mapped_column()
    score: Mapped[float | None] = mapped_column()
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"), index=True)
    author: Mapped[Author | None] = relationship(back_populates="posts")

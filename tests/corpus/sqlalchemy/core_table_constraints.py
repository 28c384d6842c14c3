"""Core Table(...) association tables: keys declared at table level, and one with its own
surrogate id (#27 item 2)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


post_tags = Table(
    "post_tags",
    Base.metadata,
    Column("post_id", Integer),
    Column("tag_id", Integer),
    PrimaryKeyConstraint("post_id", "tag_id", name="pk_post_tags"),
    ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
    ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE"),
    UniqueConstraint("tag_id", "post_id"),
)

likes = Table(
    "likes",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("post_id", ForeignKey("posts.id"), nullable=False),
    Column("created_at", DateTime, server_default=func.now()),
)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    liked: Mapped[list[Post]] = relationship(secondary=likes, back_populates="liked_by")


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    tags: Mapped[list[Tag]] = relationship(secondary=post_tags, back_populates="posts")
    liked_by: Mapped[list[User]] = relationship(secondary=likes, back_populates="liked")


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    posts: Mapped[list[Post]] = relationship(secondary=post_tags, back_populates="tags")

"""Constructs that compiled but changed the database the runtime creates (#17): each must now be
read as SQLAlchemy reads it."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Numeric,
    String,
    Table,
    TypeDecorator,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Money(TypeDecorator[Decimal]):
    """A project type over a known one: stored as its impl."""

    impl = Numeric(12, 2)
    cache_ok = True


class Slug(TypeDecorator[str]):
    impl = String
    cache_ok = True


account_tags = Table(
    "account_tags",
    Base.metadata,
    Column("account_id", ForeignKey("accounts.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.code"), primary_key=True, index=True),
)


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    aliases: Mapped[list[str] | None] = mapped_column(ARRAY(String))
    settings = mapped_column(MutableDict.as_mutable(JSON))
    history = mapped_column(MutableList.as_mutable(JSON), nullable=False)
    balance: Mapped[Decimal] = mapped_column(Money)
    slug: Mapped[str] = mapped_column(Slug(40))
    touched: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now())
    tags: Mapped[list[Tag]] = relationship(secondary=account_tags)


class Tag(Base):
    __tablename__ = "tags"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)


class Session(Base):
    __tablename__ = "sessions"
    token: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # annotated str, but a foreign key's column takes the referenced column's type
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    tag_code = mapped_column(ForeignKey("tags.code"))

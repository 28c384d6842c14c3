"""advanced-alchemy's bases: UUID/BigInt/Identity primary keys, audit columns, the insert sentinel,
snake_case table names, the registry's naming convention and type map."""

from __future__ import annotations

import datetime
import uuid
from typing import Optional

from advanced_alchemy.base import (
    BigIntAuditBase,
    BigIntBase,
    IdentityBase,
    UUIDAuditBase,
    UUIDBase,
    UUIDv7AuditBase,
)
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship


class AuthorProfile(UUIDAuditBase):
    name: Mapped[str] = mapped_column(String(100))
    born: Mapped[Optional[datetime.date]]
    books: Mapped[list[Book]] = relationship(back_populates="author")


class Book(UUIDBase):
    __tablename__ = "book_catalog"
    __table_args__ = (UniqueConstraint("title", "author_id"),)
    title: Mapped[str] = mapped_column(String(200), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("author_profile.id"))
    author: Mapped[AuthorProfile] = relationship(back_populates="books")
    published: Mapped[Optional[datetime.datetime]]


class Shelf(BigIntAuditBase):
    label: Mapped[str] = mapped_column(String(20), unique=True)


class Counter(BigIntBase):
    value: Mapped[int] = mapped_column(default=0)


class Ticket(IdentityBase):
    code: Mapped[str]


class AuditEvent(UUIDv7AuditBase):
    kind: Mapped[str]

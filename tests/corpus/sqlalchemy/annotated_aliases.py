"""Annotated type aliases carrying mapped_column() arguments."""
from datetime import datetime
from typing import Annotated, Optional

from sqlalchemy import String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

intpk = Annotated[int, mapped_column(primary_key=True)]
str50 = Annotated[str, mapped_column(String(50))]
created = Annotated[datetime, mapped_column(server_default=func.now())]
required_name = Annotated[str50, mapped_column(nullable=False)]


class Base(DeclarativeBase):
    pass


class Article(Base):
    __tablename__ = "articles"
    id: Mapped[intpk]
    title: Mapped[str50]
    subtitle: Mapped[Optional[str50]]
    slug: Mapped[str50] = mapped_column(unique=True)
    created_at: Mapped[created]

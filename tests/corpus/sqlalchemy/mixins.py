"""Mixins contribute columns (plain and declared_attr) to every class that uses them."""
from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True)


class TimestampMixin:
    created_at = Column(DateTime, server_default=func.now(), nullable=False)
    updated_at = Column(DateTime, onupdate=func.now())


class OwnedMixin:
    @declared_attr
    def owner_id(cls):
        return Column(Integer, ForeignKey("owners.id"))


class Owner(IdMixin, Base):
    __tablename__ = "owners"
    name: Mapped[str] = mapped_column(String(40))


class Document(IdMixin, TimestampMixin, OwnedMixin, Base):
    __tablename__ = "documents"
    title: Mapped[str] = mapped_column(String(100))
    owner = relationship(Owner)

"""The events tests' schema: a client-chosen key (PUT upserts), a generated one, a link table."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


note_labels = Table(
    "note_labels",
    Base.metadata,
    Column("note_slug", ForeignKey("notes.slug", ondelete="CASCADE"), primary_key=True),
    Column("label_id", ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True),
)


class Note(Base):
    __tablename__ = "notes"

    slug: Mapped[str] = mapped_column(String(50), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)

    labels: Mapped[list[Label]] = relationship(secondary=note_labels, back_populates="notes")


class Label(Base):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)

    notes: Mapped[list[Note]] = relationship(secondary=note_labels, back_populates="labels")

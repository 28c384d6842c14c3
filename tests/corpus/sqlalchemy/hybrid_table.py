"""Hybrid declarative: a class mapped to a Core Table through __table__."""
from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    pass


genres = Table(
    "genres",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(30), nullable=False),
    UniqueConstraint("label", name="uq_genre_label"),
)


class Genre(Base):
    __table__ = genres
    songs = relationship("Song", back_populates="genre")


class Song(Base):
    __table__ = Table(
        "songs",
        Base.metadata,
        Column("id", Integer, primary_key=True),
        Column("genre_id", ForeignKey("genres.id")),
    )
    genre = relationship(Genre, back_populates="songs")

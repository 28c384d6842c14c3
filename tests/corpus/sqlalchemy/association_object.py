"""An association object: the link table is a class with its own columns."""
from datetime import date

from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Actor(Base):
    __tablename__ = "actors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    roles: Mapped[list["Role"]] = relationship(back_populates="actor")


class Movie(Base):
    __tablename__ = "movies"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    roles: Mapped[list["Role"]] = relationship(back_populates="movie")


class Role(Base):
    __tablename__ = "roles"
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), primary_key=True)
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id"), primary_key=True)
    character: Mapped[str]
    since: Mapped[date | None]
    actor: Mapped[Actor] = relationship(back_populates="roles")
    movie: Mapped[Movie] = relationship(back_populates="roles")

"""A primary key of a type the compiler cannot map (FB104): every compile target must still
render (it raised ValueError in the openapi target). Read as text, never imported."""

from geoalchemy2 import Geometry
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Place(Base):
    __tablename__ = "places"
    point: Mapped[object] = mapped_column(Geometry("POINT"), primary_key=True)
    name: Mapped[str]
    visits: Mapped[list["Visit"]] = relationship(back_populates="place")


class Visit(Base):
    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    place_point: Mapped[object] = mapped_column(ForeignKey("places.point"))
    place: Mapped[Place] = relationship(back_populates="visits")

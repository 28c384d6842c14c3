"""One-to-many with back_populates on both ends, targets as strings, classes and lambdas."""
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Library(Base):
    __tablename__ = "libraries"
    id: Mapped[int] = mapped_column(primary_key=True)
    rooms = relationship("Room", back_populates="library")
    visitors: Mapped[list["Visitor"]] = relationship(lambda: Visitor, back_populates="library")


class Room(Base):
    __tablename__ = "rooms"
    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    library = relationship(Library, back_populates="rooms")


class Visitor(Base):
    __tablename__ = "visitors"
    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int | None] = mapped_column(ForeignKey("libraries.id"))
    library: Mapped[Library | None] = relationship(back_populates="visitors")

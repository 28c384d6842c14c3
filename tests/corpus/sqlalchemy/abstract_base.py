"""An __abstract__ base class shares columns but is not a table itself."""
from sqlalchemy import Boolean, Column, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Record(Base):
    __abstract__ = True
    id = Column(Integer, primary_key=True)
    active = Column(Boolean, nullable=False, default=True)


class Region(Record):
    __tablename__ = "regions"
    code = Column(String(8), nullable=False, unique=True)


class Office(Record):
    __tablename__ = "offices"
    name = Column(String(50))

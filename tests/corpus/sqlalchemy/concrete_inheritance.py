"""Concrete-table inheritance: each class has a full table of its own."""
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Animal(Base):
    __tablename__ = "animals"
    id = Column(Integer, primary_key=True)
    name = Column(String(50))


class Dog(Animal):
    __tablename__ = "dogs"
    id = Column(Integer, primary_key=True)
    name = Column(String(50))
    breed = Column(String(50))
    __mapper_args__ = {"concrete": True}

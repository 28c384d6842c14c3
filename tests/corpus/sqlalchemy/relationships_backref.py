"""backref creates the other end: a string, and backref(..., uselist=False) for one-to-one."""
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, backref, relationship


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "people"
    id = Column(Integer, primary_key=True)
    name = Column(String(50))


class Address(Base):
    __tablename__ = "addresses"
    id = Column(Integer, primary_key=True)
    person_id = Column(Integer, ForeignKey("people.id"))
    person = relationship("Person", backref="addresses")


class Passport(Base):
    __tablename__ = "passports"
    id = Column(Integer, primary_key=True)
    person_id = Column(Integer, ForeignKey("people.id"), unique=True)
    holder = relationship(Person, backref=backref("passport", uselist=False))

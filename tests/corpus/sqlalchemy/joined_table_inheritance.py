"""Joined-table inheritance: each subclass has its own table keyed by the parent's id."""
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Vehicle(Base):
    __tablename__ = "vehicles"
    id = Column(Integer, primary_key=True)
    type = Column(String(20), nullable=False)
    wheels = Column(Integer)
    __mapper_args__ = {"polymorphic_on": type, "polymorphic_identity": "vehicle"}


class Car(Vehicle):
    __tablename__ = "cars"
    id = Column(Integer, ForeignKey("vehicles.id"), primary_key=True)
    seats = Column(Integer)
    __mapper_args__ = {"polymorphic_identity": "car"}


class Truck(Vehicle):
    __tablename__ = "trucks"
    id = Column(Integer, ForeignKey("vehicles.id", ondelete="CASCADE"), primary_key=True)
    payload = Column(Integer)
    __mapper_args__ = {"polymorphic_identity": "truck"}

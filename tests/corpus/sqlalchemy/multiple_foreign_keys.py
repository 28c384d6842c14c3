"""Two foreign keys to one table, told apart with foreign_keys= (list, string, bare column)."""
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    pass


class Location(Base):
    __tablename__ = "locations"
    id = Column(Integer, primary_key=True)
    street = Column(String(100))


class Shipment(Base):
    __tablename__ = "shipments"
    id = Column(Integer, primary_key=True)
    origin_id = Column(Integer, ForeignKey("locations.id"))
    destination_id = Column(Integer, ForeignKey("locations.id"))
    return_id = Column(Integer, ForeignKey("locations.id"))
    origin = relationship(Location, foreign_keys=[origin_id])
    destination = relationship("Location", foreign_keys="[Shipment.destination_id]")
    return_to = relationship("Location", foreign_keys=return_id)

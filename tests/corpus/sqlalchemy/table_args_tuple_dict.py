"""__table_args__ as a tuple ending in a dict of options."""
from sqlalchemy import Column, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (
        UniqueConstraint("serial", "maker"),
        {"schema": "inventory"},
    )
    id = Column(Integer, primary_key=True)
    serial = Column(String(40))
    maker = Column(String(40))

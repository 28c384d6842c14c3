"""Foreign keys by string, by Model.id, by table.c.column; ondelete/onupdate variants."""
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Country(Base):
    __tablename__ = "countries"
    id = Column(Integer, primary_key=True)
    code = Column(String(2), unique=True, nullable=False)


class City(Base):
    __tablename__ = "cities"
    id = Column(Integer, primary_key=True)
    country_id = Column(Integer, ForeignKey(Country.id, ondelete="CASCADE"))
    country_code = Column(String(2), ForeignKey("countries.code", onupdate="CASCADE"))


class Street(Base):
    __tablename__ = "streets"
    id = Column(Integer, primary_key=True)
    city_id = Column(ForeignKey(City.__table__.c.id, ondelete="SET NULL"))
    previous_city_id = Column(ForeignKey("cities.id", ondelete="no action", onupdate="restrict"))

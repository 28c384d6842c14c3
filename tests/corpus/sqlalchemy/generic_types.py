"""Every generic SQLAlchemy type, with lengths, precision, scale and timezone."""
from sqlalchemy import (
    JSON, BigInteger, Boolean, Column, Date, DateTime, Double, Float, Integer, Interval,
    LargeBinary, Numeric, SmallInteger, String, Text, Time, Unicode, UnicodeText, Uuid,
)
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Everything(Base):
    __tablename__ = "everything"
    id = Column(BigInteger, primary_key=True)
    small = Column(SmallInteger)
    normal = Column(Integer)
    flag = Column(Boolean)
    name = Column(String)
    code = Column(String(12))
    title = Column(Unicode(80))
    text = Column(Text)
    utext = Column(UnicodeText)
    ratio = Column(Float)
    ratio53 = Column(Float(53))
    dbl = Column(Double)
    money = Column(Numeric(12, 2))
    plain_numeric = Column(Numeric)
    day = Column(Date)
    at = Column(DateTime)
    at_tz = Column(DateTime(timezone=True))
    clock = Column(Time)
    clock_tz = Column(Time(timezone=True))
    span = Column(Interval)
    blob = Column(LargeBinary)
    doc = Column(JSON)
    key = Column(Uuid)

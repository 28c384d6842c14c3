"""The remaining SQL-standard types, PickleType, and sized binary columns."""
from sqlalchemy import (
    BINARY, BLOB, CLOB, DATETIME, DOUBLE, DOUBLE_PRECISION, INT, NCHAR, NVARCHAR, VARBINARY,
    Column, Integer, LargeBinary, PickleType,
)
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Archive(Base):
    __tablename__ = "archive"
    id = Column(INT, primary_key=True)
    digest = Column(BINARY(16))
    token = Column(VARBINARY(64))
    image = Column(BLOB)
    document = Column(CLOB)
    country = Column(NCHAR(2))
    title = Column(NVARCHAR(200))
    stamped = Column(DATETIME)
    score = Column(DOUBLE)
    precise = Column(DOUBLE_PRECISION)
    state = Column(PickleType)
    thumbnail = Column(LargeBinary(1000))
    size = Column(Integer)

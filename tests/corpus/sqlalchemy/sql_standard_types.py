"""Upper-case SQL-standard types."""
from sqlalchemy import (
    BIGINT, BOOLEAN, CHAR, DATE, DECIMAL, FLOAT, INTEGER, NUMERIC, REAL, SMALLINT, TEXT, TIME,
    TIMESTAMP, UUID, VARCHAR, Column,
)
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Standard(Base):
    __tablename__ = "standard"
    id = Column(INTEGER, primary_key=True)
    big = Column(BIGINT)
    small = Column(SMALLINT)
    yes = Column(BOOLEAN)
    initials = Column(CHAR(3))
    label = Column(VARCHAR(40))
    body = Column(TEXT)
    amount = Column(NUMERIC(8, 3))
    exact = Column(DECIMAL(6, 2))
    approx = Column(FLOAT)
    real = Column(REAL)
    born = Column(DATE)
    wakes = Column(TIME)
    seen = Column(TIMESTAMP(timezone=True))
    ident = Column(UUID)

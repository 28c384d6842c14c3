"""index=True, unique=True and both on one column (a unique index)."""
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Member(Base):
    __tablename__ = "members"
    id = Column(Integer, primary_key=True)
    email = Column(String(200), unique=True)
    city = Column(String(50), index=True)
    handle = Column(String(30), unique=True, index=True)

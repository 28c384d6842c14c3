"""Indexes declared at module level, on columns and on a SQL expression."""
from sqlalchemy import Column, Index, Integer, String, func
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Subscriber(Base):
    __tablename__ = "subscribers"
    id = Column(Integer, primary_key=True)
    email = Column(String(200), nullable=False)
    country = Column(String(2))
    list_name = Column(String(30))


Index("ix_subscribers_lower_email", func.lower(Subscriber.email), unique=True)
Index("ix_subscribers_country_list", Subscriber.country, Subscriber.list_name)

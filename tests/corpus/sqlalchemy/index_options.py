"""Index options: descending columns, PostgreSQL index methods and partial indexes."""
from sqlalchemy import Boolean, Column, Index, Integer, String, desc, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Listing(Base):
    __tablename__ = "listings"
    __table_args__ = (
        Index("ix_listings_attrs", "attrs", postgresql_using="gin"),
        Index("ix_listings_live_title", "title", postgresql_where=text("live")),
    )
    id = Column(Integer, primary_key=True)
    title = Column(String(100))
    price = Column(Integer)
    live = Column(Boolean, nullable=False, server_default=text("true"))
    attrs = Column(JSONB)


Index("ix_listings_price_desc", Listing.price.desc())
Index("ix_listings_title_price", Listing.title, desc(Listing.price))

"""__table_args__ as a tuple of UniqueConstraint, CheckConstraint and Index."""
from sqlalchemy import CheckConstraint, Column, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("vendor", "sku", name="uq_vendor_sku"),
        CheckConstraint("price >= 0", name="ck_price_positive"),
        Index("ix_products_vendor_name", "vendor", "name"),
    )
    id = Column(Integer, primary_key=True)
    vendor = Column(String(40), nullable=False)
    sku = Column(String(40), nullable=False)
    name = Column(String(100))
    price = Column(Numeric(10, 2), nullable=False)

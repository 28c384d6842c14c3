"""MappedAsDataclass: init=False, dataclass defaults and default_factory, a Computed column."""
from typing import List, Optional

from sqlalchemy import Computed, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedAsDataclass, mapped_column, relationship


class Base(MappedAsDataclass, DeclarativeBase):
    pass


class Cart(Base):
    __tablename__ = "carts"
    id: Mapped[int] = mapped_column(init=False, primary_key=True)
    owner: Mapped[str] = mapped_column(String(40))
    lines: Mapped[List["CartLine"]] = relationship(default_factory=list, back_populates="cart")


class CartLine(Base):
    __tablename__ = "cart_lines"
    id: Mapped[int] = mapped_column(init=False, primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id"), init=False)
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(Integer, Computed("quantity * unit_price"), init=False)
    note: Mapped[Optional[str]] = mapped_column(default=None)
    cart: Mapped[Optional[Cart]] = relationship(default=None, back_populates="lines")

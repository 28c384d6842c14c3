from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, IdMixin

if TYPE_CHECKING:
    from .staff import Clerk


class Shop(IdMixin, Base):
    __tablename__ = "shops"
    name: Mapped[str] = mapped_column(String(40))
    clerks: Mapped[list[Clerk]] = relationship(back_populates="shop")

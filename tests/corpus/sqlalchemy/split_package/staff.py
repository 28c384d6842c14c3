from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from split_package.base import Base, IdMixin
from split_package.shop import Shop


class Clerk(IdMixin, Base):
    __tablename__ = "clerks"
    shop_id: Mapped[int] = mapped_column(ForeignKey(Shop.id, ondelete="CASCADE"))
    shop: Mapped[Shop] = relationship(back_populates="clerks")

from typing import TYPE_CHECKING

import app.core.config as settings
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from app.db import base_class

if TYPE_CHECKING:
    from .user import User  # noqa: F401


class Item(base_class.Base):
    id = Column(Integer, primary_key=True, index=True)
    title = Column(String(settings.TITLE_LENGTH), index=True)
    currency = Column(String(3), default=settings.DEFAULT_CURRENCY)
    owner_id = Column(Integer, ForeignKey("user.id"))
    owner = relationship("User", back_populates="items")

from typing import Optional

from sqlalchemy.orm import DeclarativeBase, Mapped

from .coltypes import intpk, long_text, short_text


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[intpk]
    title: Mapped[short_text]
    body: Mapped[Optional[long_text]]

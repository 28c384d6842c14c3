"""The base's type_annotation_map decides what str and datetime become."""
import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {
        str: String(255),
        datetime.datetime: DateTime(timezone=True),
    }


class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    starts_at: Mapped[datetime.datetime]
    notes: Mapped[str | None]

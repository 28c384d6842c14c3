"""Annotation-only columns: the type and nullability come from Mapped[...] alone."""
import datetime
import decimal
import uuid
from typing import Optional, Union

from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Measurement(Base):
    __tablename__ = "measurements"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str]
    value: Mapped[float]
    exact: Mapped[decimal.Decimal]
    ok: Mapped[bool]
    raw: Mapped[Optional[bytes]]
    taken_at: Mapped[datetime.datetime]
    day: Mapped[datetime.date | None]
    at: Mapped[Union[datetime.time, None]]
    took: Mapped[Optional[datetime.timedelta]]
    token: Mapped[uuid.UUID]

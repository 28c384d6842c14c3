"""Enums: Enum(PyEnum), Enum("a", "b", name=...), inferred from Mapped[PyEnum], values_callable."""
import enum

from sqlalchemy import Enum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Size(enum.Enum):
    small = "S"
    medium = "M"
    large = "L"


class Color(str, enum.Enum):
    red = "red"
    green = "green"


class Priority(enum.IntEnum):
    low = 1
    high = 2


class Shirt(Base):
    __tablename__ = "shirts"
    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[Size] = mapped_column(Enum(Size, name="shirt_size"))
    color: Mapped[Color]
    priority: Mapped[Priority | None]
    fit: Mapped[str] = mapped_column(Enum("slim", "regular", "loose", name="shirt_fit"))
    stored_size: Mapped[Size] = mapped_column(
        Enum(Size, name="size_value", values_callable=lambda e: [m.value for m in e]))

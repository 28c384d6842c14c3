"""Enums stored as VARCHAR: native_enum=False (with and without length) and Mapped[Literal[...]]."""
import enum
from typing import Literal, Optional

from sqlalchemy import Enum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Channel(enum.Enum):
    email = "email"
    sms = "sms"
    push = "push"


class Notification(Base):
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False))
    backup: Mapped[Optional[Channel]] = mapped_column(
        Enum(Channel, native_enum=False, length=20, name="backup_channel"))
    level: Mapped[str] = mapped_column(Enum("low", "urgent", name="level", native_enum=False))
    tone: Mapped[Literal["plain", "friendly"]]

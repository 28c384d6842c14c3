# advanced_alchemy.mixins, as the compiler reads it (see ../../README.md). Never executed.
import datetime
from uuid import UUID, uuid4

from advanced_alchemy.types import BigIntIdentity, DateTimeUTC
from sqlalchemy import Identity, Sequence
from sqlalchemy.orm import Mapped, mapped_column

class SentinelMixin:
    __abstract__ = True
    # SQLAlchemy's insert sentinel: a real, nullable column the API never shows
    _sentinel: Mapped[int] = mapped_column(name="sa_orm_sentinel", nullable=True, sort_order=3001,
                                           info={"fastbackend": {"hidden": True}})


class UUIDPrimaryKey(SentinelMixin):
    id: Mapped[UUID] = mapped_column(default=uuid4, primary_key=True, sort_order=-100)


class UUIDv6PrimaryKey(SentinelMixin):
    id: Mapped[UUID] = mapped_column(default=uuid4, primary_key=True, sort_order=-100)


class UUIDv7PrimaryKey(SentinelMixin):
    id: Mapped[UUID] = mapped_column(default=uuid4, primary_key=True, sort_order=-100)


class BigIntPrimaryKey:
    id: Mapped[int] = mapped_column(BigIntIdentity, Sequence("id_seq"), primary_key=True,
                                    sort_order=-100)


class IdentityPrimaryKey:
    id: Mapped[int] = mapped_column(BigIntIdentity, Identity(start=1, increment=1),
                                    primary_key=True, sort_order=-100)


class AuditColumns:
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTimeUTC(timezone=True), default=datetime.datetime.now, sort_order=3002)
    updated_at: Mapped[datetime.datetime] = mapped_column(
        DateTimeUTC(timezone=True), default=datetime.datetime.now, onupdate=datetime.datetime.now,
        sort_order=3003)

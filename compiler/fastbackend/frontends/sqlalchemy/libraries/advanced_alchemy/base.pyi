# advanced_alchemy.base, as the compiler reads it (see ../README.md). Never executed.
# Table names: CommonTableAttributes derives them from the class name in snake_case (mapping.py
# knows it by name); its registry carries the naming convention and type map below.
import datetime
import uuid

from advanced_alchemy.mixins import (
    AuditColumns,
    BigIntPrimaryKey,
    IdentityPrimaryKey,
    UUIDPrimaryKey,
    UUIDv6PrimaryKey,
    UUIDv7PrimaryKey,
)
from advanced_alchemy.types import GUID, DateTimeUTC, JsonB
from sqlalchemy import Date, MetaData
from sqlalchemy.orm import DeclarativeBase, registry

convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
orm_registry = registry(
    metadata=MetaData(naming_convention=convention),
    type_annotation_map={uuid.UUID: GUID, datetime.datetime: DateTimeUTC(timezone=True),
                         datetime.date: Date, dict: JsonB},
)


class BasicAttributes:
    pass


class CommonTableAttributes(BasicAttributes):
    pass


class AdvancedDeclarativeBase(DeclarativeBase):
    registry = orm_registry
    __abstract__ = True


class UUIDBase(UUIDPrimaryKey, CommonTableAttributes, AdvancedDeclarativeBase):
    __abstract__ = True


class UUIDAuditBase(CommonTableAttributes, UUIDPrimaryKey, AuditColumns, AdvancedDeclarativeBase):
    __abstract__ = True


class UUIDv6Base(UUIDv6PrimaryKey, CommonTableAttributes, AdvancedDeclarativeBase):
    __abstract__ = True


class UUIDv6AuditBase(CommonTableAttributes, UUIDv6PrimaryKey, AuditColumns,
                      AdvancedDeclarativeBase):
    __abstract__ = True


class UUIDv7Base(UUIDv7PrimaryKey, CommonTableAttributes, AdvancedDeclarativeBase):
    __abstract__ = True


class UUIDv7AuditBase(CommonTableAttributes, UUIDv7PrimaryKey, AuditColumns,
                      AdvancedDeclarativeBase):
    __abstract__ = True


class BigIntBase(BigIntPrimaryKey, CommonTableAttributes, AdvancedDeclarativeBase):
    __abstract__ = True


class BigIntAuditBase(CommonTableAttributes, BigIntPrimaryKey, AuditColumns,
                      AdvancedDeclarativeBase):
    __abstract__ = True


class IdentityBase(IdentityPrimaryKey, CommonTableAttributes, AdvancedDeclarativeBase):
    __abstract__ = True


class IdentityAuditBase(CommonTableAttributes, IdentityPrimaryKey, AuditColumns,
                        AdvancedDeclarativeBase):
    __abstract__ = True


class DefaultBase(CommonTableAttributes, AdvancedDeclarativeBase):
    __abstract__ = True

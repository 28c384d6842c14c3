"""Column types that behave the same on every database.

Where a database has no timezone-aware timestamp, no exact decimal or no array (its Dialect
says so: keeps_time_zones, TYPE_VARIANTS, has_arrays), these decorators store UTC, decimal
text or JSON there, so the API returns the same values from any database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

from fastbackend_fastapi.database import dialects
from fastbackend_ir import Field


class AwareDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, always returned in UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        utc = aware.astimezone(UTC)
        # A database that stores no offset (SQLite's text) keeps it as naive UTC.
        return utc if dialects.of(dialect).keeps_time_zones else utc.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # (combine: a fifth of replace(tzinfo=...)'s cost, per value read)
            return datetime.combine(value.date(), value.time(), UTC)
        return value.astimezone(UTC)


class NaiveDateTime(TypeDecorator[datetime]):
    """A timestamp without timezone; an aware input is converted to UTC first."""

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)


class DecimalText(TypeDecorator[Decimal]):
    """Exact decimals stored as text, where the database has no exact NUMERIC (SQLite's NUMERIC
    affinity rounds to a double).

    Text is written in one canonical form (the column's scale, as PostgreSQL's NUMERIC(p, s)
    returns it), so equal values compare equal in SQL.
    """

    impl = sa.String()
    cache_ok = True

    def __init__(self, scale: int | None = None) -> None:
        super().__init__()
        self.scale = scale

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if self.scale is not None:
            return format(value.quantize(Decimal(1).scaleb(-self.scale)), "f")
        return format(value.normalize(), "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


class EnumByName(TypeDecorator[str]):
    """An enum whose stored values (dbName) differ from the API names."""

    impl = sa.String()
    cache_ok = True

    def __init__(self, enum_type: sa.Enum, stored_by_name: tuple[tuple[str, str], ...]) -> None:
        super().__init__()
        self.impl = enum_type  # the decorated type, per instance
        self.stored_by_name = stored_by_name
        self._to_stored = dict(stored_by_name)
        self._to_name = {stored: name for name, stored in stored_by_name}

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self._to_stored.get(value, value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self._to_name.get(value, value)


class EnumListByName(TypeDecorator[list[str]]):
    """A list of an enum whose stored values differ from the API names: a PostgreSQL array of
    the enum, translated element by element. The array's item is the enum itself, not an
    EnumByName: only then does SQLAlchemy read PostgreSQL's `{admin,member}` text of an enum
    array back as a list. A database without arrays keeps a list as JSON of the API's names (as
    its list defaults are written: Dialect.list_default), untranslated."""

    impl = sa.ARRAY(sa.String())
    cache_ok = True

    def __init__(self, enum_type: sa.Enum, stored_by_name: tuple[tuple[str, str], ...]) -> None:
        super().__init__()
        # No CHECK constraint: stored as JSON, it would hold the whole list to one value.
        self.enum_type = sa.Enum(*enum_type.enums, name=enum_type.name, native_enum=True,
                                 create_constraint=False, validate_strings=False)
        self.impl = list_type(self.enum_type)
        self.stored_by_name = stored_by_name
        self._to_stored = dict(stored_by_name)
        self._to_name = {stored: name for name, stored in stored_by_name}

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> list[str] | None:
        if value is None or not dialects.of(dialect).has_arrays:
            return value
        return [self._to_stored.get(v, v) for v in value]

    def process_result_value(self, value: list[str] | None,
                             dialect: Dialect) -> list[str] | None:
        if value is None or not dialects.of(dialect).has_arrays:
            return value
        return [self._to_name.get(v, v) for v in value]


def list_type(scalar: TypeEngine[Any]) -> sa.ARRAY[Any]:
    """A list of ``scalar``: an ARRAY, or each dialect's own type for lists (JSON)."""
    found: sa.ARRAY[Any] = sa.ARRAY(scalar)
    for dialect in dialects.DIALECTS:
        variant = dialect.list_variant()
        if variant is not None:
            found = found.with_variant(variant, dialect.name)
    return found


def with_variants(portable: TypeEngine[Any], field: Field) -> TypeEngine[Any]:
    """``portable`` with each dialect's own type for ``field`` where it has one. One type
    for every database: the tables are built once, and a revision computed on one database
    applies to the others."""
    found = portable
    for dialect in dialects.DIALECTS:
        variant = dialect.column_variant(field)
        if variant is not None:
            found = found.with_variant(variant, dialect.name)
    return found


class RawType(UserDefinedType[Any]):
    """A type the IR marks unsupported: created as spelled in the source, never exposed."""

    cache_ok = True

    def __init__(self, spelling: str) -> None:
        self.spelling = spelling

    def get_col_spec(self, **kw: Any) -> str:
        return self.spelling

"""The databases the runtime serves, one Dialect each; picked once from the URL or the engine.

To add a database: a module here with its Dialect subclass, and one line in DIALECTS
(docs/dialects.md has the checklist).
"""

from __future__ import annotations

import sqlalchemy as sa

from fastbackend_fastapi.database.dialects.base import Dialect
from fastbackend_fastapi.database.dialects.mysql import MariaDB, MySQL
from fastbackend_fastapi.database.dialects.postgresql import PostgreSQL
from fastbackend_fastapi.database.dialects.sqlite import SQLite

__all__ = ["DEFAULT", "DIALECTS", "Dialect", "for_url", "named", "normalise_url", "of", "raised"]

# The embedded database a project gets without DATABASE_URL.
DEFAULT = SQLite()
DIALECTS: tuple[Dialect, ...] = (DEFAULT, PostgreSQL(), MySQL(), MariaDB())
BY_NAME: dict[str, Dialect] = {dialect.name: dialect for dialect in DIALECTS}
BY_DRIVER: dict[str, Dialect] = {module: d for d in DIALECTS for module in d.driver_modules}
# A database without a module here runs on the base's standard SQL.
GENERIC = Dialect()


def named(name: str) -> Dialect:
    """The dialect of SQLAlchemy's backend ``name`` (the base's for a database we lack)."""
    return BY_NAME.get(name, GENERIC)


def of(sa_dialect: sa.Dialect) -> Dialect:
    """The dialect of an engine's or a connection's SQLAlchemy dialect."""
    return BY_NAME.get(sa_dialect.name, GENERIC)


def raised(error: object) -> Dialect:
    """The dialect whose driver raised ``error`` (a DBAPI error: SQLAlchemy's ``.orig``). The
    error, not the engine, says it: a runtime may hold engines of several databases."""
    return BY_DRIVER.get(type(error).__module__.partition(".")[0], GENERIC)


def for_url(url: str) -> Dialect:
    return named(sa.make_url(normalise_url(url)).get_backend_name())


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and pick our driver for them."""
    for dialect in DIALECTS:
        normalised = dialect.normalise_url(url)
        if normalised != url:
            return normalised
    return url

"""Access to the machine's services for tests: skip with a reason locally, fail in CI.

CI sets FASTBACKEND_REQUIRE_SERVICES=1, so a test that needs PostgreSQL, MariaDB or node cannot
silently skip there.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

POSTGRES_ADMIN_URL = os.environ.get(
    "FASTBACKEND_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def services_required() -> bool:
    return os.environ.get("FASTBACKEND_REQUIRE_SERVICES") == "1"


def unavailable(reason: str) -> None:
    """Skip, or fail when CI requires every service."""
    if services_required():
        pytest.fail(f"{reason} (FASTBACKEND_REQUIRE_SERVICES=1, so this cannot be skipped)")
    pytest.skip(reason)


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}".strip())
        raise


@contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """A fresh database with a random name; yields its SQLAlchemy URL; dropped afterwards."""
    name = f"fbtest_{uuid.uuid4().hex[:12]}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


MARIADB_ADMIN_URL = os.environ.get("FASTBACKEND_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test")


def _mariadb_admin() -> Any:
    import pymysql

    url = sa.make_url(MARIADB_ADMIN_URL)
    try:
        return pymysql.connect(host=url.host or "127.0.0.1", port=url.port or 3306,
                               user=url.username or "root", password=url.password or "",
                               connect_timeout=3, autocommit=True)
    except pymysql.err.OperationalError as error:
        unavailable(f"MariaDB is not reachable at {MARIADB_ADMIN_URL}: {error}")
        raise


@contextmanager
def temporary_mariadb_database() -> Iterator[str]:
    """A fresh MariaDB (or MySQL) database with a random name; yields its SQLAlchemy URL
    (mysql+pymysql://...); dropped afterwards."""
    name = f"fbtest_{uuid.uuid4().hex[:12]}"
    admin = _mariadb_admin()
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    admin.close()
    try:
        yield sa.make_url(MARIADB_ADMIN_URL).set(database=name).render_as_string(
            hide_password=False)
    finally:
        admin = _mariadb_admin()
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


def require_node() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable("node and npm are not installed")
    assert node is not None
    return node


REDIS_URL = os.environ.get("FASTBACKEND_TEST_REDIS", "redis://127.0.0.1:6379/0")


def require_redis() -> str:
    """The URL of a Redis that answers PING (the rate limits' shared buckets)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except (redis.RedisError, OSError) as error:
        unavailable(f"Redis is not reachable at {REDIS_URL}: {error}")
    return REDIS_URL

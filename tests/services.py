"""Access to the machine's services for tests: skip with a reason locally, fail in CI.

CI sets FASTBACKEND_REQUIRE_SERVICES=1, so a test that needs PostgreSQL, MariaDB or node cannot
silently skip there.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
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


# A hang bound, not a reachability probe: a server that is down refuses at once, while a
# loaded machine (load 12 on 2 cores) once took over 3 s to accept a connection.
CONNECT_HANG = 30


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=CONNECT_HANG)
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}".strip())
        raise


def _create_postgres(name: str) -> None:
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')


def _drop_postgres(name: str) -> None:
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _Databases:
    """Fresh databases made one ahead and dropped behind, on one thread of this process.

    Creating a PostgreSQL database and dropping it (WITH FORCE) takes 0.5-1.5 s, mostly waiting
    on the disk; hundreds of tests each take one, so on the test's own path that wait was minutes
    of the suite. Every test still gets a database nobody used: the next one is created while the
    test runs, and the last one dropped after it. A failure to create is raised to the test that
    takes the database (the admin connection's skip, or failure in CI, included)."""

    def __init__(self, create: Callable[[str], None], drop: Callable[[str], None]) -> None:
        self._create, self._drop = create, drop
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-databases")
        self._next: Future[str] | None = None

    def _made(self) -> Future[str]:
        return self._thread.submit(self._created, f"fbtest_{uuid.uuid4().hex[:12]}")

    def _created(self, name: str) -> str:
        self._create(name)
        return name

    def take(self) -> str:
        ready, self._next = (self._next or self._made()), None
        name = ready.result()  # raises the creation's error to this test
        self._next = self._made()
        return name

    def give_back(self, name: str) -> None:
        self._thread.submit(self._drop, name)

    def close(self) -> None:
        """Drops the one made ahead, and waits for every drop (the end of the session)."""
        ahead, self._next = self._next, None
        if ahead is not None:
            with suppress(Exception):
                self._drop(ahead.result())
        self._thread.shutdown(wait=True)


_POOLS: dict[str, _Databases] = {}


def _pool(service: str, create: Callable[[str], None], drop: Callable[[str], None]) -> _Databases:
    if service not in _POOLS:
        _POOLS[service] = _Databases(create, drop)
    return _POOLS[service]


def close_database_pools() -> None:
    """Called when the session ends (tests/conftest.py): no database is left behind."""
    while _POOLS:
        _POOLS.popitem()[1].close()


@contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """A fresh database with a random name; yields its SQLAlchemy URL; dropped afterwards."""
    pool = _pool("postgres", _create_postgres, _drop_postgres)
    name = pool.take()
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        pool.give_back(name)


MARIADB_ADMIN_URL = os.environ.get("FASTBACKEND_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test")


def _mariadb_admin() -> Any:
    import pymysql

    url = sa.make_url(MARIADB_ADMIN_URL)
    try:
        return pymysql.connect(host=url.host or "127.0.0.1", port=url.port or 3306,
                               user=url.username or "root", password=url.password or "",
                               connect_timeout=CONNECT_HANG, autocommit=True)
    except pymysql.err.OperationalError as error:
        unavailable(f"MariaDB is not reachable at {MARIADB_ADMIN_URL}: {error}")
        raise


def _create_mariadb(name: str) -> None:
    admin = _mariadb_admin()
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    admin.close()


def _drop_mariadb(name: str) -> None:
    admin = _mariadb_admin()
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    admin.close()


@contextmanager
def temporary_mariadb_database() -> Iterator[str]:
    """A fresh MariaDB (or MySQL) database with a random name; yields its SQLAlchemy URL
    (mysql+pymysql://...); dropped afterwards (made ahead and dropped behind, as PostgreSQL's)."""
    pool = _pool("mariadb", _create_mariadb, _drop_mariadb)
    name = pool.take()
    try:
        yield sa.make_url(MARIADB_ADMIN_URL).set(database=name).render_as_string(
            hide_password=False)
    finally:
        pool.give_back(name)


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

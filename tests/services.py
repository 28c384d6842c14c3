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


def _postgres_url(name: str, driver: str = "postgresql") -> str:
    """The URL of database ``name`` on the admin URL's server (``driver``: the scheme to use)."""
    server = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].split("://", 1)[1]
    return f"{driver}://{server}/{name}"


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


# Everything a test may leave in its database, dropped: its connections, every schema but the
# system ones (tables, types, functions, triggers and extensions go with them), large objects and
# the database's settings; then the public schema as CREATE DATABASE makes it.
_EMPTY_POSTGRES = """
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
 WHERE datname = current_database() AND pid <> pg_backend_pid();
DO $$
DECLARE s name;
BEGIN
  FOR s IN SELECT nspname FROM pg_namespace
            WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
  EXECUTE format('ALTER DATABASE %I RESET ALL', current_database());
END $$;
SELECT lo_unlink(oid) FROM pg_largeobject_metadata;
CREATE SCHEMA public AUTHORIZATION pg_database_owner;
GRANT USAGE ON SCHEMA public TO PUBLIC;
COMMENT ON SCHEMA public IS 'standard public schema';
"""
# What is left after it, which must be nothing for the database to be handed out again.
_LEFT_IN_POSTGRES = """
SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname !~ '^pg_(catalog|toast|temp_|toast_temp_)' AND n.nspname <> 'information_schema')
     + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema')
     + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql')
     + (SELECT count(*) FROM pg_event_trigger) + (SELECT count(*) FROM pg_publication)
     + (SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database())
     + (SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
         WHERE d.datname = current_database())
"""


def _empty_postgres(name: str) -> bool:
    """Database ``name`` as CREATE DATABASE made it (True), or False when it cannot be."""
    try:
        with psycopg.connect(_postgres_url(name), autocommit=True, connect_timeout=CONNECT_HANG) as database:
            database.execute(_EMPTY_POSTGRES)
            left = database.execute(_LEFT_IN_POSTGRES).fetchone()
    except psycopg.Error:
        return False
    return left == (0,)


class _Databases:
    """Empty databases, made one ahead and emptied behind, on one thread of this process.

    Creating a PostgreSQL database takes 0.1 s, and dropping one forces a checkpoint (every dirty
    buffer of the server written to disk, 0.2-1.5 s); hundreds of tests each take a database, so
    on the test's own path that was minutes of the suite, and behind it the checkpoints' writes
    slowed every other test's commits. So a database given back is emptied (``empty``: True when
    it is as CREATE DATABASE made it) and handed out again, or dropped when it cannot be; every
    test still gets an empty database that nothing else uses. The next one is made ready while a
    test runs. A failure to create is raised to the test that takes the database (the admin
    connection's skip, or failure in CI, included)."""

    def __init__(self, create: Callable[[str], None], drop: Callable[[str], None],
                 empty: Callable[[str], bool] | None = None) -> None:
        self._create, self._drop, self._empty = create, drop, empty
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-databases")
        self._next: Future[str] | None = None
        self._emptied: list[str] = []  # only the thread touches it

    def _made(self) -> Future[str]:
        return self._thread.submit(self._ready)

    def _ready(self) -> str:
        if self._emptied:
            return self._emptied.pop()
        name = f"fbtest_{uuid.uuid4().hex[:12]}"
        self._create(name)
        return name

    def take(self) -> str:
        ready, self._next = (self._next or self._made()), None
        name = ready.result()  # raises the creation's error to this test
        self._next = self._made()
        return name

    def give_back(self, name: str) -> None:
        self._thread.submit(self._given_back, name)

    def _given_back(self, name: str) -> None:
        if self._empty is not None and self._empty(name):
            self._emptied.append(name)
        else:
            self._drop(name)

    def _drop_emptied(self) -> None:
        while self._emptied:
            self._drop(self._emptied.pop())

    def close(self) -> None:
        """Drops every database it holds, and waits (the end of the session)."""
        ahead, self._next = self._next, None
        if ahead is not None:
            with suppress(Exception):
                self._drop(ahead.result())
        with suppress(Exception):
            self._thread.submit(self._drop_emptied).result()
        self._thread.shutdown(wait=True)


_POOLS: dict[str, _Databases] = {}


def _pool(service: str, create: Callable[[str], None], drop: Callable[[str], None],
          empty: Callable[[str], bool] | None = None) -> _Databases:
    if service not in _POOLS:
        _POOLS[service] = _Databases(create, drop, empty)
    return _POOLS[service]


def close_database_pools() -> None:
    """Called when the session ends (tests/conftest.py): no database is left behind."""
    while _POOLS:
        _POOLS.popitem()[1].close()


@contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """An empty database of its own (_Databases); yields its SQLAlchemy URL."""
    pool = _pool("postgres", _create_postgres, _drop_postgres, _empty_postgres)
    name = pool.take()
    try:
        yield _postgres_url(name, "postgresql+psycopg")
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

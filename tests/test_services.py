"""The test services themselves: a PostgreSQL database given back is emptied, not dropped."""

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests import services


@pytest.fixture
def database_name() -> Iterator[str]:
    """A database of this test's own, outside the pool (whose thread empties what it is given)."""
    name = f"fbtest_{uuid.uuid4().hex[:12]}"
    services._create_postgres(name)
    yield name
    services._drop_postgres(name)


def test_a_database_given_back_is_emptied_of_what_a_test_left(database_name: str) -> None:
    name, plain = database_name, services._postgres_url(database_name)
    with psycopg.connect(plain, autocommit=True) as database:
        database.execute("CREATE SCHEMA app; CREATE TABLE app.t (id int); CREATE TABLE public.u (id int)")
        database.execute("CREATE TYPE public.mood AS ENUM ('ok'); CREATE EXTENSION IF NOT EXISTS pg_trgm")
        database.execute(f'ALTER DATABASE "{name}" SET statement_timeout = 1234')
        kept_open = psycopg.connect(plain, autocommit=True)
    try:
        assert services._empty_postgres(name) is True
    finally:
        kept_open.close()
    with psycopg.connect(plain, autocommit=True) as database:
        tables = database.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
        schemas = database.execute("SELECT array_agg(nspname::text ORDER BY nspname) FROM pg_namespace "
                                   "WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'").fetchone()
        timeout = database.execute("SHOW statement_timeout").fetchone()
    assert tables == (0,) and schemas == (["public"],) and timeout == ("0",)

"""MariaDB's own failures, raised by a real server, become the problems the other databases'
do (docs/dialects.md "MySQL and MariaDB"): lock wait timeout and deadlock a 503
database-busy, a killed connection a 503 database-unavailable."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from fastbackend_fastapi.database import create_engine, errors
from fastbackend_fastapi.settings import Settings

pytestmark = pytest.mark.mariadb
WAIT = 30.0  # seconds: far beyond the 1 s lock wait; only a hang reaches it


@pytest.fixture
def engine(mariadb_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(mariadb_url, Settings(pool_size=4))
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE rows_ (id INT PRIMARY KEY, n INT)"))
        connection.execute(sa.text("INSERT INTO rows_ VALUES (1, 0), (2, 0)"))
    yield engine
    engine.dispose()


def test_a_lock_wait_timeout_is_database_busy(engine: sa.Engine) -> None:
    with engine.connect() as holder, engine.connect() as waiter:
        holder.execute(sa.text("UPDATE rows_ SET n = 1 WHERE id = 1"))  # held until closed
        waiter.execute(sa.text("SET SESSION innodb_lock_wait_timeout = 1"))
        with pytest.raises(sa.exc.OperationalError) as raised:
            waiter.execute(sa.text("UPDATE rows_ SET n = 2 WHERE id = 1"))
    assert raised.value.orig.args[0] == 1205
    problem = errors.failure_problem(raised.value)
    assert problem is not None and (problem.status, problem.type) == (503, "database-busy")
    assert problem.headers == {"Retry-After": "1"}


def test_a_deadlock_is_database_busy(engine: sa.Engine) -> None:
    """Two transactions lock rows 1 and 2, then each wants the other's: InnoDB rolls one back."""
    first_locked, outcomes = threading.Event(), []

    def first() -> None:
        with engine.connect() as connection, connection.begin():
            connection.execute(sa.text("UPDATE rows_ SET n = 1 WHERE id = 1"))
            first_locked.set()
            try:
                connection.execute(sa.text("UPDATE rows_ SET n = 1 WHERE id = 2"))
                outcomes.append(None)
            except sa.exc.OperationalError as error:
                outcomes.append(error)

    thread = threading.Thread(target=first)
    with engine.connect() as connection:
        connection.begin()
        connection.execute(sa.text("UPDATE rows_ SET n = 2 WHERE id = 2"))
        thread.start()
        assert first_locked.wait(WAIT)
        # each holds one row and wants the other's, whichever asks first: a cycle either way
        try:
            connection.execute(sa.text("UPDATE rows_ SET n = 2 WHERE id = 1"))
            connection.commit()
            outcomes.append(None)
        except sa.exc.OperationalError as error:
            outcomes.append(error)
            connection.rollback()
    thread.join(WAIT)
    failed = [outcome for outcome in outcomes if outcome is not None]
    assert len(outcomes) == 2 and len(failed) == 1, outcomes
    assert failed[0].orig.args[0] == 1213
    problem = errors.failure_problem(failed[0])
    assert problem is not None and (problem.status, problem.type) == (503, "database-busy")


def test_a_killed_connection_is_unreachable_and_the_pool_serves_again(engine: sa.Engine) -> None:
    with engine.connect() as victim:
        victim_id = victim.execute(sa.text("SELECT CONNECTION_ID()")).scalar_one()
        with engine.connect() as killer:
            killer.execute(sa.text(f"KILL {int(victim_id)}"))
        with pytest.raises(sa.exc.DBAPIError) as raised:
            victim.execute(sa.text("SELECT 1"))
    assert raised.value.connection_invalidated
    problem = errors.failure_problem(raised.value)
    assert problem is not None and (problem.status, problem.type) == (503, "database-unavailable")
    with engine.connect() as fresh:
        assert fresh.execute(sa.text("SELECT 1")).scalar_one() == 1


def test_without_insert_returning_a_create_reads_its_row_back(mariadb_url: str) -> None:
    """MySQL 8 has no RETURNING (MariaDB >= 10.5 has it for INSERT): with SQLAlchemy told so,
    as it is by a MySQL server's version, a create writes, then reads the row back by its
    key, database defaults (created_at) included; an update always does on both servers."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from fastbackend_fastapi import create_app
    from tests.adapters.fastapi.conftest import BLOG

    app = create_app(BLOG, database_url=mariadb_url, custom_path=None)
    with TestClient(app) as client:
        dialect = app.state.runtime.database.engine.dialect
        assert dialect.insert_returning and not dialect.update_returning  # MariaDB 10.11
        dialect.insert_returning = False
        first = client.post("/users", json={"email": "a@b.io", "name": "A"})
        second = client.post("/users", json={"email": "b@b.io", "name": "B"})
        assert (first.status_code, second.status_code) == (201, 201), first.text
        assert second.json()["id"] == first.json()["id"] + 1  # the generated key, read back
        assert second.json()["created_at"].endswith("Z") and second.json()["name"] == "B"
        assert client.get(f"/users/{second.json()['id']}").json() == second.json()

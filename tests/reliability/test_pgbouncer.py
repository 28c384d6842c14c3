"""The runtime behind a real PgBouncer in transaction mode (FASTBACKEND_POOLER=transaction).

PgBouncer (pgbouncer.py) hands each transaction to any of its 3 server sessions while the
runtime keeps 10 connections to it, so whatever the runtime left in a session (a prepared
statement, a startup option) would be missing, or in the way, on the next one. Every
statement runs more than psycopg's prepare threshold (5 runs), from several threads at once.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import replace

import psycopg
import pytest
import sqlalchemy as sa

from fastbackend_fastapi import create_app
from fastbackend_fastapi.settings import Settings, from_environment
from tests.adapters.fastapi.conftest import BLOG
from tests.reliability.pgbouncer import SERVER_CONNECTIONS, Bouncer, pgbouncer
from tests.services import temporary_postgres_database

with warnings.catch_warnings():
    # starlette asks for httpx2, which is not released for this stack yet; httpx works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # starts PgBouncer

ROUNDS = 12  # per thread: each statement runs well past psycopg's prepare threshold
THREADS = 8


@pytest.fixture(scope="module")
def bouncer() -> Iterator[Bouncer]:
    with temporary_postgres_database() as url, pgbouncer(url) as started:
        yield started


def settings(**changes: object) -> Settings:
    return replace(from_environment(), **changes)  # type: ignore[arg-type]


def test_the_pooler_runs_in_transaction_mode(bouncer: Bouncer) -> None:
    config = {row["key"]: row["value"] for row in bouncer.admin("SHOW CONFIG")}
    assert config["pool_mode"] == "transaction"
    assert config["default_pool_size"] == str(SERVER_CONNECTIONS)


def _exercise(client: TestClient, worker: int) -> list[str]:
    """Create, read, list, update and delete tags; the failures, described."""
    failures = []
    for round_ in range(ROUNDS):
        created = client.post("/tags", json={"name": f"w{worker}-{round_}"})
        if created.status_code != 201:
            failures.append(f"create {created.status_code} {created.text[:200]}")
            continue
        key = created.json()["id"]
        steps = [
            client.get(f"/tags/{key}"),
            client.get("/tags", params={"name__startswith": f"w{worker}-", "sort": "-id",
                                        "limit": 5}),
            client.patch(f"/tags/{key}", json={"name": f"w{worker}-{round_}-renamed"}),
            client.get("/users", params={"email__endswith": "@x.io"}),
        ]
        if round_ % 2:
            steps.append(client.delete(f"/tags/{key}"))
        failures += [f"{r.request.method} {r.request.url.path} {r.status_code} {r.text[:200]}"
                     for r in steps if r.status_code >= 400]
    return failures


def test_crud_lists_and_concurrent_requests_through_pgbouncer(bouncer: Bouncer) -> None:
    app = create_app(BLOG, database_url=bouncer.url, custom_path=None,
                     settings=settings(pooler="transaction"))
    with TestClient(app) as client, ThreadPoolExecutor(THREADS) as pool:
        failures = [f for found in pool.map(lambda w: _exercise(client, w), range(THREADS))
                    for f in found]
        assert failures == []
        # every worker's rows are there, the deleted ones gone, renamed by their updates
        listed = client.get("/tags", params={"name__endswith": "-renamed", "limit": 200})
        assert listed.json()["meta"]["total"] == THREADS * (ROUNDS - ROUNDS // 2)
    # it went through PgBouncer, multiplexed on its few server sessions
    pools = [row for row in bouncer.admin("SHOW POOLS") if row["database"] != "pgbouncer"]
    assert sum(int(str(row["sv_active"])) + int(str(row["sv_idle"])) + int(str(row["sv_used"]))
               for row in pools) <= SERVER_CONNECTIONS
    stats = {row["database"]: row for row in bouncer.admin("SHOW STATS")}
    database = sa.make_url(bouncer.url).database
    assert int(str(stats[database]["total_xact_count"])) > THREADS * ROUNDS * 5


def _open_every_server_session(bouncer: Bouncer) -> None:
    """PgBouncer opens server sessions on demand: hold SERVER_CONNECTIONS transactions at once
    so that all of them exist, and round robin has more than one to hand out."""
    target = sa.make_url(bouncer.url)
    with ExitStack() as stack:
        for _ in range(SERVER_CONNECTIONS):
            connection = stack.enter_context(psycopg.connect(
                host="127.0.0.1", port=bouncer.port, dbname=target.database, user=bouncer.user,
                prepare_threshold=None))
            connection.execute("SELECT 1")  # in a transaction: the session stays this client's
    pools = [row for row in bouncer.admin("SHOW POOLS") if row["database"] == target.database]
    assert sum(int(str(row["sv_idle"])) + int(str(row["sv_used"]))
               for row in pools) == SERVER_CONNECTIONS, pools


def test_without_the_setting_the_driver_prepares_statements_that_break(bouncer: Bouncer) -> None:
    """Why FASTBACKEND_POOLER=transaction exists: with the startup options left out (so
    PgBouncer accepts the connection) but psycopg's prepared statements on, requests fail.
    Deterministically, one client at a time: a statement psycopg prepared in one server session
    (after its 5th run) is executed by name on the next transaction, which round robin gives to
    another session. (Under concurrency a session can also hold another client's statement of
    the same name, which runs the wrong query: a load-dependent run once saw only 409s.)"""
    _open_every_server_session(bouncer)
    app = create_app(BLOG, database_url=bouncer.url, custom_path=None,
                     settings=settings(statement_timeout_ms=0, postgres_jit=True))
    with TestClient(app, raise_server_exceptions=False) as client:
        failures = _exercise(client, THREADS)
    assert any("prepared statement" in failure or " 500 " in failure for failure in failures), \
        failures[:3]

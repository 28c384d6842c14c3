"""MariaDB: a stream's settled-id read that InnoDB picks as a deadlock's victim reads again
(MySQL.settled_feed_id; docs/events.md "Ids follow commits").

The deadlock the retry is for, made on purpose with no sleeps: write A holds the gate shared;
the settled read asks for it exclusively and waits behind A; write B asks for it shared and,
InnoDB queueing it behind the waiting exclusive request, waits too; A then waits for a row B
holds. A waits for B, B for the read, the read for A: InnoDB rolls back the cheapest, the read
(it changed nothing). Each wait is observed in the server's process list before the next step."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import ExitStack

import pymysql
import pytest
import sqlalchemy as sa

from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.database.dialects import mysql
from fastbackend_fastapi.events.outbox import feed_gate_table
from tests.events.test_realtime import DEADLINE, _until
from tests.services import temporary_mariadb_database

pytestmark = pytest.mark.mariadb

WAITING = """
SELECT count(*) FROM information_schema.PROCESSLIST
WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND COMMAND <> 'Sleep' AND INFO LIKE %s
"""


@pytest.fixture
def url() -> Iterator[str]:
    with temporary_mariadb_database() as found:
        engine = sa.create_engine(found)
        try:
            metadata = sa.MetaData()
            feed_gate_table(metadata)
            sa.Table("written", metadata, sa.Column("id", sa.Integer(), primary_key=True))
            metadata.create_all(engine)
            with engine.begin() as connection:
                connection.execute(mysql.GATE_ROW)
                connection.execute(sa.text("INSERT INTO written (id) VALUES (1), (7)"))
        finally:
            engine.dispose()
        yield found


def _connect(url: str) -> pymysql.Connection:
    parts = sa.make_url(url)
    return pymysql.connect(host=parts.host or "127.0.0.1", port=parts.port or 3306,
                           user=parts.username or "root", password=parts.password or "",
                           database=parts.database, autocommit=False)


def _in_thread(work: Callable[[], int]) -> Future[int]:
    done: Future[int] = Future()

    def run() -> None:
        try:
            done.set_result(work())
        except BaseException as error:  # handed to the test, which raises it
            done.set_exception(error)

    threading.Thread(target=run, daemon=True).start()
    return done


def _settle(url: str, attempts: int) -> Callable[[], int]:
    def read() -> int:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        latest = sa.select(sa.func.max(sa.column("id"))).select_from(sa.table("written"))
        try:
            with engine.connect() as connection:
                saved, mysql.SETTLE_ATTEMPTS = mysql.SETTLE_ATTEMPTS, attempts
                try:
                    return dialects.for_url(url).settled_feed_id(connection, latest)
                finally:
                    mysql.SETTLE_ATTEMPTS = saved
        finally:
            engine.dispose()
    return read


def _deadlock(url: str, attempts: int) -> tuple[Future[int], int]:
    """Runs the three transactions into the deadlock; the settled read's answer, and the id B
    wrote (which the read must see once it is allowed through)."""
    with ExitStack() as stack:
        a, b, watcher = (stack.enter_context(_connect(url)) for _ in range(3))
        watcher.autocommit(True)

        def waiting(pattern: str) -> bool:
            with watcher.cursor() as cursor:
                cursor.execute(WAITING, (pattern,))
                return bool(cursor.fetchone()[0])

        with b.cursor() as cursor:  # B holds a row A will want
            cursor.execute("INSERT INTO written (id) VALUES (9)")
        with a.cursor() as cursor:  # A holds the gate shared (a writer past it)
            cursor.execute(str(mysql.GATE_SHARED))
        settled = _in_thread(_settle(url, attempts))
        _until(lambda: waiting("%feed_gate%FOR UPDATE%"), what="the read to wait for A")
        b_gate = _in_thread(lambda: b.cursor().execute(str(mysql.GATE_SHARED)))
        _until(lambda: waiting("%feed_gate%SHARE MODE%"), what="B to queue behind it")
        a_row = _in_thread(lambda: a.cursor().execute("SELECT id FROM written WHERE id = 9 FOR UPDATE"))
        b_gate.result(DEADLINE)  # the read, rolled back as the victim, let B through
        b.commit()
        a_row.result(DEADLINE)
        a.commit()
        settled.exception(DEADLINE)
        return settled, 9


def test_the_settled_read_chosen_as_a_deadlock_victim_reads_again(url: str) -> None:
    settled, written = _deadlock(url, mysql.SETTLE_ATTEMPTS)
    assert settled.result() == written


def test_without_a_second_attempt_the_deadlock_is_the_readers_error(url: str) -> None:
    """The control: the scenario above is a deadlock, and the read is its victim."""
    settled, _ = _deadlock(url, 1)
    error = settled.exception()
    assert isinstance(error, sa.exc.OperationalError) and mysql._code(error.orig) == mysql.DEADLOCK

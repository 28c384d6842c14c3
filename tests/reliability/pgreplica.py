"""A throwaway primary with a real streaming standby (pg_basebackup -R), for the read-replica
tests: never the shared service.

The primary is pgcluster's throwaway cluster (initdb's pg_hba trusts replication from the
loopback, and wal_level is `replica` by default); the standby is a base backup of it started on
its own port, and the pair is handed over once the primary's pg_stat_replication shows the
standby streaming (polled with a deadline, no fixed sleep).

    with streaming_pair() as pair:
        pair.primary.url, pair.standby.url
        pair.pause_replay() / pair.resume_replay()   # make the standby fall behind, on purpose
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.reliability.pgcluster import (
    OS_USER,
    PG_BIN,
    Cluster,
    _free_port,
    _run_as_postgres,
    _stop_quietly,
    throwaway_cluster,
)
from tests.services import unavailable

WAIT_SECONDS = 30.0


def connect(cluster: Cluster) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(cluster.url.replace("+psycopg", ""), autocommit=True,
                           connect_timeout=3)


def one(cluster: Cluster, sql: str, *params: object) -> object:
    with connect(cluster) as connection:
        row = connection.execute(sql, params).fetchone()
        return None if row is None else row[0]


def execute(cluster: Cluster, sql: str, *params: object) -> None:
    with connect(cluster) as connection:
        connection.execute(sql, params)


def wait_for(condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:g} s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Pair:
    primary: Cluster
    standby: Cluster

    def streaming(self) -> bool:
        try:
            return one(self.primary, "SELECT count(*) FROM pg_stat_replication "
                                     "WHERE state = 'streaming'") == 1
        except psycopg.OperationalError:
            return False

    def wait_streaming(self) -> None:
        wait_for(self.streaming, "the standby to stream from the primary "
                                 f"(standby log: {self.standby.log_tail(5)})")

    def pause_replay(self) -> None:
        one(self.standby, "SELECT pg_wal_replay_pause()")
        wait_for(lambda: one(self.standby, "SELECT pg_get_wal_replay_pause_state()") == "paused",
                 "the standby's replay to pause")

    def resume_replay(self) -> None:
        one(self.standby, "SELECT pg_wal_replay_resume()")

    def caught_up(self) -> bool:
        """The standby has replayed everything the primary has flushed now."""
        flushed = one(self.primary, "SELECT pg_current_wal_flush_lsn()::text")
        return bool(one(self.standby, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", flushed))


@contextmanager
def streaming_pair() -> Iterator[Pair]:
    if not (PG_BIN / "pg_basebackup").exists():
        unavailable(f"{PG_BIN / 'pg_basebackup'} is missing (PostgreSQL 15 server binaries)")
    with throwaway_cluster() as primary:
        folder = Path(tempfile.mkdtemp(prefix="fbrs-"))  # short: a socket path has 107 bytes
        try:
            shutil.chown(folder, OS_USER, OS_USER)
            standby = Cluster(folder, _free_port())
            # -R writes standby.signal and primary_conninfo; -c fast: no wait for a checkpoint
            _run_as_postgres([str(PG_BIN / "pg_basebackup"), "-D", str(standby.data), "-R",
                              "-X", "stream", "-c", "fast", "--no-sync", "-h", "127.0.0.1",
                              "-p", str(primary.port), "-U", "postgres"])
            standby.start()
            pair = Pair(primary, standby)
            pair.wait_streaming()
            yield pair
        finally:
            _stop_quietly(folder)
            shutil.rmtree(folder, ignore_errors=True)

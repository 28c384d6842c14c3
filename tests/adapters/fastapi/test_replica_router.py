"""database/replicas.Router's decisions on a fake clock: how stale a replica may be from the
positions it reports, read-your-writes per client, failures. The same on a real streaming
standby: tests/reliability/test_replicas.py (slow)."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from fastbackend_fastapi.database import replicas
from fastbackend_fastapi.database.replicas import Policy, Replica, Router

POLICY = Policy(max_lag_seconds=1.0, read_your_writes_seconds=1.0, check_interval_seconds=0.5)
POSTGRESQL = sa.make_url("postgresql+psycopg://").get_dialect()()


@dataclass
class Server:
    """Answers the positions queries as a primary (its flushed position) or a replica."""

    position: int | None = 0
    down: bool = False
    dialect: Any = POSTGRESQL

    @contextmanager
    def connect(self) -> Iterator[Server]:
        if self.down:
            raise sa_exc.OperationalError("connect", {}, Exception("connection refused"))
        yield self

    def execute(self, statement: object) -> Server:
        return self

    def scalar_one(self) -> int | None:
        return self.position

    def dispose(self) -> None:
        pass


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


def make() -> tuple[Router, Server, Server, Clock]:
    primary, standby, clock = Server(100), Server(100), Clock()
    replica = Replica("standby", standby, standby)  # type: ignore[arg-type]  # a fake engine
    router = Router(primary, [replica], POLICY, clock=clock)  # type: ignore[arg-type]
    return router, primary, standby, clock


def in_request(client: str, call: Any) -> Any:
    """``call`` as a request of ``client`` does (its own context)."""
    def run() -> Any:
        replicas.use_client(client)
        return call()

    return contextvars.copy_context().run(run)


def test_no_replica_is_used_before_it_has_replayed_a_sample() -> None:
    router, _, standby, _ = make()
    assert router.choose() is None  # never checked: its staleness is unknown
    standby.position = 99
    router.check()
    assert router.choose() is None  # behind the only sample there is


def test_staleness_is_the_age_of_the_newest_sample_replayed() -> None:
    router, primary, standby, clock = make()
    router.check()
    assert router.choose() is not None
    clock.now, primary.position = 0.5, 200  # the primary writes; the standby stays at 100
    router.check()
    clock.now = 0.9
    assert router.choose() is not None  # has all of t=0, 0.9 s ago: within the bound
    clock.now = 1.1
    assert router.choose() is None and router.status()[0]["failed"] is None
    clock.now, standby.position = 1.2, 200  # caught up with the t=0.5 sample
    router.check()
    assert router.status()[0]["staleness_seconds"] == 0.0  # and with this round's sample
    assert router.choose() is not None


def test_a_stopped_checker_means_growing_staleness() -> None:
    router, _, _, clock = make()
    router.check()
    clock.now = 5.0  # no check since: the bound is read against the clock at every read
    assert router.choose() is None


def test_a_writer_reads_the_primary_for_its_window() -> None:
    router, _, _, clock = make()
    router.check()
    in_request("writer", lambda: asyncio.run(router.wrote()))
    assert in_request("writer", router.choose) is None
    assert in_request("reader", router.choose) is not None
    clock.now = 0.9
    router.check()
    assert in_request("writer", router.choose) is None
    clock.now = 1.0  # the window is over
    assert in_request("writer", router.choose) is not None


def test_a_failed_replica_is_skipped_until_a_check_reaches_it() -> None:
    router, _, standby, _ = make()
    router.check()
    standby.down = True
    answered = router.read(lambda connection: "replica", lambda: "primary")
    assert answered == "primary" and router.status()[0]["failed"] == "connection refused"
    standby.down = False
    assert router.choose() is None
    router.check()
    assert router.read(lambda connection: "replica", lambda: "primary") == "replica"


class CountingWriters:
    """A SharedWriters that remembers its writers in a set and counts the questions."""

    def __init__(self) -> None:
        self.writers: set[str] = set()
        self.asked = 0

    def mark(self, client: str, seconds: float) -> None:
        self.writers.add(client)

    def recent(self, client: str) -> bool:
        self.asked += 1
        return client in self.writers

    def close(self) -> None:
        pass


def test_a_writer_elsewhere_reads_the_primary_and_redis_is_asked_only_for_a_replica() -> None:
    router, _, _, _ = make()
    shared = router.shared = CountingWriters()
    assert in_request("writer", router.choose) is None  # no check yet: no replica usable
    assert shared.asked == 0
    router.check()
    shared.mark("writer", 1.0)  # written through another instance
    assert in_request("writer", router.choose) is None
    assert in_request("reader", router.choose) is not None
    assert shared.asked == 2
    in_request("mine", lambda: asyncio.run(router.wrote()))  # written here: known locally
    assert "mine" in shared.writers and in_request("mine", router.choose) is None
    assert shared.asked == 2

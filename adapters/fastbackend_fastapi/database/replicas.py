"""Read replicas with read-your-writes (docs/operations.md, "Read replicas").

Reads (runtime.Database.read) go to a replica; writes, and the reads of a client that wrote
within the last `read_your_writes_seconds`, go to the primary. A client is who the rate
limits say it is (`rate_limit.client`: its address, API key or token subject), remembered by
this process (operations/replicas.py sets it per request).

How stale a replica may be is measured, not guessed. A checker thread samples the primary's
write position every `check_interval_seconds` (the time just before the query, the position
it answered: everything committed before that time is at or before that position) and asks
each replica how far it has replayed. A replica that has replayed the sample taken at time t
holds everything committed before t, so its staleness is at most now - t: an upper bound, read
against the current clock at every read. A replica staler than `max_lag_seconds` (behind, cut
off from its primary, or a checker that stopped) is skipped, as is one that failed; its reads
run on the primary, never a 500. Since a client's write committed before the first sample
taken after it, `read_your_writes_seconds >= max_lag_seconds` makes the client's later reads
see its write wherever they run (config.py enforces it).

How far a database has written and replayed is its Dialect's (write_position,
replayed_position); a database without them refuses replica URLs.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.database.engine import create_engine, reader, with_schemas

if TYPE_CHECKING:
    from fastbackend_fastapi.settings import Settings

T = TypeVar("T")
logger = logging.getLogger("fastbackend_fastapi.replicas")
WRITERS = 100_000  # clients remembered as recent writers (least recently written forgotten)
_client: ContextVar[str | None] = ContextVar("fastbackend_replica_client", default=None)


def use_client(client: str) -> None:
    """Who sends the request being served (for the rest of its task)."""
    _client.set(client)


@dataclass(frozen=True)
class Policy:
    max_lag_seconds: float = 2.0
    read_your_writes_seconds: float = 5.0
    check_interval_seconds: float = 0.5


@dataclass
class Replica:
    name: str  # its URL without the password, for logs
    pool: Engine  # the engine that owns its connections
    engine: Engine  # the reader engine (no transaction around a read)
    # Monotonic time of the newest primary sample it has replayed; -inf: none yet.
    fresh_as_of: float = -math.inf
    failed: str | None = None  # why it is skipped until a check reaches it again


@dataclass
class Router:
    """Picks the engine of each read; checks the replicas in a thread of its own."""

    primary: Engine  # for the samples of its position: the primary's reader engine
    replicas: Sequence[Replica]
    policy: Policy
    clock: Callable[[], float] = time.monotonic
    samples: deque[tuple[float, int]] = field(default_factory=deque)
    writers: OrderedDict[str, float] = field(default_factory=OrderedDict)
    _turn: itertools.count[int] = field(default_factory=itertools.count)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _primary_failed: bool = False  # logged once per outage, not at every check

    # --- serving ---------------------------------------------------------------------
    def read(self, work: Callable[[Connection], T], on_primary: Callable[[], T]) -> T:
        """``work`` on a usable replica, else (or when the replica fails) ``on_primary``."""
        replica = self.choose()
        if replica is None:
            return on_primary()
        try:
            with replica.engine.connect() as connection:
                return work(connection)
        except (sa_exc.DBAPIError, sa_exc.TimeoutError) as error:
            if not _replica_failure(error):
                raise
            self._fail(replica, error)
        return on_primary()

    def choose(self) -> Replica | None:
        """A replica for this request's read (round robin among the usable), or None."""
        now = self.clock()
        if self._wrote_recently(now):
            return None
        usable = [r for r in self.replicas
                  if r.failed is None and now - r.fresh_as_of <= self.policy.max_lag_seconds]
        return usable[next(self._turn) % len(usable)] if usable else None

    def wrote(self) -> None:
        """The request being served has committed a write: its client reads the primary."""
        client = _client.get()
        if client is None:
            return
        self.writers.pop(client, None)
        self.writers[client] = self.clock() + self.policy.read_your_writes_seconds
        if len(self.writers) > WRITERS:
            self.writers.popitem(last=False)

    def _wrote_recently(self, now: float) -> bool:
        client = _client.get()
        until = self.writers.get(client) if client is not None else None
        return until is not None and now < until

    # --- checking --------------------------------------------------------------------
    def start(self) -> None:
        """Check in a thread of its own until close(); until a check, no replica is used."""
        if self._thread is None and not self._stop.is_set():
            self._thread = threading.Thread(target=self._loop, daemon=True,
                                            name="fastbackend-replicas")
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for replica in self.replicas:
            replica.pool.dispose()

    def _loop(self) -> None:
        while True:
            self.check()
            if self._stop.wait(self.policy.check_interval_seconds):
                return

    def check(self) -> None:
        """One round: a sample of the primary, then how far each replica has replayed."""
        self._sample()
        for replica in self.replicas:
            try:
                with replica.engine.connect() as connection:
                    replayed = dialects.of(connection.dialect).replayed_position(connection)
            except (sa_exc.DBAPIError, sa_exc.TimeoutError) as error:
                self._fail(replica, error)
                continue
            self._replayed(replica, replayed)

    def _sample(self) -> None:
        taken = self.clock()
        try:
            with self.primary.connect() as connection:
                position = dialects.of(connection.dialect).write_position(connection)
        except (sa_exc.DBAPIError, sa_exc.TimeoutError) as error:
            # no new sample: the replicas' staleness grows until the primary answers again
            if not self._primary_failed:
                logger.warning("read replicas: the primary's position is unknown (%s)",
                               _reason(error))
            self._primary_failed = True
            return
        self._primary_failed = False
        self.samples.append((taken, position))
        oldest = taken - self.policy.max_lag_seconds - self.policy.check_interval_seconds
        while len(self.samples) > 1 and self.samples[0][0] < oldest:
            self.samples.popleft()

    def _replayed(self, replica: Replica, replayed: int | None) -> None:
        if replica.failed is not None:
            logger.warning("read replica %s answers again", replica.name)
            replica.failed = None
        if replayed is None:  # not a replica (any more): it holds everything it has
            replica.fresh_as_of = self.clock()
            return
        for taken, position in reversed(self.samples):
            if position <= replayed:
                replica.fresh_as_of = max(replica.fresh_as_of, taken)
                return

    def _fail(self, replica: Replica, error: BaseException) -> None:
        if replica.failed is None:
            logger.warning("read replica %s is skipped: %s", replica.name, _reason(error))
        replica.failed = _reason(error)

    def status(self) -> list[dict[str, object]]:
        """Each replica's name, whether reads may use it, its staleness bound and failure."""
        now = self.clock()
        return [{"name": r.name, "failed": r.failed,
                 "staleness_seconds": now - r.fresh_as_of,
                 "usable": r.failed is None and now - r.fresh_as_of <= self.policy.max_lag_seconds}
                for r in self.replicas]


def _replica_failure(error: BaseException) -> bool:
    """The replica, not the read, failed: it cannot be reached, dropped the connection, was
    too busy (a pool timeout) or cancelled the statement (a conflict with its recovery)."""
    if isinstance(error, sa_exc.TimeoutError):
        return True
    assert isinstance(error, sa_exc.DBAPIError)
    return error.connection_invalidated or isinstance(
        error, sa_exc.OperationalError | sa_exc.InterfaceError)


def _reason(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


def build(primary: Engine, urls: Sequence[str], settings: Settings, schemas: frozenset[str],
          policy: Policy) -> Router:
    """The router of the primary ``primary`` and the replicas at ``urls`` (ValueError when
    the database cannot report replication positions or a replica is another database)."""
    dialect = dialects.of(primary.dialect)
    if not dialect.replication_positions:
        raise ValueError(f"read replicas (DATABASE_REPLICA_URLS) are not supported on "
                         f"{primary.dialect.name}: it reports no replication position, so a "
                         "replica's lag could not be bounded")
    replicas = []
    for url in urls:
        normalised = dialects.normalise_url(url)
        if dialects.for_url(normalised) is not dialect:
            raise ValueError(f"the read replica {_hidden(normalised)} is not a "
                             f"{primary.dialect.name} database, as the primary is")
        engine = with_schemas(create_engine(normalised, settings), schemas)
        replicas.append(Replica(_hidden(normalised), engine, reader(engine)))
    return Router(reader(primary), replicas, policy)


def _hidden(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)

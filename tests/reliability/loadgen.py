"""Mixed traffic against the blog API (tests/golden/blog.ir.json), with the bookkeeping to prove
afterwards that no acknowledged write was lost or duplicated and no refused write left a trace.

    report = run_mixed(server.url, seconds=6, connections=64)
    assert not report.server_errors
    assert verify(report, server.database_url) == []

Each connection is one asyncio task with its own httpx.AsyncClient holding one keep-alive
connection, all on one event loop in the calling thread. A task owns the posts it creates: only it patches or
deletes them, one request at a time, so the last acknowledged values of every row are known
exactly. Reads and lists go to anyone's rows. Every request has a timeout; every loop stops at
the deadline, at ``stop_when()`` or after MAX_REQUESTS_PER_CONNECTION.

What an answer means for the books:
- 2xx: acknowledged; the database must show it (creates present once with their values, patches'
  last values, deletes gone).
- 4xx on a write: refused; it must have left no trace (each refused write carries a unique
  marker: a title or a body that nothing else uses).
- 503 problem+json of any type but commit-outcome-unknown: the runtime promises nothing was
  written (docs/runtime.md, "When the database fails"), so it is booked as refused.
- Any other 5xx or no answer (timeout, reset): unknown. A commit can succeed after the client stopped
  waiting, or the connection can drop during COMMIT, so the row may be in either state: an
  unknown create may exist at most once (with what was sent), an unknown patch or delete leaves
  its row in the old or the new state. The task stops touching such a row. The first
  MAX_KEPT_ERRORS 5xx answers are also kept in ``server_errors`` for the test to show.

Samples keep every request's start, latency, status and the moment it was fully written, on the
monotonic clock relative to ``Report.started_at``: a test that stops the database or the server
at a known time can tell which requests came before, during and after.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa

from tests import local_http

RESOURCE = "/posts"
STATUSES = ("draft", "published", "archived")
AUTHORS = 4
MISSING_AUTHOR = 2_000_000_000  # a foreign key to no row: 422
REQUEST_TIMEOUT = 10.0
MAX_REQUESTS_PER_CONNECTION = 200_000
MAX_KEPT_ERRORS = 50
REFUSED = "refused"  # marks every write that must be refused


Values = dict[str, Any]  # title, body, status, author_id: what the database row must hold


@dataclass(frozen=True)
class Sample:
    start: float  # seconds since the run started (Report.started_at, monotonic clock)
    latency: float  # seconds
    op: str
    status: int  # 0: no response (client timeout, connection refused or reset)
    error: str = ""  # the exception's class when status is 0
    # When the whole request had been written to the socket (same clock as ``start``), None if
    # it never was. Under load the client's own event loop delays the write after ``start``.
    sent: float | None = None


@dataclass
class Owned:
    id: int
    etag: str
    values: Values
    stale_etag: str | None = None  # the ETag before the last acknowledged patch


@dataclass
class Report:
    tag: str  # every title written by this run starts with it
    started_at: float  # time.monotonic() when the traffic started
    seconds: float = 0.0  # wall time of the traffic
    samples: list[Sample] = field(default_factory=list)
    server_errors: list[tuple[str, int, str]] = field(default_factory=list)  # the first 5xx
    unexpected: list[tuple[str, int, str]] = field(default_factory=list)  # a non-5xx surprise
    acknowledged: dict[int, Values] = field(default_factory=dict)  # live rows, last values
    deleted: set[int] = field(default_factory=set)  # acknowledged deletes
    patched: set[int] = field(default_factory=set)  # rows with at least one acknowledged patch
    unknown_creates: dict[str, Values] = field(default_factory=dict)  # title -> what was sent
    uncertain: dict[int, list[Values | None]] = field(default_factory=dict)  # allowed states
    refused_titles: set[str] = field(default_factory=set)  # refused creates: no such row
    refused_bodies: set[str] = field(default_factory=set)  # refused writes: no row has it

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def statuses(self) -> Counter[int]:
        return Counter(sample.status for sample in self.samples)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def latency_ms(self, quantile: float) -> float:
        latencies = sorted(sample.latency for sample in self.samples)
        if not latencies:
            return 0.0
        return 1000 * latencies[min(len(latencies) - 1, int(quantile * len(latencies)))]

    def between(self, start: float, end: float) -> list[Sample]:
        """Samples of requests started in [start, end) seconds after ``started_at``."""
        return [sample for sample in self.samples if start <= sample.start < end]

    def figures(self) -> dict[str, Any]:
        """What the issue note wants, as JSON-ready values."""
        return {"requests": self.requests, "seconds": round(self.seconds, 2),
                "requests_per_second": round(self.rate, 1),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "server_errors": sum(n for status, n in self.statuses.items() if status >= 500),
                "latency_ms": {name: round(self.latency_ms(q), 1) for name, q in
                               (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0))},
                "acknowledged_rows": len(self.acknowledged), "deleted": len(self.deleted),
                "patched": len(self.patched), "unknown": len(self.unknown_creates) +
                len(self.uncertain),
                "refused": len(self.refused_titles) + len(self.refused_bodies)}


def run_mixed(base_url: str, seconds: float, connections: int, *,
              stop_when: Callable[[], bool] | None = None, seed: int = 0,
              timeout: float = REQUEST_TIMEOUT, batch: int = 3,
              until: Callable[[Report], bool] | None = None) -> Report:
    """Drive mixed traffic for ``seconds`` over ``connections`` connections; see the module.
    ``batch`` is the number of rows of each create-many (one transaction). With ``until``, the
    traffic goes on past ``seconds`` until ``until(report)`` holds (at most OVERTIME seconds
    more): on a busy machine a few seconds may not reach every kind of write."""
    return asyncio.run(_run(base_url, seconds, connections, stop_when, seed, timeout, batch,
                            until))


OVERTIME = 60.0


async def _run(base_url: str, seconds: float, connections: int,
               stop_when: Callable[[], bool] | None, seed: int, timeout: float,
               batch: int, until: Callable[[Report], bool] | None) -> Report:
    # One client per connection: a single AsyncClient pooling 64 connections cost the client
    # 2.1 ms of CPU per request here against 0.9 ms this way, and the client shares the two
    # cores with the server under test.
    clients = [client(base_url, timeout) for _ in range(connections)]
    try:
        tag = f"t{uuid.uuid4().hex[:10]}"
        traffic = _Traffic(Report(tag, 0.0), await _create_authors(clients[0], tag), batch)
        traffic.report.started_at = time.monotonic()
        deadline = traffic.report.started_at + seconds
        report = traffic.report

        def stopping() -> bool:
            if stop_when is not None and stop_when():
                return True
            if until is None or until(report):
                return time.monotonic() >= deadline
            return time.monotonic() >= deadline + OVERTIME

        await asyncio.gather(*(
            _Connection(traffic, client, n, random.Random(seed * 1000 + n)).loop(stopping)
            for n, client in enumerate(clients)))
        traffic.report.seconds = time.monotonic() - traffic.report.started_at
        return traffic.report
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


def client(base_url: str, timeout: float = REQUEST_TIMEOUT) -> httpx.AsyncClient:
    """A client of one keep-alive connection."""
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    return local_http.async_client(base_url=base_url, limits=one, timeout=timeout)


async def _create_authors(client: httpx.AsyncClient, tag: str) -> list[int]:
    ids = []
    for n in range(AUTHORS):
        response = await client.post("/users", json={"email": f"{tag}-{n}@load.test"})
        assert response.status_code == 201, response.text
        ids.append(int(response.json()["id"]))
    return ids


@dataclass
class _Traffic:
    """What the connections share: the books, the authors, the ids anyone may read."""

    report: Report
    authors: list[int]
    batch: int
    readable: list[int] = field(default_factory=list)  # some of them deleted since

    def record(self, sample: Sample, method: str, url: str,
               response: httpx.Response | None) -> None:
        self.report.samples.append(sample)
        if (response is not None and response.status_code >= 500
                and len(self.report.server_errors) < MAX_KEPT_ERRORS):
            self.report.server_errors.append((f"{method} {url}", response.status_code,
                                              response.text[:500]))

    def expect(self, op: str, response: httpx.Response | None, *expected: int) -> bool:
        """Whether ``response`` has one of the expected statuses; a surprise is kept."""
        if response is None or response.status_code >= 500:
            return False
        if response.status_code in expected:
            return True
        if len(self.report.unexpected) < MAX_KEPT_ERRORS:
            self.report.unexpected.append((op, response.status_code, response.text[:300]))
        return False


@dataclass
class _Connection:
    traffic: _Traffic
    client: httpx.AsyncClient
    number: int
    rng: random.Random
    owned: list[Owned] = field(default_factory=list)
    counter: int = 0

    async def send(self, op: str, method: str, url: str, **kwargs: Any) -> httpx.Response | None:
        """One request, timed and recorded; None when no response came back."""
        started_at = self.traffic.report.started_at
        began = time.monotonic()
        sent: float | None = None

        async def trace(event: str, info: dict[str, Any]) -> None:  # httpcore's trace hook
            nonlocal sent
            if event == "http11.send_request_body.complete":
                sent = time.monotonic() - started_at

        try:
            response = await self.client.request(method, url, extensions={"trace": trace},
                                                 **kwargs)
        except httpx.TransportError as error:  # timeouts, refused, reset, protocol errors
            sample = Sample(began - started_at, time.monotonic() - began, op, 0,
                            type(error).__name__, sent)
            self.traffic.record(sample, method, url, None)
            return None
        sample = Sample(began - started_at, time.monotonic() - began, op, response.status_code,
                        sent=sent)
        self.traffic.record(sample, method, url, response)
        return response

    async def loop(self, stopping: Callable[[], bool]) -> None:
        operations = (self.read, self.listing, self.create, self.patch, self.delete,
                      self.create_many, self.refused_duplicate, self.refused_batch,
                      self.refused_reference, self.refused_stale_patch)
        weights = (30, 16, 18, 14, 6, 3, 3, 2, 2, 6)
        for _ in range(MAX_REQUESTS_PER_CONNECTION):
            if stopping():
                return
            await self.rng.choices(operations, weights)[0]()

    def marker(self) -> str:
        self.counter += 1
        return f"{self.traffic.report.tag}-{self.number}-{self.counter}"

    def new_values(self) -> Values:
        return {"title": self.marker(), "body": f"body {self.rng.random()}",
                "status": self.rng.choice(STATUSES), "author_id": self.rng.choice(
                    self.traffic.authors)}

    async def read(self) -> None:
        readable = self.traffic.readable
        if not readable:
            return await self.listing()
        key = readable[self.rng.randrange(len(readable))]
        response = await self.send("read", "GET", f"{RESOURCE}/{key}")
        self.traffic.expect("read", response, 200, 404)

    async def listing(self) -> None:
        author = self.rng.choice(self.traffic.authors)
        params = self.rng.choice((
            {"author_id": author, "sort": "-id", "limit": "20"},
            {"status": self.rng.choice(STATUSES), "title__startswith": self.traffic.report.tag,
             "limit": "10"},
            {"id__gt": str(self.rng.randrange(1, 1000)), "count": "none", "limit": "5"},
        ))
        response = await self.send("list", "GET", RESOURCE, params=params)
        self.traffic.expect("list", response, 200)

    async def create(self) -> None:
        values = self.new_values()
        response = await self.send("create", "POST", RESOURCE, json=values)
        if self.traffic.expect("create", response, 201):
            assert response is not None
            self.acknowledge(response.json(), response.headers["etag"], values)
        elif wrote_nothing(response):
            self.traffic.report.refused_titles.add(values["title"])
        else:
            self.traffic.report.unknown_creates[values["title"]] = values

    async def create_many(self) -> None:
        batch = [self.new_values() for _ in range(self.traffic.batch)]
        response = await self.send("create-many", "POST", f"{RESOURCE}/bulk", json=batch)
        if self.traffic.expect("create-many", response, 201):
            assert response is not None
            for row, values in zip(response.json(), batch, strict=True):
                self.acknowledge(row, None, values)
        elif wrote_nothing(response):
            self.traffic.report.refused_titles.update(values["title"] for values in batch)
        else:
            self.traffic.report.unknown_creates.update((v["title"], v) for v in batch)

    def acknowledge(self, row: dict[str, Any], etag: str | None, values: Values) -> None:
        key = int(row["id"])
        self.traffic.report.acknowledged[key] = values
        self.traffic.readable.append(key)
        if etag is not None:  # a batch answers without per-row ETags: read-only for us
            self.owned.append(Owned(key, etag, values))

    async def patch(self) -> None:
        if not self.owned:
            return await self.create()
        row = self.owned[self.rng.randrange(len(self.owned))]
        change = {"body": f"patched {self.marker()}", "status": self.rng.choice(STATUSES)}
        response = await self.send("patch", "PATCH", f"{RESOURCE}/{row.id}", json=change,
                                           headers={"If-Match": row.etag})
        if self.traffic.expect("patch", response, 200):
            assert response is not None
            row.stale_etag, row.etag = row.etag, response.headers["etag"]
            row.values = {**row.values, **change}
            self.traffic.report.acknowledged[row.id] = row.values
            self.traffic.report.patched.add(row.id)
        elif wrote_nothing(response):
            self.traffic.report.refused_bodies.add(change["body"])
        else:
            self.give_up(row, {**row.values, **change})

    async def delete(self) -> None:
        if not self.owned:
            return await self.create()
        row = self.owned[self.rng.randrange(len(self.owned))]
        response = await self.send("delete", "DELETE", f"{RESOURCE}/{row.id}",
                                           headers={"If-Match": row.etag})
        if self.traffic.expect("delete", response, 204):
            self.owned.remove(row)
            del self.traffic.report.acknowledged[row.id]
            self.traffic.report.deleted.add(row.id)
        elif not wrote_nothing(response):
            self.give_up(row, None)

    def give_up(self, row: Owned, attempted: Values | None) -> None:
        """An unanswered patch or delete: the row may be in either state; leave it alone."""
        self.owned.remove(row)
        del self.traffic.report.acknowledged[row.id]
        self.traffic.report.uncertain[row.id] = [row.values, attempted]

    async def refused_duplicate(self) -> None:
        """The title of a live row again (same author): 409, and nothing written."""
        if not self.owned:
            return await self.create()
        row = self.owned[self.rng.randrange(len(self.owned))]
        values = {**row.values, "body": f"{REFUSED} {self.marker()}"}
        response = await self.send("refused-duplicate", "POST", RESOURCE, json=values)
        self.refused(response, 409, bodies=[values["body"]])

    async def refused_batch(self) -> None:
        """Two new rows then a duplicate of the first, in one request: all or nothing."""
        first, second = self.new_values(), self.new_values()
        batch = [first, second, {**first, "body": f"{REFUSED} {self.marker()}"}]
        response = await self.send("refused-batch", "POST", f"{RESOURCE}/bulk", json=batch)
        self.refused(response, 409, titles=[first["title"], second["title"]])

    async def refused_reference(self) -> None:
        values = {**self.new_values(), "author_id": MISSING_AUTHOR}
        response = await self.send("refused-reference", "POST", RESOURCE, json=values)
        self.refused(response, 422, titles=[values["title"]])

    async def refused_stale_patch(self) -> None:
        """A patch with the ETag before the last acknowledged one: 412, row unchanged."""
        stale = [row for row in self.owned if row.stale_etag is not None]
        if not stale:
            return await self.patch()
        row = self.rng.choice(stale)
        body = f"{REFUSED} {self.marker()}"
        response = await self.send("refused-stale-patch", "PATCH", f"{RESOURCE}/{row.id}",
                                           json={"body": body},
                                           headers={"If-Match": row.stale_etag or ""})
        self.refused(response, 412, bodies=[body])

    def refused(self, response: httpx.Response | None, status: int, *,
                titles: Sequence[str] = (), bodies: Sequence[str] = ()) -> None:
        """Book a write built to be refused: its markers must never reach the database, whatever
        the answer (none of these writes can commit: a duplicate, a missing author, a stale ETag)."""
        self.traffic.report.refused_titles.update(titles)
        self.traffic.report.refused_bodies.update(bodies)
        self.traffic.expect(f"refused {status}", response, status)


def wrote_nothing(response: httpx.Response | None) -> bool:
    """A 4xx, or a 503 problem other than commit-outcome-unknown: the write left no trace."""
    if response is None:
        return False
    if response.status_code < 500:
        return True
    if response.status_code != 503 or "problem+json" not in response.headers.get("content-type", ""):
        return False
    return not str(response.json().get("type", "")).endswith("/commit-outcome-unknown")


def verify(report: Report, database_url: str, *, unanswered_absent: bool = False) -> list[str]:
    """Every lost, duplicated, phantom or wrongly refused write, read from the database itself.

    The database, not the API: the check must not trust the code under test (a read path that
    hid a lost write, a page that skipped a row), and it works after the server has stopped.
    ``unanswered_absent``: the writes that got no answer were never processed (the server was
    not listening any more), so they must have left no trace at all, rather than either state.
    """
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = [dict(r._mapping) for r in connection.execute(sa.text(
                "SELECT id, title, body, status, author_id FROM posts"))]
    finally:
        engine.dispose()
    return _compare(report, rows, unanswered_absent)


def _compare(report: Report, rows: list[dict[str, Any]],
             unanswered_absent: bool = False) -> list[str]:
    problems: list[str] = []
    by_id = {int(row["id"]): _values(row) for row in rows}
    titles = Counter(row["title"] for row in rows)
    for key, expected in report.acknowledged.items():
        found = by_id.get(key)
        if found is None:
            problems.append(f"lost: acknowledged row {key} {expected['title']!r} is missing")
        elif found != expected:
            problems.append(f"lost update: row {key} is {found}, last acknowledged {expected}")
    problems += [f"lost delete: row {key} is still there" for key in report.deleted
                 if key in by_id]
    for key, states in report.uncertain.items():
        allowed = states[:1] if unanswered_absent else states
        if by_id.get(key) not in allowed:
            problems.append(f"row {key} is {by_id.get(key)}, not one of {allowed}")
    problems += [f"duplicated: {count} rows titled {title!r}" for title, count in titles.items()
                 if count > 1]
    known = {v["title"] for v in report.acknowledged.values()} | set(report.unknown_creates)
    known |= {v["title"] for states in report.uncertain.values() for v in states if v}
    for key, found in by_id.items():
        ours = found["title"].startswith(report.tag)
        if ours and key not in report.deleted and found["title"] not in known:
            problems.append(f"phantom: row {key} {found['title']!r} was never acknowledged")
        if found["title"] in report.refused_titles or found["body"] in report.refused_bodies:
            problems.append(f"refused write left a trace: row {key} {found}")
        if ours and found["body"].startswith(REFUSED):
            problems.append(f"a write meant to be refused got in: row {key} {found}")
        sent = report.unknown_creates.get(found["title"])
        if sent is not None and unanswered_absent:
            problems.append(f"an unanswered create got in: row {key} {found}")
        elif sent is not None and found != sent:
            problems.append(f"row {key} is {found}, but the create sent {sent}")
    return problems


def _values(row: dict[str, Any]) -> Values:
    return {"title": row["title"], "body": row["body"], "status": row["status"],
            "author_id": int(row["author_id"])}

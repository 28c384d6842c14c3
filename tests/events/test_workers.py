"""`fastbackend worker` processes: a worker killed between the commit and the delivery's
outcome leaves its events to the next one (redelivered: at least once), and two workers on one
PostgreSQL outbox deliver every event, none twice, each row's in order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.adapters.fastapi.conftest import TestClient
from tests.events.conftest import HANG, SECRET, Receiver, compile_project, outbox, wait_for

StartApp = Callable[[Path, str], TestClient]
FASTBACKEND = Path(sys.executable).with_name("fastbackend")
CONFIG = """
events:
  destinations:
    hooks: {{type: webhook, url: "{url}", secret_env: HOOKS_SECRET}}
  models:
    Note: {{hooks: all}}
  delivery: {{backoff_seconds: 0.05, max_backoff_seconds: 0.2}}
"""


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    stderr: str = ""  # all of it, once stopped

    def delivered(self) -> int:
        """What the stopped worker says it delivered (its last line)."""
        last = self.stderr.strip().splitlines()[-1]
        assert "delivered" in last, last
        return int(last.split("delivered ")[1].split()[0])


@contextmanager
def worker(project: Path, database_url: str) -> Iterator[Running]:
    env = {**os.environ, "HOOKS_SECRET": SECRET}
    process = subprocess.Popen([str(FASTBACKEND), "worker", str(project),
                                "--database-url", database_url], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    running = Running(process)
    try:
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        assert process.stderr is not None
        running.stderr = process.stderr.read().decode()
        process.stderr.close()


@pytest.fixture
def recording(tmp_path: Path, receiver: Receiver, start_app: StartApp,
              monkeypatch: pytest.MonkeyPatch) -> Callable[[str], tuple[Path, TestClient]]:
    """A server that records events and delivers none (its worker is off)."""
    monkeypatch.setenv("FASTBACKEND_EVENTS_WORKER", "0")

    def start(database_url: str) -> tuple[Path, TestClient]:
        ir = compile_project(tmp_path / "project", CONFIG.format(url=receiver.url))
        return ir.parent.parent, start_app(ir, database_url)

    return start


@pytest.mark.slow  # two worker processes: 15 s on a busy machine
@pytest.mark.parametrize("database", ["sqlite",
                                      pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_killed_worker_s_events_are_delivered_by_the_next(
        database: str, tmp_path: Path, receiver: Receiver, request: pytest.FixtureRequest,
        recording: Callable[[str], tuple[Path, TestClient]]) -> None:
    url = (f"sqlite+pysqlite:///{tmp_path / 'app.db'}" if database == "sqlite"
           else request.getfixturevalue("postgres_url"))
    project, client = recording(url)
    assert client.post("/notes", json={"slug": "a", "title": "0"}).status_code == 201
    assert client.patch("/notes/a", json={"title": "1"}).status_code == 200
    committed = [r["event_id"] for r in outbox(url)]
    receiver.hold = True  # the first delivery reaches the endpoint and is never answered
    with worker(project, url) as first:
        wait_for(lambda: receiver.arrived, what="the first delivery in flight")
        first.process.kill()  # SIGKILL: no chance to record anything
        first.process.wait(10)
    assert [(r["status"], r["attempts"]) for r in outbox(url)] == [("pending", 0)] * 2
    receiver.hold = False
    receiver.release.set()
    with worker(project, url):
        wait_for(lambda: all(r["status"] == "delivered" for r in outbox(url)), deadline=HANG,
                 what="every event delivered by the second worker")
    assert [e["id"] for e in receiver.events()] == committed  # in order, each once received
    assert receiver.arrived[0] == committed[0]  # the one in flight, sent again: at least once
    assert Counter(receiver.arrived)[committed[0]] == 2


@pytest.mark.slow  # two worker processes and 240 webhooks: 26 s on a busy machine
@pytest.mark.postgres
def test_two_workers_on_postgres_deliver_every_event_once_each_row_in_order(
        postgres_url: str, receiver: Receiver,
        recording: Callable[[str], tuple[Path, TestClient]]) -> None:
    project, client = recording(postgres_url)
    rows = [{"slug": f"n{i}", "title": "0"} for i in range(40)]
    assert client.post("/notes/bulk", json=rows).status_code == 201
    for n in range(1, 6):
        assert client.patch("/notes", params={"all": "true"},
                            json={"title": str(n)}).status_code == 200
    committed = outbox(postgres_url)
    assert len(committed) == 240
    with worker(project, postgres_url) as one, worker(project, postgres_url) as two:
        wait_for(lambda: all(r["status"] == "delivered" for r in outbox(postgres_url)),
                 deadline=60, what="240 events delivered by two workers")
    shares = (one.delivered(), two.delivered())
    assert sum(shares) == 240, shares  # each event delivered by exactly one of them
    arrived = Counter(receiver.arrived)
    assert set(arrived) == {r["event_id"] for r in committed}  # none lost
    duplicates = sum(count - 1 for count in arrived.values())
    assert duplicates == 0  # no failure happened: SKIP LOCKED gave each event to one worker
    order = {r["event_id"]: r["id"] for r in committed}
    for slug in (row["slug"] for row in rows):
        ids = [order[e["id"]] for e in receiver.events() if e["key"] == [slug]]
        assert ids == sorted(ids) and len(ids) == 6, slug

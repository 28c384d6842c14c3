"""Change events on the Express server (docs/events.md): every write records, in its own
transaction, the same outbox rows the FastAPI runtime records for it (irs/events.ir.json:
tests/events/models.py with every operation of both models sent to one Redis stream), a write
that fails records nothing, and `fastbackend worker` delivers what the Express server recorded."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fastbackend_fastapi import create_app
from tests.adapters.express.harness import IR_PATHS
from tests.adapters.express.servers import Server, Servers, clients
from tests.adapters.fastapi.conftest import TestClient
from tests.events.conftest import outbox, wait_for
from tests.services import require_redis

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

FASTBACKEND = Path(sys.executable).with_name("fastbackend")
STREAM = "fastbackend-express-events"  # irs/events.ir.json's destination `stream`
# What each outbox row must agree on between the servers (its id, time and event id differ).
COLUMNS = ("destination", "entity", "operation", "row_key", "status", "attempts")
EVENT_FIELDS = ("type", "entity", "operation", "key", "data", "changed", "relation", "target",
                "target_key")


@pytest.fixture
def server(express_servers: Servers) -> Server:
    server = express_servers.get("events")
    server.reset()  # the outbox too: migrate created it from the IR's events
    return server


@pytest.fixture
def express(server: Server) -> Iterator[httpx.Client]:
    yield from clients(server)


@pytest.fixture
def runtime(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("FASTBACKEND_EVENTS_WORKER", "0")  # the outbox shows what was recorded
    app = create_app(IR_PATHS["events"], database_url=postgres_url, custom_path=None)
    with TestClient(app) as client:
        yield client


# Every kind of write, each answered as shown; the failing ones record nothing.
WRITES: list[tuple[str, str, Any, dict[str, str], int]] = [
    ("POST", "/notes", {"slug": "a", "title": "A"}, {}, 201),
    ("POST", "/notes/bulk", [{"slug": "b", "title": "B"}, {"slug": "c", "title": "Ç ü \u2028"}], {}, 201),
    ("POST", "/labels", {"name": "red"}, {}, 201),
    ("POST", "/labels/bulk", [{"name": "green"}, {"name": "blue"}], {}, 201),
    ("PATCH", "/notes/a", {"title": "A2"}, {}, 200),
    ("PATCH", "/notes/a", {}, {}, 200),  # writes nothing: no event
    ("PUT", "/notes/b", {"slug": "b", "title": "B2"}, {}, 200),  # replace: resets body
    ("PUT", "/notes/d", {"slug": "d", "title": "D", "body": "x"}, {}, 201),  # the client's key: a create
    ("PUT", "/notes/a/labels/1", None, {}, 204),
    ("PUT", "/notes/a/labels/1", None, {}, 204),  # linked already: no event
    ("PUT", "/labels/2/notes/b", None, {}, 204),  # from the other end: a Label event
    ("POST", "/notes/a/labels", {"name": "child"}, {}, 201),  # a create and a link
    ("POST", "/notes", {"slug": "e", "title": "E"}, {}, 201),
    ("DELETE", "/notes/a/labels/1", None, {}, 204),
    ("PATCH", "/labels/3", {"name": "navy"}, {}, 200),
    ("DELETE", "/notes/c", None, {}, 204),
    ("PATCH", "/notes", {"body": "bulk"}, {"slug__in": "a,b"}, 200),
    ("PATCH", "/notes", {}, {"slug__in": "a,b"}, 200),  # writes nothing: no event
    ("DELETE", "/notes", None, {"slug__in": "d,e"}, 200),
    ("DELETE", "/labels", None, {"name": "navy"}, 200),
    # a nested create: the note, the new label, a link to each label (the second connect of
    # green links nothing new: no event)
    ("POST", "/notes", {"slug": "f", "title": "F", "labels": {
        "connect": {"name": "green"}, "create": {"name": "pink"},
        "connectOrCreate": {"where": {"name": "green"}, "create": {"name": "green"}}}}, {}, 201),
    # a nested update: the note, green unlinked by the set, then linked again by the connect
    ("PATCH", "/notes/f", {"title": "F2", "labels": {
        "connect": {"name": "green"}, "set": [{"name": "pink"}]}}, {}, 200),
    ("PATCH", "/notes/f", {"labels": {"disconnect": {"name": "pink"}}}, {}, 200),
    # an atomic batch (docs/rest-api.md "Atomic batch"): each operation's events, in its one
    # transaction: the label, the note and its link, the note's update
    ("POST", "/_batch", {"operations": [
        {"op": "create", "path": "/labels", "ref": "l", "body": {"name": "batched"}},
        {"op": "create", "path": "/notes", "body": {"slug": "h", "title": "H", "labels": {
            "connect": {"id": {"$ref": "l.id"}}}}},
        {"op": "update", "path": "/notes", "key": {"slug": "h"}, "body": {"title": "H2"}}]},
     {}, 200),
    # a nested bulk create: each row's events as a nested create's, in its one transaction
    ("POST", "/notes/bulk", [{"slug": "j", "title": "J", "labels": {"connect": {"name": "green"}}},
                             {"slug": "k", "title": "K", "labels": {"create": {"name": "teal"}}}],
     {}, 201),
    # failing writes: rolled back, nothing recorded
    ("POST", "/notes/bulk", [{"slug": "n", "title": "N"}, {"slug": "a", "title": "dup"}], {}, 409),
    ("POST", "/labels", {"name": "red"}, {}, 409),
    ("POST", "/notes", {"slug": "z"}, {}, 422),
    ("DELETE", "/notes/zzz", None, {}, 404),
    ("PUT", "/notes/a/labels/99", None, {}, 404),
    ("DELETE", "/notes/b/labels/1", None, {}, 404),  # not linked
    ("PATCH", "/notes/a", {"title": "x"}, {"If-Match": '"stale"'}, 412),
    ("POST", "/notes", {"slug": "g", "title": "G", "labels": {"create": [
        {"name": "fine"}, {"name": "red"}]}}, {}, 409),  # nested: the first label rolled back
    ("POST", "/notes/bulk", [{"slug": "m", "title": "M", "labels": {"create": {"name": "fine3"}}},
                             {"slug": "o", "title": "O", "labels": {"create": {"name": "red"}}}],
     {}, 409),  # nested bulk: the first row and its label rolled back
    ("PATCH", "/notes/a", {"labels": {"create": {"name": "fine2"}}},
     {"If-Match": '"stale"'}, 412),  # nested: nothing written
    ("POST", "/_batch", {"operations": [  # a batch: the note before the failing label too
        {"op": "create", "path": "/notes", "body": {"slug": "i", "title": "I"}},
        {"op": "create", "path": "/labels", "body": {"name": "red"}}]}, {}, 409),
]


def _send(client: Any, writes: list[tuple[str, str, Any, dict[str, str], int]]) -> None:
    for method, path, body, extra, status in writes:
        headers = extra if "If-Match" in extra else {}
        params = {} if headers else extra
        response = client.request(method, path, json=body, params=params, headers=headers)
        assert response.status_code == status, (method, path, response.text)


def test_every_write_records_the_same_events_on_both_servers(express: httpx.Client,
                                                             runtime: TestClient,
                                                             server: Server,
                                                             postgres_url: str) -> None:
    _send(runtime, WRITES)
    _send(express, WRITES)
    expected, got = outbox(postgres_url), outbox(server.database_url)
    assert len(expected) == 39  # the successful writes' events, one destination each
    assert [_comparable(r) for r in _by_write(got)] == [_comparable(r) for r in _by_write(expected)]
    # each event's JSON has the runtime's fields in the runtime's order
    assert [list(r["event"]) for r in got] == [list(r["event"]) for r in expected]
    for row in got:
        event = row["event"]
        assert event["id"] == row["event_id"] and event["id"].startswith("evt_")
        assert len(event["id"]) == len("evt_") + 32
        assert row["created_at"] == row["next_attempt_at"] == event["timestamp"]
    assert len({r["event_id"] for r in got}) == len(got)  # one destination: one row per event


def _by_write(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in outbox order, except within one bulk write (consecutive rows of one entity,
    operation and `created_at`), whose rows each database returns in its own order."""
    groups: list[list[dict[str, Any]]] = []
    for row in rows:
        if groups and _write_of(groups[-1][0]) == _write_of(row):
            groups[-1].append(row)
        else:
            groups.append([row])
    return [row for group in groups for row in sorted(group, key=lambda r: json.dumps(r["event"]["key"]))]


def _write_of(row: dict[str, Any]) -> tuple[Any, ...]:
    return row["entity"], row["operation"], row["created_at"]


def _comparable(row: dict[str, Any]) -> tuple[Any, ...]:
    event = row["event"]
    return (*(row[c] for c in COLUMNS), *(event.get(f) for f in EVENT_FIELDS))


def test_a_failing_write_records_nothing(express: httpx.Client, server: Server) -> None:
    _send(express, WRITES[:3])
    before = outbox(server.database_url)
    _send(express, WRITES[-10:])
    assert outbox(server.database_url) == before
    assert express.get("/notes/n").status_code == 404  # the rolled-back row is not there either


def test_the_worker_delivers_an_express_write_to_redis_exactly_once(
        express: httpx.Client, server: Server, tmp_path: Path) -> None:
    import redis

    reader = redis.Redis.from_url(require_redis())
    _send(express, WRITES[:3])
    recorded = outbox(server.database_url)
    assert len(recorded) == 4
    ir = Path(shutil.copy(IR_PATHS["events"], tmp_path / "ir.json"))
    with WorkerProcess(ir, server.database_url) as stopped:
        wait_for(lambda: all(r["status"] == "delivered" for r in outbox(server.database_url)),
                 what="the Express server's events delivered")
    assert stopped() == len(recorded)  # the worker's own count: nothing sent twice
    ids = {r["event_id"] for r in recorded}
    entries = [e for e in reader.xrange(STREAM) if e[1][b"id"].decode() in ids]
    reader.close()
    assert sorted(e[1][b"id"].decode() for e in entries) == sorted(ids)  # each once
    by_id = {r["event_id"]: r["payload"] for r in recorded}
    assert all(e[1][b"payload"].decode() == by_id[e[1][b"id"].decode()] for e in entries)


class WorkerProcess:
    """`fastbackend worker IR --database-url URL`; on exit it is stopped (SIGTERM), and the
    callable it yields returns how many events it says it delivered."""

    def __init__(self, ir: Path, database_url: str) -> None:
        self.command = [str(FASTBACKEND), "worker", str(ir), "--database-url", database_url]
        self.stderr = ""

    def __enter__(self) -> Callable[[], int]:
        self.process = subprocess.Popen(self.command, env=dict(os.environ),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return self.delivered

    def delivered(self) -> int:
        last = self.stderr.strip().splitlines()[-1]
        assert "delivered" in last, self.stderr
        return int(last.split("delivered ")[1].split()[0])

    def __exit__(self, *_: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            _, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        self.stderr = err.decode()

"""The realtime feed (GET {path}/changes, Server-Sent Events) over real HTTP: uvicorn serving
the app in a thread, httpx reading the stream in another, every read bounded by a deadline.
On SQLite (in-process wake after commit) and PostgreSQL (LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from fastbackend_fastapi import create_app
from fastbackend_fastapi.graceful import GracefulServer
from tests import local_http
from tests.adapters.fastapi.tenancy import CONFIG as TENANCY
from tests.adapters.fastapi.tenancy import bearer, write_project

ALICE, BOB = bearer("alice"), bearer("bob")
DEADLINE = 20.0
REALTIME = """
models:
  Project:
    fields: {tenant_id: hidden, owner_id: hidden}   # the scope field too
events:
  realtime:
    models: [Project, Task]
    heartbeat_seconds: 0.5
"""


@pytest.fixture
def url(sqlite_or_postgres_url: str) -> str:
    return sqlite_or_postgres_url


@dataclass
class Server:
    base: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(DEADLINE)
        assert not self.thread.is_alive(), "the server did not stop"


def _serve(app: Any) -> Server:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                            timeout_graceful_shutdown=30)
    server = GracefulServer(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    _until(lambda: server.started and server.servers, "the server to start")
    port = server.servers[0].sockets[0].getsockname()[1]
    return Server(f"http://127.0.0.1:{port}", server, thread)


def _until(condition: Callable[[], Any], what: str) -> Any:
    done = threading.Event()
    for _ in range(int(DEADLINE / 0.01)):
        value = condition()
        if value:
            return value
        done.wait(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def served(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("FASTBACKEND_EVENTS_WORKER", "0")
    ir_path = write_project(tmp_path / "project", TENANCY + REALTIME)
    server = _serve(create_app(ir_path, database_url=url, custom_path=None))
    yield server
    server.stop()


@dataclass
class Stream:
    """An SSE client in a thread: each event (id, event, data) or comment goes to a queue."""

    url: str
    headers: dict[str, str]
    events: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    status: int | None = None
    opened: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)
    closing: bool = False

    def run(self) -> None:
        try:
            with local_http.client(timeout=DEADLINE) as client, \
                    client.stream("GET", self.url, headers=self.headers) as response:
                self.status = response.status_code
                current: dict[str, Any] = {}
                for line in response.iter_lines():
                    if self.closing:
                        return
                    if line.startswith(":"):
                        if line == ": open":
                            self.opened.set()
                        continue
                    if not line:
                        if current:
                            self.events.put(current)
                        current = {}
                        continue
                    name, _, value = line.partition(": ")
                    current[name] = json.loads(value) if name == "data" else value
        except httpx.HTTPError:
            pass
        finally:
            self.opened.set()
            self.ended.set()

    def next(self) -> dict[str, Any]:
        return self.events.get(timeout=DEADLINE)


@pytest.fixture
def subscribe() -> Iterator[Callable[..., Stream]]:
    streams: list[Stream] = []

    def start(url: str, headers: dict[str, str] | None = None) -> Stream:
        stream = Stream(url, dict(headers or {}))
        threading.Thread(target=stream.run, daemon=True).start()
        assert stream.opened.wait(DEADLINE), "the stream did not open"
        streams.append(stream)
        return stream

    yield start
    for stream in streams:
        stream.closing = True


def _post(server: Server, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    response = local_http.post(server.base + path, json=body, headers=headers, timeout=DEADLINE)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_committed_write_reaches_a_subscriber(served: Server,
                                                subscribe: Callable[..., Stream]) -> None:
    stream = subscribe(served.base + "/projects/changes", ALICE)
    assert stream.status == 200
    project = _post(served, "/projects", {"name": "one"}, ALICE)
    event = stream.next()
    assert event["event"] == "create"
    assert event["data"]["operation"] == "create"
    assert event["data"]["data"] == project and event["data"]["key"] == [project["id"]]
    assert set(project) == {"id", "name"}  # hidden fields: in no response, in no event
    local_http.patch(f"{served.base}/projects/{project['id']}", json={"name": "two"}, headers=ALICE)
    update = stream.next()
    assert (update["event"], update["data"]["data"]["name"]) == ("update", "two")
    assert int(update["id"]) > int(event["id"])
    assert local_http.delete(f"{served.base}/projects/{project['id']}", headers=ALICE).status_code == 204
    deleted = stream.next()
    # a delete carries the row as it was (its before image)
    assert deleted["event"] == "delete" and deleted["data"]["data"]["name"] == "two"


def test_a_rolled_back_write_sends_nothing(served: Server,
                                           subscribe: Callable[..., Stream]) -> None:
    stream = subscribe(served.base + "/tasks/changes", ALICE)
    project = _post(served, "/projects", {"name": "p"}, ALICE)
    # a bulk create that fails on its second row rolls back the first: no event
    response = local_http.post(f"{served.base}/tasks/bulk", headers=ALICE, timeout=DEADLINE, json=[
        {"title": "kept?", "project_id": project["id"]},
        {"title": "bad", "project_id": 999999}])
    assert response.status_code == 422, response.text
    task = _post(served, "/tasks", {"title": "after", "project_id": project["id"]}, ALICE)
    event = stream.next()  # the first event the stream sees is the committed write's
    assert event["data"]["data"] == task


def test_an_atomic_batch_reaches_subscribers_once_committed_and_never_when_it_fails(
        served: Server, subscribe: Callable[..., Stream]) -> None:
    """A batch's feed rows go in at its end (runtime.Database.transaction): every operation's
    event, in order; a batch that fails on a later operation sends none of the earlier ones."""
    stream = subscribe(served.base + "/projects/changes", ALICE)
    failed = local_http.post(f"{served.base}/_batch", headers=ALICE, timeout=DEADLINE, json={
        "operations": [{"op": "create", "path": "/projects", "body": {"name": "lost"}},
                       {"op": "create", "path": "/tasks", "body": {"title": "t",
                                                                  "project_id": 999999}}]})
    assert failed.status_code == 422, failed.text
    done = local_http.post(f"{served.base}/_batch", headers=ALICE, timeout=DEADLINE, json={
        "operations": [{"op": "create", "path": "/projects", "body": {"name": "a"}, "ref": "a"},
                       {"op": "update", "path": "/projects", "key": {"id": {"$ref": "a.id"}},
                        "body": {"name": "b"}}]})
    assert done.status_code == 200, done.text
    created, updated = stream.next(), stream.next()
    assert (created["event"], created["data"]["data"]["name"]) == ("create", "a")
    assert (updated["event"], updated["data"]["data"]["name"]) == ("update", "b")
    assert int(updated["id"]) > int(created["id"])


def test_the_filter_is_the_list_query_language(served: Server,
                                               subscribe: Callable[..., Stream]) -> None:
    stream = subscribe(served.base + "/projects/changes?name__startswith=keep", ALICE)
    _post(served, "/projects", {"name": "drop me"}, ALICE)
    kept = _post(served, "/projects", {"name": "keep me"}, ALICE)
    assert stream.next()["data"]["data"] == kept
    bad = local_http.get(served.base + "/projects/changes?nope=1", headers=ALICE, timeout=DEADLINE)
    assert bad.status_code == 400 and "nope" in bad.json()["detail"]
    sort = local_http.get(served.base + "/projects/changes?sort=name", headers=ALICE,
                     timeout=DEADLINE)
    assert sort.status_code == 400


def test_each_subscriber_gets_only_its_scope(served: Server,
                                             subscribe: Callable[..., Stream]) -> None:
    alice = subscribe(served.base + "/projects/changes", ALICE)
    bob = subscribe(served.base + "/projects/changes", BOB)
    of_alice = _post(served, "/projects", {"name": "alice's"}, ALICE)
    of_bob = _post(served, "/projects", {"name": "bob's"}, BOB)
    assert alice.next()["data"]["data"] == of_alice
    assert bob.next()["data"]["data"] == of_bob  # not alice's, which came first
    local_http.delete(f"{served.base}/projects/{of_alice['id']}", headers=ALICE)
    local_http.delete(f"{served.base}/projects/{of_bob['id']}", headers=BOB)
    assert alice.next()["data"]["key"] == [of_alice["id"]]
    bob_delete = bob.next()
    assert bob_delete["data"]["key"] == [of_bob["id"]]  # not alice's delete either
    assert set(bob_delete["data"]) == {"id", "type", "timestamp", "entity", "operation", "key",
                                       "data"}  # the deleted row's scope values stay inside
    unsigned = local_http.get(served.base + "/projects/changes", timeout=DEADLINE)
    assert unsigned.status_code == 401


def test_last_event_id_replays_exactly_the_missed_events(
        served: Server, subscribe: Callable[..., Stream]) -> None:
    first = subscribe(served.base + "/projects/changes", ALICE)
    _post(served, "/projects", {"name": "seen"}, ALICE)
    seen = first.next()
    first.closing = True
    missed = [_post(served, "/projects", {"name": f"missed {i}"}, ALICE) for i in range(3)]
    _post(served, "/projects", {"name": "bob's"}, BOB)  # not in alice's scope
    again = subscribe(served.base + "/projects/changes",
                      {**ALICE, "Last-Event-ID": seen["id"]})
    replayed = [again.next() for _ in missed]
    assert [event["data"]["data"] for event in replayed] == missed
    live = _post(served, "/projects", {"name": "live"}, ALICE)
    assert again.next()["data"]["data"] == live  # then live, nothing twice
    bad = local_http.get(served.base + "/projects/changes", timeout=DEADLINE,
                    headers={**ALICE, "Last-Event-ID": "evt_x"})
    assert bad.status_code == 400


def test_heartbeats_keep_an_idle_stream(served: Server) -> None:
    with local_http.client(timeout=DEADLINE) as client, \
            client.stream("GET", served.base + "/projects/changes", headers=ALICE) as response:
        lines = response.iter_lines()
        assert next(lines) == ": open"
        assert next(line for line in lines if line) == ": heartbeat"


def test_shutdown_ends_open_streams(tmp_path: Path, url: str,
                                    monkeypatch: pytest.MonkeyPatch,
                                    subscribe: Callable[..., Stream]) -> None:
    monkeypatch.setenv("FASTBACKEND_EVENTS_WORKER", "0")
    ir_path = write_project(tmp_path / "project", TENANCY + REALTIME)
    server = _serve(create_app(ir_path, database_url=url, custom_path=None))
    stream = subscribe(server.base + "/projects/changes", ALICE)
    server.stop()  # joins within the deadline, though the stream was open
    assert stream.ended.wait(DEADLINE)

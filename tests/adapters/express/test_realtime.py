"""The realtime feed on the Express server (docs/events.md "Realtime"), over real HTTP: the
emitted server (node) on PostgreSQL, LISTEN/NOTIFY, and beside it the FastAPI runtime (uvicorn)
on a database of its own with the same IR (irs/realtime.ir.json: tests/events/models.py, both
models realtime, Note.body hidden, heartbeats every 0.5 s). One pair of servers per module;
every read of a stream is bounded by a deadline (no sleeps)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from fastbackend_fastapi import create_app
from fastbackend_fastapi.routes.changes import _reset
from tests import local_http
from tests.adapters.express.harness import IR_PATHS
from tests.adapters.express.servers import Server, Servers, _node_url
from tests.adapters.fastapi.conftest import TestClient
from tests.e2e.processes import wait_until
from tests.events.test_realtime import DEADLINE, Stream, _serve
from tests.events.test_realtime_resume import _replay, check_resume, hold_trigger
from tests.services import temporary_postgres_database

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

Subscribe = Callable[..., Stream]


@pytest.fixture(scope="module", params=["realtime", pytest.param("realtime_mysql",
                                                                 marks=pytest.mark.mariadb)])
def express_server(request: pytest.FixtureRequest, express_servers: Servers) -> Server:
    """The Express server on PostgreSQL (LISTEN/NOTIFY), and on MariaDB (the hub polls)."""
    server: Server = express_servers.get(request.param)
    return server


@pytest.fixture(scope="module")
def runtime_base() -> Iterator[tuple[str, sa.Engine]]:
    """The FastAPI runtime of the same IR on a database of its own, served by uvicorn."""
    previous = os.environ.get("FASTBACKEND_EVENTS_WORKER")
    os.environ["FASTBACKEND_EVENTS_WORKER"] = "0"
    with temporary_postgres_database() as url:
        served = _serve(create_app(IR_PATHS["realtime"], database_url=url, custom_path=None))
        engine = sa.create_engine(url)
        try:
            yield served.base, engine
        finally:
            served.stop()
            engine.dispose()
            if previous is None:
                os.environ.pop("FASTBACKEND_EVENTS_WORKER", None)
            else:
                os.environ["FASTBACKEND_EVENTS_WORKER"] = previous


@pytest.fixture
def express(express_server: Server) -> str:
    express_server.reset()  # the outbox too: ids start at 1 again
    return express_server.url


@pytest.fixture
def runtime(runtime_base: tuple[str, sa.Engine]) -> str:
    base, engine = runtime_base
    with engine.begin() as connection:
        connection.execute(sa.text("TRUNCATE note_labels, notes, labels, fastbackend_events, "
                                   "fastbackend_image_notes, fastbackend_image_labels "
                                   "RESTART IDENTITY CASCADE"))
    return base


@pytest.fixture
def subscribe() -> Iterator[Subscribe]:
    streams: list[Stream] = []

    def start(url: str, headers: dict[str, str] | None = None) -> Stream:
        import threading

        stream = Stream(url, dict(headers or {}))
        threading.Thread(target=stream.run, daemon=True).start()
        assert stream.opened.wait(DEADLINE), "the stream did not open"
        streams.append(stream)
        return stream

    yield start
    for stream in streams:
        stream.closing = True


def _send(base: str, method: str, path: str, body: Any = None, status: int = 201,
          params: dict[str, str] | None = None) -> Any:
    response = local_http.request(method, base + path, json=body, params=params, timeout=DEADLINE)
    assert response.status_code == status, (method, path, response.text)
    return response.json() if response.content else None


def test_a_committed_write_reaches_a_subscriber(express: str, subscribe: Subscribe) -> None:
    stream = subscribe(express + "/notes/changes")
    assert stream.status == 200
    note = _send(express, "POST", "/notes", {"slug": "a", "title": "A"})
    event = stream.next()
    assert (event["event"], event["data"]["operation"]) == ("create", "create")
    assert event["data"]["data"] == note == {"slug": "a", "title": "A"}  # body: hidden, never sent
    assert event["data"]["key"] == ["a"] and event["data"]["id"].startswith("evt_")
    _send(express, "PATCH", "/notes/a", {"title": "A2"}, 200)
    update = stream.next()
    assert (update["event"], update["data"]["data"]["title"]) == ("update", "A2")
    assert int(update["id"]) > int(event["id"])
    _send(express, "DELETE", "/notes/a", status=204)
    deleted = stream.next()  # the row as it was (its before image)
    assert deleted["event"] == "delete" and deleted["data"]["data"]["title"] == "A2"
    assert "body" not in deleted["data"]["data"]


def test_a_rolled_back_write_sends_nothing(express: str, subscribe: Subscribe) -> None:
    stream = subscribe(express + "/notes/changes")
    _send(express, "POST", "/notes", {"slug": "a", "title": "A"})
    assert stream.next()["data"]["key"] == ["a"]
    # the second row's 409 rolls the first back: neither is sent
    _send(express, "POST", "/notes/bulk", [{"slug": "n", "title": "N"}, {"slug": "a", "title": "dup"}],
          409)
    after = _send(express, "POST", "/notes", {"slug": "b", "title": "B"})
    assert stream.next()["data"]["data"] == after  # the next event the stream sees


def test_the_filter_is_the_list_query_language(express: str, runtime: str,
                                               subscribe: Subscribe) -> None:
    stream = subscribe(express + "/notes/changes?title__startswith=keep")
    _send(express, "POST", "/notes", {"slug": "d", "title": "drop me"})
    kept = _send(express, "POST", "/notes", {"slug": "k", "title": "keep me"})
    assert stream.next()["data"]["data"] == kept
    # the same problem+json as the runtime for what the feed refuses
    for query, headers in (("nope=1", {}), ("sort=title", {}), ("title__zz=1", {}),
                           ("", {"Last-Event-ID": "evt_x"})):
        got = local_http.get(f"{express}/notes/changes?{query}", headers=headers, timeout=DEADLINE)
        expected = local_http.get(f"{runtime}/notes/changes?{query}", headers=headers,
                             timeout=DEADLINE)
        assert got.status_code == expected.status_code == 400, (query, got.text)
        assert got.headers["content-type"] == expected.headers["content-type"]
        assert _problem(got.json()) == _problem(expected.json()), query


def _problem(body: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in body.items() if name not in ("instance", "request_id")}


def test_last_event_id_replays_exactly_the_missed_events(express: str,
                                                         subscribe: Subscribe) -> None:
    first = subscribe(express + "/labels/changes")
    _send(express, "POST", "/labels", {"name": "seen"})
    seen = first.next()
    first.closing = True
    missed = [_send(express, "POST", "/labels", {"name": f"missed {i}"}) for i in range(3)]
    again = subscribe(express + "/labels/changes", {"Last-Event-ID": seen["id"]})
    assert [again.next()["data"]["data"] for _ in missed] == missed
    live = _send(express, "POST", "/labels", {"name": "live"})
    assert again.next()["data"]["data"] == live  # then live, nothing twice
    assert again.events.empty()


def test_a_lower_id_committed_last_is_resumed_not_skipped(express: str,
                                                         express_server: Server) -> None:
    """tests/events/test_realtime_resume.py's scenario on the Express server (the feed lock and
    the settled id of lib/events.ts and lib/realtime.ts: PostgreSQL's advisory lock, MariaDB's
    gate row)."""
    hold_trigger(express_server.database_url)

    def post(name: str) -> Any:
        return _send(express, "POST", "/labels", {"name": name})

    check_resume(express_server.database_url, express + "/labels/changes", {}, post)


# The order rows reach the tables of the realtime IR and the outbox, kept by the test's triggers.
_WRITTEN = ("notes", "labels", "note_labels", "fastbackend_events")
_ORDER_POSTGRESQL = [
    "CREATE TABLE fb_test_order (seq SERIAL PRIMARY KEY, what TEXT NOT NULL)",
    "CREATE FUNCTION fb_test_order() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO fb_test_order (what) VALUES (TG_TABLE_NAME); RETURN NULL; END $$",
    *(f"CREATE TRIGGER fb_test_order AFTER INSERT OR UPDATE ON {table} FOR EACH ROW "
      "EXECUTE FUNCTION fb_test_order()" for table in _WRITTEN)]
_ORDER_MARIADB = [
    "CREATE TABLE fb_test_order (seq INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(40) NOT NULL)",
    *(f"CREATE TRIGGER fb_test_order_{table}_{event} AFTER {event} ON {table} FOR EACH ROW "
      f"INSERT INTO fb_test_order (what) VALUES ('{table}')"
      for table in _WRITTEN for event in ("insert", "update"))]


@contextmanager
def _write_order(engine: sa.Engine) -> Iterator[Callable[[], list[str]]]:
    """The tables each row written since went into, in the order they went (the test's
    triggers); dropped afterwards."""
    postgresql = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        for statement in _ORDER_POSTGRESQL if postgresql else _ORDER_MARIADB:
            connection.execute(sa.text(statement))

    def written() -> list[str]:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(
                "SELECT what FROM fb_test_order ORDER BY seq")).scalars())
    try:
        yield written
    finally:
        with engine.begin() as connection:
            if postgresql:
                connection.execute(sa.text("DROP FUNCTION fb_test_order() CASCADE"))
            else:
                for table in _WRITTEN:
                    for event in ("insert", "update"):
                        connection.execute(sa.text(f"DROP TRIGGER fb_test_order_{table}_{event}"))
            connection.execute(sa.text("DROP TABLE fb_test_order"))


BATCH = {"operations": [
    {"op": "create", "path": "/notes", "body": {"slug": "a", "title": "A"}},
    {"op": "create", "path": "/labels", "body": {"name": "red"}, "ref": "red"},
    {"op": "update", "path": "/notes", "key": {"slug": "a"}, "body": {"title": "A2"}},
    {"op": "update", "path": "/labels", "key": {"id": {"$ref": "red.id"}},
     "body": {"name": "blue"}}]}
NESTED = {"slug": "n", "title": "N", "labels": {"create": [{"name": "green"}]}}


def test_a_transaction_writes_its_feed_rows_last(express: str, express_server: Server,
                                                 runtime: str,
                                                 runtime_base: tuple[str, sa.Engine]) -> None:
    """A batch's feed rows (and a nested write's) go in after every row it writes, just before
    its commit, on both servers (docs/events.md "Ids follow commits"): the feed lock is taken
    last, and the feed rows' ids are the transaction's last."""
    for base, engine in ((express, express_server.engine), (runtime, runtime_base[1])):
        with _write_order(engine) as written:
            _send(base, "POST", "/_batch", BATCH, 200)
            _send(base, "POST", "/notes", NESTED)  # note, label, link
            order = written()
        feed = "fastbackend_events"
        assert order == ["notes", "labels", "notes", "labels", feed, feed, feed, feed,
                         "notes", "labels", "note_labels", feed, feed, feed], base


def test_heartbeats_keep_an_idle_stream(express: str, runtime: str) -> None:
    headers = {}
    for name, base in (("express", express), ("runtime", runtime)):
        with local_http.client(timeout=DEADLINE) as client, \
                client.stream("GET", base + "/notes/changes") as response:
            headers[name] = [response.headers.get(h) for h in
                             ("content-type", "cache-control", "x-accel-buffering")]
            lines = response.iter_lines()
            assert next(lines) == ": open"
            assert next(line for line in lines if line) == ": heartbeat"
    assert headers["express"] == headers["runtime"] == [
        "text/event-stream; charset=utf-8", "no-cache", "no"]


# The same writes on both servers: every operation of a realtime entity, a failing one.
WRITES: list[tuple[str, str, Any, int, dict[str, str] | None]] = [
    ("POST", "/notes", {"slug": "a", "title": "A"}, 201, None),
    ("POST", "/notes/bulk", [{"slug": "b", "title": "B"}, {"slug": "c", "title": "Ç ü"}], 201, None),
    ("POST", "/labels", {"name": "red"}, 201, None),
    ("PATCH", "/notes/a", {"title": "A2"}, 200, None),
    ("PUT", "/notes/b", {"slug": "b", "title": "B2"}, 200, None),
    ("PUT", "/notes/a/labels/1", None, 204, None),
    ("POST", "/notes/a/labels", {"name": "child"}, 201, None),
    ("POST", "/notes/bulk", [{"slug": "n", "title": "N"}, {"slug": "a", "title": "dup"}], 409,
     None),
    ("DELETE", "/notes/a/labels/1", None, 204, None),
    # one row: a bulk write's rows go in the order its database returns them
    ("PATCH", "/notes", {"title": "bulk"}, 200, {"slug__in": "b"}),
    ("DELETE", "/notes/c", None, 204, None),
    ("POST", "/notes", {"slug": "z", "title": "last"}, 201, None),
]


def test_both_servers_send_the_same_stream(express: str, runtime: str,
                                          subscribe: Subscribe) -> None:
    """The same writes, then the same subscriptions from the start of the outbox
    (`Last-Event-ID: 0`: each event judged by the row image it carries; a link by its row as it
    is then): the same ids, event names and data, on the runtime and on the Express server."""
    every, filtered = _same_streams(WRITES, ("", "?slug__in=b,c,z"), express, runtime, subscribe)
    assert [(e[1], e[2]["key"]) for e in every] == [
        ("create", ["a"]), ("create", ["b"]), ("create", ["c"]), ("update", ["a"]),
        ("update", ["b"]), ("link", ["a"]), ("link", ["a"]), ("unlink", ["a"]),
        ("update", ["b"]), ("delete", ["c"]), ("create", ["z"])]  # c's create: its image
    assert [int(e[0]) for e in every] == sorted(int(e[0]) for e in every)
    assert [(e[1], e[2]["key"]) for e in filtered] == [
        ("create", ["b"]), ("create", ["c"]), ("leave", ["a"]), ("update", ["b"]),
        ("update", ["b"]), ("delete", ["c"]), ("create", ["z"])]  # a's links: its row now
    assert all("body" not in e[2].get("data", {}) for e in every)


# Images against the rows as they are since: a create renamed out of a filter, a relation filter
# (through the row: `labels` is a many-to-many).
IMAGES: list[tuple[str, str, Any, int, dict[str, str] | None]] = [
    ("POST", "/labels", {"name": "red"}, 201, None),
    ("POST", "/notes", {"slug": "k", "title": "keep k"}, 201, None),
    ("PATCH", "/notes/k", {"title": "drop k"}, 200, None),
    ("POST", "/notes", {"slug": "r", "title": "r"}, 201, None),
    ("PUT", "/notes/r/labels/1", None, 204, None),
    ("PATCH", "/notes/r", {"title": "r2"}, 200, None),
    ("POST", "/notes", {"slug": "z", "title": "keep z"}, 201, None),
    ("PUT", "/notes/z/labels/1", None, 204, None),
]


def test_both_servers_judge_events_by_their_images(express: str, runtime: str,
                                                  subscribe: Subscribe) -> None:
    """docs/events.md "Realtime": a replayed create of a row renamed since is judged by its
    create's image, an update out of the filter is a `leave` (the key, no data), and a filter
    through a relation reads the related rows as they are; the same on both servers."""
    kept, red = _same_streams(IMAGES, ("?title__icontains=KEEP", "?labels.name=red"), express,
                              runtime, subscribe)
    assert [(e[1], e[2]["key"]) for e in kept] == [
        ("create", ["k"]), ("leave", ["k"]), ("leave", ["r"]), ("create", ["z"])]
    assert set(kept[1][2]) == {"type", "entity", "operation", "key"}  # no data
    assert [(e[1], e[2]["key"]) for e in red] == [
        ("leave", ["k"]), ("create", ["r"]), ("link", ["r"]), ("update", ["r"]),
        ("create", ["z"])]


def _same_streams(writes: list[tuple[str, str, Any, int, dict[str, str] | None]],
                  queries: tuple[str, ...], express: str, runtime: str,
                  subscribe: Subscribe) -> list[list[tuple[Any, ...]]]:
    """``writes`` on each server, then its notes' streams of ``queries`` from the outbox's
    start, up to the event of `z` (comparable: _comparable): the same on both, returned."""
    got = {}
    for name, base in (("express", express), ("runtime", runtime)):
        for method, path, body, status, params in writes:
            _send(base, method, path, body, status, params)
        got[name] = [_until_key(subscribe(base + "/notes/changes" + query, {"Last-Event-ID": "0"}))
                     for query in queries]
    assert got["express"] == got["runtime"]
    return got["express"]


def _until_key(stream: Stream, key: tuple[str, ...] = ("z",)) -> list[tuple[Any, ...]]:
    """The stream's events up to the one of ``key``, WRITES' last (included)."""
    found = [_comparable(stream.next())]
    while tuple(found[-1][2]["key"]) != key:
        found.append(_comparable(stream.next()))
    stream.closing = True
    return found


def _comparable(event: dict[str, Any]) -> tuple[Any, ...]:
    """What both servers agree on: everything but the event's own id and time."""
    data = {name: value for name, value in event["data"].items() if name not in ("id", "timestamp")}
    return event["id"], event["event"], data


def test_a_runtime_write_reaches_an_express_stream_on_the_same_database(
        express: str, express_server: Server, subscribe: Subscribe) -> None:
    """The two servers interoperate: the runtime's feed rows (and, on PostgreSQL, its NOTIFY)
    reach the Express server's streams, and a Last-Event-ID of either resumes on the other."""
    stream = subscribe(express + "/notes/changes")
    app = create_app(IR_PATHS["realtime"], database_url=express_server.database_url,
                     custom_path=None)
    with TestClient(app) as runtime:
        response = runtime.post("/notes", json={"slug": "r", "title": "from the runtime"})
        assert response.status_code == 201, response.text
        event = stream.next()
        assert event["data"]["data"] == response.json()
        _send(express, "POST", "/notes", {"slug": "x", "title": "from express"})
        assert stream.next()["data"]["key"] == ["x"]
    again = subscribe(express + "/notes/changes", {"Last-Event-ID": event["id"]})
    assert again.next()["data"]["key"] == ["x"]


def test_a_stop_ends_open_streams(express_server: Server, subscribe: Subscribe) -> None:
    port = _free_port()
    env = {"PATH": os.environ.get("PATH", ""), "PORT": str(port), "HOST": "127.0.0.1",
           "DATABASE_URL": _node_url(express_server.database_url)}
    process = subprocess.Popen([shutil.which("node") or "node", "dist/server.js"],
                               cwd=express_server.project, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(base), DEADLINE, "the second server", process)
        stream = subscribe(base + "/notes/changes")
        process.send_signal(signal.SIGTERM)
        assert process.wait(DEADLINE) == 0  # not held by the open stream
        assert stream.ended.wait(DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()


def test_rows_past_retention_go_and_a_stale_resume_is_told_to_reload(
        express: str, express_server: Server) -> None:
    """Retention (docs/events.md): feed rows made older than a day are pruned by a server
    (a second one, pruning every 0.05 s), and a resume from before them is the runtime's
    `reset` event, byte for byte."""
    labels = [_send(express, "POST", "/labels", {"name": f"l{i}"}) for i in range(4)]
    ids = [event["id"] for event in _replay(express + "/labels/changes", {}, "0")]
    with express_server.engine.begin() as connection:
        connection.execute(sa.text("UPDATE fastbackend_events SET created_at = created_at - "
                                   "200000 WHERE destination = '$realtime' AND id <= :id"),
                           {"id": int(ids[1])})
    port = _free_port()
    env = {"PATH": os.environ.get("PATH", ""), "PORT": str(port), "HOST": "127.0.0.1",
           "DATABASE_URL": _node_url(express_server.database_url),
           "FASTBACKEND_FEED_PRUNE_SECONDS": "0.05"}
    process = subprocess.Popen([shutil.which("node") or "node", "dist/server.js"],
                               cwd=express_server.project, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: _feed_count(express_server.engine) == 2, DEADLINE,
                   "the server to prune", process)
    finally:
        process.kill()
        process.wait(DEADLINE)
    stale = _replay(express + "/labels/changes", {}, ids[0])
    assert [event["event"] for event in stale] == ["reset"]
    frame = _reset(int(stale[0]["id"])).split("\n")
    assert stale[0]["data"] == json.loads(frame[2].removeprefix("data: "))
    fresh = _replay(express + "/labels/changes", {}, ids[1])
    assert [event["data"]["data"] for event in fresh] == labels[2:]
    with express_server.engine.connect() as connection:  # the images went with their rows
        assert list(connection.execute(sa.text(
            "SELECT fastbackend_feed_id FROM fastbackend_image_labels ORDER BY 1")).scalars()
        ) == [int(i) for i in ids[2:]]


def _feed_count(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(
            "SELECT COUNT(*) FROM fastbackend_events WHERE destination = '$realtime'")).scalar_one())


def _answers(base: str) -> bool:
    try:
        return local_http.get(base + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

"""Projects with events compiled from tests/events/models.py, a real webhook receiver (an HTTP
server in a thread), and readings of the outbox table."""

from __future__ import annotations

import base64
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from fastbackend.pipeline import compile_path
from fastbackend_fastapi import create_app
from fastbackend_ir import dumps
from tests.adapters.fastapi.conftest import TestClient

MODELS = Path(__file__).with_name("models.py")
SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
OUTBOX = "fastbackend_events"


def compile_project(folder: Path, config: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(MODELS, folder / "models.py")
    (folder / "fastbackend.yaml").write_text("schema: models.py\n" + config)
    _, result = compile_path(folder)
    out = folder / ".fastbackend"
    out.mkdir(exist_ok=True)
    (out / "ir.json").write_text(dumps(result.ir))
    return out / "ir.json"


# A hang bound, not an expectation: a worker process starting at load 17 took more than 20 s to
# make its first delivery. Every wait below ends the moment its condition holds.
HANG = 120.0


def wait_for(condition: Callable[[], Any], deadline: float = HANG, what: str = "") -> Any:
    """Polls ``condition`` until it is truthy (its value) or the deadline passes (fails)."""
    end = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline} s waiting for {what or condition}")
        time.sleep(0.02)


def outbox(url: str, **where: Any) -> list[dict[str, Any]]:
    engine = sa.create_engine(url)
    try:
        table = sa.Table(OUTBOX, sa.MetaData(), autoload_with=engine)
        statement = sa.select(table).where(*(table.c[k] == v for k, v in where.items()))
        with engine.connect() as connection:
            rows = [dict(row._mapping) for row in connection.execute(statement.order_by(table.c.id))]
    finally:
        engine.dispose()
    for row in rows:
        row["event"] = json.loads(row["payload"])
    return rows


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


@dataclass
class Receiver:
    """A webhook endpoint: records every request; answers ``status`` (a list: in turn)."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: list[str] = field(default_factory=list)  # webhook-id of every request, in turn
    hold: bool = False  # hold requests (unanswered) until ``release`` is set
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else 204

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r.event for r in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with state.lock:
                state.arrived.append(self.headers["webhook-id"])
            if state.hold:
                state.release.wait(30)
                self.send_response(500)
                self.end_headers()
                return
            status = state.answer()
            if status < 300:
                with state.lock:
                    state.received.append(Received(dict(self.headers.items()), body))
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def start_app() -> Iterator[Callable[[Path, str], TestClient]]:
    started = ExitStack()

    def start(ir_path: Path, database_url: str) -> TestClient:
        app = create_app(ir_path, database_url=database_url, custom_path=None)
        return started.enter_context(TestClient(app))

    with started:
        yield start

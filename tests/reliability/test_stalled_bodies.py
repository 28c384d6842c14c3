"""A request body that never completes, and a client that leaves mid-body (issue 27, items 10
and 11), against a real uvicorn process on both databases.

A body that has not arrived in full within `limits.body_timeout_seconds` is a 408 problem+json
and the connection closes: 1,100 such requests once held their connections for ever and slowed
/healthz to seconds. A client that disconnects mid-body is one log line, not an "unexpected
error" with a traceback. The timeout is set to 1 s here (fastbackend.yaml); waiting at least
that long is a lower bound, HANG only turns a hang into a failure.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest

from fastbackend_fastapi import create_app
from tests.reliability.servers import BLOG_IR, DATABASES, Server, database_url, uvicorn_server
from tests.reliability.test_hostile_server import HANG, PROBLEMS, healthy, request, send

# Servers in subprocesses: the `make test` lane, not the inner loop (docs/testing.md).
pytestmark = pytest.mark.slow

TIMEOUT = 1.0  # limits.body_timeout_seconds for these servers
HEAD = (b"POST /users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n")


@pytest.fixture(scope="module", params=DATABASES)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("stalled")
    (workdir / "fastbackend.yaml").write_text(
        f"limits:\n  body_timeout_seconds: {TIMEOUT}\n", "utf-8")
    with database_url(request.param) as url, uvicorn_server(BLOG_IR, url,
                                                            workdir=workdir) as running:
        yield running
        assert "Traceback" not in running.log_text()


@pytest.mark.parametrize("partial", [
    HEAD + b"Content-Length: 100\r\n\r\n" + b'{"email": ',  # 10 of the 100 bytes announced
    HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b'a\r\n{"email": \r\n',  # no last chunk
    HEAD + b"Content-Length: 100\r\n\r\n",  # not a byte of it
], ids=["content-length", "chunked", "nothing"])
def test_a_body_that_never_completes_is_408(server: Server, partial: bytes) -> None:
    started = time.perf_counter()
    reply = send(server, partial)  # sends, then reads what comes back, keeping the socket open
    assert reply.status == 408, reply.body[:300]
    assert reply.content_type == "application/problem+json"
    assert json.loads(reply.body)["type"] == PROBLEMS + "request-timeout"
    assert TIMEOUT <= reply.seconds < HANG
    assert time.perf_counter() - started < HANG
    healthy(server)


def test_a_body_that_completes_in_time_is_served(server: Server) -> None:
    body = b'{"email": "slow@x.io"}'
    reply = send(server, request("POST", b"/users", b"Content-Type: application/json\r\n", body))
    assert reply.status == 201, reply.body[:300]


def test_a_client_that_leaves_mid_body_is_one_line_without_traceback(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """In process, where the log can be read when the request is over: the server's receive()
    says the client disconnected after part of the body (what uvicorn hands the app)."""
    app = create_app(BLOG_IR, f"sqlite:///{tmp_path / 'app.db'}", custom_path=None,
                     project_path=tmp_path)
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": b'{"email": ', "more_body": True},
        {"type": "http.disconnect"}]
    incoming = iter(messages)
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(incoming, {"type": "http.disconnect"})

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "root_path": "", "path": "/users",
             "raw_path": b"/users", "query_string": b"", "client": ("127.0.0.1", 50000),
             "server": ("testserver", 80),
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                         (b"content-length", b"100")]}
    with caplog.at_level(logging.INFO, logger="fastbackend_fastapi"):
        asyncio.run(app(scope, receive, send))
    records = [r for r in caplog.records if r.name.startswith("fastbackend_fastapi")]
    assert [r.getMessage() for r in records] == [
        "client disconnected before sending the whole body of POST /users"]
    assert records[0].levelno == logging.INFO and records[0].exc_info is None


def test_the_body_timeout_is_configurable(tmp_path: Path) -> None:
    from fastbackend_fastapi import project
    from fastbackend_ir import load

    (tmp_path / "fastbackend.yaml").write_text("limits:\n  body_timeout_seconds: 2.5\n", "utf-8")
    assert project.load(tmp_path, load(BLOG_IR)).security.body_timeout == 2.5
    (tmp_path / "fastbackend.yaml").write_text("limits:\n  body_timeout_seconds: 0\n", "utf-8")
    with pytest.raises(Exception, match="body_timeout_seconds"):
        project.load(tmp_path, load(BLOG_IR))

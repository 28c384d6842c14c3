"""JSON logs on both servers from the same variables (FASTBACKEND_LOG_FORMAT=json,
FASTBACKEND_ACCESS_LOG=1): one exchange against each, and their lines, parsed with json, carry
the same keys and the values that must agree (docs/operations.md, "Logs"): the access line's
method, path, route template, status and request id, and a line logged while a request is
served (the rate limiter's warning that Redis does not answer) with that request's id."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from fastbackend_fastapi.operations import logs
from tests.adapters.express.operations import express_blog, fastapi_blog
from tests.adapters.express.servers import Servers

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

# Rate limits in a Redis that does not answer: both servers let the request through and log a
# warning while serving it (fail open).
ENV = {"FASTBACKEND_LOG_FORMAT": "json", "FASTBACKEND_ACCESS_LOG": "1",
       "FASTBACKEND_RATE_LIMIT": "1", "FASTBACKEND_RATE_LIMIT_STORAGE": "redis",
       "REDIS_URL": "redis://127.0.0.1:1/0"}
REQUESTS = (("/posts/999", "log-read"), ("/nowhere", "log-unmatched"))
ACCESS_KEYS = {"time", "level", "logger", "message", "request_id", "method", "path", "route",
               "status", "duration_ms"}
HANG_SECONDS = 10


def exchange(client: Any) -> list[int]:
    return [client.get(path, headers={"X-Request-ID": request_id}).status_code
            for path, request_id in REQUESTS]


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def access_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The exchange's (not the harness's health checks, which wait for the server to start)."""
    ids = {request_id for _, request_id in REQUESTS}
    return [line for line in lines
            if line["logger"].endswith(".access") and line["request_id"] in ids]


def express_lines(express_servers: Servers, client: httpx.Client) -> list[dict[str, Any]]:
    """The instance's log file (stdout and stderr), once both access lines are written."""
    port = httpx.URL(str(client.base_url)).port
    log = express_servers.get("blog").project / f"server-{port}.log"
    deadline = time.monotonic() + HANG_SECONDS
    while True:
        lines = json_lines(log.read_text("utf-8"))
        if len(access_lines(lines)) >= len(REQUESTS) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def comparable(line: dict[str, Any]) -> dict[str, Any]:
    """What must agree: everything but the time, the duration and the server's logger name."""
    datetime.fromisoformat(line["time"])  # ISO 8601 on both
    words = str(line["message"]).split()
    kept = {key: value for key, value in line.items()
            if key not in ("time", "duration_ms", "logger", "message")}
    if "duration_ms" in line:
        assert line["duration_ms"] >= 0
        del words[3]  # `GET /posts/999 404 1.2 ms log-read`: the duration
    return {**kept, "logger": line["logger"].partition(".")[2], "message": words}


def test_both_servers_log_alike(express_servers: Servers, monkeypatch: pytest.MonkeyPatch,
                                tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        with fastapi_blog(express_servers, ENV, monkeypatch, tmp_path) as fastapi:
            capsys.readouterr()
            assert exchange(fastapi) == [404, 404]
            runtime = json_lines(capsys.readouterr().err)
    finally:
        logs.configure("text", "")  # the handler writes to this test's captured stderr
    with express_blog(express_servers, ENV) as express:
        assert exchange(express) == [404, 404]
        node = express_lines(express_servers, express)

    expected = access_lines(runtime)
    assert [set(line) for line in expected] == [ACCESS_KEYS] * 2
    assert [(line["route"], line["request_id"]) for line in expected] == [
        ("/posts/{key}", "log-read"), ("unmatched", "log-unmatched")]
    assert [comparable(line) for line in access_lines(node)] == \
        [comparable(line) for line in expected]

    # the first line logged while serving the first request: the limiter's, with its id
    warned = [next(line for line in lines if line["level"] == "warning")
              for lines in (runtime, node)]
    assert [set(line) for line in warned] == [{"time", "level", "logger", "message",
                                               "request_id"}] * 2
    assert [(line["logger"].partition(".")[2], line["request_id"]) for line in warned] == \
        [("ratelimit", "log-read")] * 2
    assert {line["message"].split(" (")[0] for line in warned} == {
        "rate limit not applied: Redis did not answer"}

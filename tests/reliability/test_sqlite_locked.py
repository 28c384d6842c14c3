"""SQLite's "database is locked" under write contention: a 503 with Retry-After, never a 500,
and no write half-done (issue #11).

A real uvicorn on a SQLite file, concurrent clients creating rows, and a second writer outside
the server (another sqlite3 connection) that takes the write lock with BEGIN IMMEDIATE and holds
it longer than the server's busy timeout, again and again. In thread mode the server's own
writers contend with each other as well.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import local_http
from tests.reliability.servers import BLOG_IR, uvicorn_server

pytestmark = pytest.mark.slow

BUSY_TIMEOUT_MS = 100  # FASTBACKEND_SQLITE_BUSY_TIMEOUT_MS
HOLD_SECONDS = 0.3  # the outside writer holds the lock this long (> the busy timeout)
GAP_SECONDS = 0.1
TRAFFIC_SECONDS = 3.0
CLIENTS = 16
MAX_REQUESTS = 2_000  # per client, on top of the deadline


def _outside_writer(database: Path, stop: threading.Event, holds: list[int]) -> None:
    connection = sqlite3.connect(database, isolation_level=None, timeout=5)
    try:
        for _ in range(int(TRAFFIC_SECONDS * 2 / (HOLD_SECONDS + GAP_SECONDS)) + 1):
            if stop.is_set():
                return
            connection.execute("BEGIN IMMEDIATE")
            time.sleep(HOLD_SECONDS)
            connection.execute("COMMIT")
            holds[0] += 1
            time.sleep(GAP_SECONDS)
    finally:
        connection.close()


def _client(base_url: str, number: int, deadline: float) -> list[tuple[str, int, str]]:
    """Creates tags named c{number}-{n} and reads them back; every answer, in order."""
    answers = []
    with local_http.client(base_url=base_url, timeout=30) as client:
        for n in range(MAX_REQUESTS):
            if time.monotonic() >= deadline:
                break
            name = f"c{number}-{n}"
            response = client.post("/tags", json={"name": name})
            answers.append((name, response.status_code, response.headers.get("content-type", "")))
            if response.status_code == 503:
                assert response.headers["retry-after"] == "1"
                assert response.json()["type"].endswith("/database-busy"), response.text
            read = client.get("/tags", params={"limit": "5"})
            answers.append(("", read.status_code, read.headers.get("content-type", "")))
    return answers


@pytest.mark.parametrize("execution", ["inline", "thread"])
def test_write_contention_is_503_or_success_never_500_and_nothing_is_half_written(
        tmp_path: Path, execution: str) -> None:
    env = {"FASTBACKEND_SQLITE_BUSY_TIMEOUT_MS": str(BUSY_TIMEOUT_MS),
           "FASTBACKEND_EXECUTION": execution}
    with uvicorn_server(BLOG_IR, None, env=env, workdir=tmp_path) as server:
        database = Path(sa.make_url(server.database_url).database or "")
        stop, holds = threading.Event(), [0]
        outside = threading.Thread(target=_outside_writer, args=(database, stop, holds))
        outside.start()
        try:
            deadline = time.monotonic() + TRAFFIC_SECONDS
            with ThreadPoolExecutor(CLIENTS) as pool:
                answers = [a for batch in pool.map(lambda n: _client(server.url, n, deadline),
                                                   range(CLIENTS), timeout=120) for a in batch]
        finally:
            stop.set()
            outside.join(timeout=30)
        assert "Traceback" not in server.log_text(), server.log_text()[-3000:]
    statuses = [status for _, status, _ in answers]
    created = {name for name, status, _ in answers if status == 201}
    refused = {name for name, status, _ in answers if name and status == 503}
    with sqlite3.connect(database) as check:
        stored = [name for (name,) in check.execute("SELECT name FROM tags")]
    figures = {"execution": execution, "requests": len(answers), "outside_holds": holds[0],
               "201": len(created), "503": len(refused),
               "200": statuses.count(200), "other": len(answers) - len(created) - len(refused)
               - statuses.count(200)}
    print("\nsqlite contention:", json.dumps(figures))
    assert set(statuses) <= {200, 201, 503}, figures
    assert refused and created and holds[0] >= 3, figures  # contention really happened
    assert all(ctype == "application/problem+json" for name, status, ctype in answers
               if status == 503)
    assert sorted(stored) == sorted(created), "a 201 is stored once, a 503 not at all"

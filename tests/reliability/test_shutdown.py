"""SIGTERM in the middle of mixed traffic at PROFILE.connections connections, on SQLite and
PostgreSQL: every request the server had received is finished and answered, the process exits
cleanly within EXIT_TIMEOUT, and the database holds every acknowledged write and nothing of the
writes that got no answer (no half-written transaction: batches of BATCH rows are all or nothing).

What uvicorn does on SIGTERM (server.py, checked against its source): at its next tick (every
0.1 s) it closes the listening socket, so new connections are refused; it closes idle keep-alive
connections; a connection with a request in progress gets `Connection: close` and is closed
after its response; it waits for every such request without a time limit (unless
--timeout-graceful-shutdown is given), then runs the application's lifespan shutdown (the
runtime closes its thread pool and its engine there) and exits. A request the client sent on an
idle keep-alive connection just as the server closed it is never read: the client sees the
connection drop, and nothing was done, which is what `unanswered_absent` checks.

Besides the mixed traffic, SLOW requests to a custom route (app/custom/slow.py, written by the
test) are received before the signal and do their database work after it: a transaction of two
rows that sleeps between them. They must all be answered, and both rows of each must be there.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests import local_http
from tests.e2e.processes import wait_until
from tests.reliability.loadgen import Sample, run_mixed, verify
from tests.reliability.profile import PROFILE
from tests.reliability.results import publish
from tests.reliability.servers import (
    BLOG_IR,
    DATABASES,
    EXIT_TIMEOUT,
    FACTORY,
    Server,
    database_url,
    uvicorn_server,
)

# Servers in subprocesses: the `make test` lane, not the inner loop (docs/testing.md).
pytestmark = pytest.mark.slow

LOAD_BEFORE_SIGNAL = max(2.0, PROFILE.load_seconds / 3)  # 2 s short, 20 s in the soak
BATCH = 50  # rows per create-many: multi-row transactions are in flight at the signal
SLOW = 4  # slow requests in flight at the signal
SLOW_RECEIPT_TIMEOUT = 20.0  # for the server to receive them, under load
SLOW_AFTER_SIGNAL = 0.5  # how long they keep working after the signal before their transaction

# Received before the signal (it says so with a file), its transaction only after it (the test
# creates `signalled` once the signal is sent): deterministic, whatever the machine's load.
SLOW_ROUTE = '''"""Still working when SIGTERM arrives (tests/reliability/test_shutdown.py)."""
import asyncio
import time
from pathlib import Path

import sqlalchemy as sa
from fastapi import APIRouter, Request

router = APIRouter()
FOLDER = Path({folder!r})


@router.post("/slow-pairs/{{name}}", status_code=201)
async def slow_pair(name: str, request: Request) -> dict[str, float]:
    (FOLDER / f"received-{{name}}").touch()
    for _ in range(2000):  # at most 20 s
        if (FOLDER / "signalled").exists():
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep({after_signal})  # still at work well after uvicorn stopped listening
    runtime = request.app.state.runtime
    tags = runtime.catalog.entity_table("Tag").table

    def two_rows(connection: sa.Connection) -> None:
        connection.execute(sa.insert(tags).values(name=name + "-a"))
        time.sleep(0.05)  # a transaction half done
        connection.execute(sa.insert(tags).values(name=name + "-b"))

    await runtime.database.write(two_rows)
    return {{"committed": time.monotonic()}}  # CLOCK_MONOTONIC: the test's clock too
'''


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest) -> Iterator[tuple[str, str | None]]:
    with database_url(request.param) as url:
        yield request.param, url


class _Terminator(threading.Thread):
    """After ``delay`` s, send the SLOW requests; once the server has received them, SIGTERM it;
    then wait (bounded) for it to exit and for the slow requests' answers."""

    def __init__(self, server: Server, delay: float, folder: Path) -> None:
        super().__init__(daemon=True)
        self.server, self.delay, self.folder = server, delay, folder
        self.signalled_at = 0.0
        self.exited_at = 0.0
        self.exit_code: int | None = None
        self.slow: list[httpx.Response | BaseException] = []
        self.failure: BaseException | None = None
        self.done = threading.Event()

    def run(self) -> None:
        try:
            time.sleep(self.delay)
            with ThreadPoolExecutor(SLOW) as pool:
                answers = [pool.submit(self._slow, n) for n in range(SLOW)]
                wait_until(lambda: len(list(self.folder.glob("received-*"))) == SLOW,
                           SLOW_RECEIPT_TIMEOUT, "the slow requests to be received")
                self.signalled_at = time.monotonic()
                self.server.process.send_signal(signal.SIGTERM)
                (self.folder / "signalled").touch()
                self.exit_code = self.server.wait_exit(EXIT_TIMEOUT)
                self.exited_at = time.monotonic()
                self.slow = [answer.result(timeout=EXIT_TIMEOUT) for answer in answers]
        except BaseException as error:  # reported by the test, in its own thread
            self.failure = error
        finally:
            self.done.set()

    def _slow(self, number: int) -> httpx.Response | BaseException:
        try:
            return local_http.post(f"{self.server.url}/slow-pairs/slow-{number}", timeout=EXIT_TIMEOUT)
        except httpx.HTTPError as error:
            return error


def test_sigterm_during_load(database: tuple[str, str | None], tmp_path: Path,
                             record_property: Callable[[str, object], None]) -> None:
    kind, url = database
    (tmp_path / "app" / "custom").mkdir(parents=True)
    (tmp_path / "app" / "custom" / "slow.py").write_text(
        SLOW_ROUTE.format(folder=str(tmp_path), after_signal=SLOW_AFTER_SIGNAL), "utf-8")
    with uvicorn_server(BLOG_IR, url, workdir=tmp_path) as server:
        terminator = _Terminator(server, LOAD_BEFORE_SIGNAL, tmp_path)
        terminator.start()
        report = run_mixed(server.url, LOAD_BEFORE_SIGNAL + EXIT_TIMEOUT, PROFILE.connections,
                           stop_when=terminator.done.is_set, seed=3, batch=BATCH)
        terminator.join(timeout=EXIT_TIMEOUT + 5)
        if terminator.failure is not None:
            raise terminator.failure
        problems = verify(report, server.database_url, unanswered_absent=True)
        pairs = _slow_pairs(server)
        log = server.log_text()

    signal_at = terminator.signalled_at - report.started_at
    # Sent: the whole request was in the server's socket before the signal (loopback).
    before: list[Sample] = []
    after: list[Sample] = []
    for sample in report.samples:
        sent_before = sample.sent is not None and sample.sent < signal_at
        (before if sent_before else after).append(sample)
    in_flight = [s for s in before if s.start + s.latency > signal_at]
    figures = {"database": kind, "profile": PROFILE.name, "load_average": os.getloadavg(),
               "load": report.figures(), "exit_code": terminator.exit_code,
               "signal_to_exit_s": round(terminator.exited_at - terminator.signalled_at, 3),
               "requests_before_signal": len(before), "in_flight_at_signal": len(in_flight),
               "in_flight_finished_s_after_signal": round(max(
                   (s.start + s.latency - signal_at for s in in_flight), default=0.0), 3),
               "after_signal": {"answered": len([s for s in after if s.status]),
                                "not_answered": sorted({s.error for s in after if not s.status})},
               "slow": [_seconds(answer, terminator.signalled_at) for answer in terminator.slow],
               "verify_problems": len(problems)}
    publish(f"shutdown-{kind}-{PROFILE.name}", figures, record_property)

    assert terminator.exit_code == 0, log[-3000:]
    # The SLOW requests are in flight at the signal by construction (received before it, their
    # transactions after it: checked below); how much of the mixed traffic also is depends on
    # the machine's load, so it is a figure (in_flight_at_signal), not a condition.
    assert len(terminator.slow) == SLOW
    unanswered = [s for s in before if s.status == 0]
    assert unanswered == [], unanswered[:5]  # every request sent before the signal: answered
    assert report.server_errors == [], report.server_errors[:5]
    assert report.unexpected == [], report.unexpected[:5]
    assert problems == [], problems[:20]
    for answer in terminator.slow:  # received before the signal, committed after it, answered
        assert isinstance(answer, httpx.Response) and answer.status_code == 201, answer
        assert answer.json()["committed"] > terminator.signalled_at + SLOW_AFTER_SIGNAL
    assert pairs == sorted(f"slow-{n}-{half}" for n in range(SLOW) for half in "ab")
    assert "Finished server process" in log and "Traceback" not in log, log[-3000:]
    assert "timeout graceful shutdown exceeded" not in log


def _slow_pairs(server: Server) -> list[str]:
    engine = sa.create_engine(server.database_url)
    try:
        with engine.connect() as connection:
            return sorted(connection.scalars(sa.text(
                "SELECT name FROM tags WHERE name LIKE 'slow-%'")))
    finally:
        engine.dispose()


def _seconds(answer: httpx.Response | BaseException, signalled_at: float) -> object:
    """A slow request's receipt and commit, in seconds from the signal."""
    if not isinstance(answer, httpx.Response) or answer.status_code != 201:
        return repr(answer)
    return {key: round(value - signalled_at, 3) for key, value in answer.json().items()}



def test_the_serve_entry_point_loads_nothing_heavy_before_its_handler() -> None:
    """`python -m fastbackend_fastapi.serve` imports the package first: if that pulled in FastAPI
    or SQLAlchemy (~1 s), a SIGTERM in that second would end the process with status 143."""
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, fastbackend_fastapi.serve; "
         "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'starlette', 'uvicorn', 'pydantic') "
         "if m in sys.modules))"],
        capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "[]", probe.stdout


def _catches_sigterm(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM yet (its SigCgt mask in /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the handler from /proc")
@pytest.mark.parametrize("moment", ["as-the-handler-is-installed", "once-the-app-serves"])
def test_sigterm_while_the_server_starts_exits_0(tmp_path: Path, moment: str) -> None:
    """The wrapper's handler is installed before uvicorn and the app load: a SIGTERM then (a
    deploy cancelled during start-up) is a clean stop too, not status 143 as with plain uvicorn.
    The signal goes the moment the process is seen to catch SIGTERM (observed, not slept for),
    and once more after the app serves."""
    (tmp_path / ".fastbackend").mkdir()
    shutil.copyfile(BLOG_IR, tmp_path / ".fastbackend" / "ir.json")
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "fastbackend_fastapi.serve", "--factory", FACTORY,
             "--host", "127.0.0.1", "--port", "0"],
            cwd=tmp_path, stdout=sink, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: _catches_sigterm(process.pid), EXIT_TIMEOUT * 4,
                   "the SIGTERM handler", process, log, interval=0.002)
        if moment == "once-the-app-serves":
            wait_until(lambda: b"Application startup complete" in log.read_bytes(),
                       EXIT_TIMEOUT * 4, "the app to start", process, log)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=EXIT_TIMEOUT * 4) == 0, log.read_text(errors="replace")
        assert b"Traceback" not in log.read_bytes()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=15)

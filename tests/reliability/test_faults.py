"""PostgreSQL stopped in the middle of mixed traffic, then started again (issue #11).

On a throwaway cluster (pgcluster.py), never the shared service: while it is down every request
gets a 503 problem+json quickly; once `pg_ctl start` has returned, service resumes within
RECOVERY_SECONDS with no 5xx; no acknowledged write is lost (loadgen.verify reads the database).
The figures are printed (pytest -s) for the issue note.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from tests import local_http
from tests.reliability.loadgen import Report, Sample, run_mixed, verify
from tests.reliability.pgcluster import Cluster, throwaway_cluster
from tests.reliability.profile import PROFILE
from tests.reliability.servers import BLOG_IR, uvicorn_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CONNECT_TIMEOUT = 2  # FASTBACKEND_CONNECT_TIMEOUT for the server under test (libpq's minimum)
POOL_TIMEOUT = 2.0  # FASTBACKEND_POOL_TIMEOUT
# From `pg_ctl start` returning: 0.15-0.2 s measured (docs/reliability.md). The bound is wide so
# a loaded machine cannot fail it, yet far below what a regression costs (waiting for the pool to
# recycle its dead connections, or never recovering).
RECOVERY_SECONDS = 10.0
# Seconds of traffic before the stop and after the start: the profile's load time around the
# outage (make soak: ~27 s each side), at least 2 s and 4 s (make test).
AROUND = max(0.0, PROFILE.load_seconds - PROFILE.outage_seconds) / 2
BEFORE_OUTAGE = max(2.0, AROUND)
AFTER_OUTAGE = max(4.0, AROUND)
PROBE_INTERVAL = 0.25
# The outage lasts its profile's seconds and until this many requests of the traffic have been
# made and answered while the database was down (on a loaded machine a few seconds may see none):
# what the test judges. HANG bounds that wait.
ANSWERED_WHILE_DOWN = 5
HANG = 60.0


@dataclass
class Outage:
    """Stops the cluster ``after`` seconds, starts it ``seconds`` later; records when (monotonic)
    and probes the API while it is down, keeping each probe's full answer."""

    cluster: Cluster
    base_url: str
    after: float
    seconds: float
    traffic: threading.Event = field(default_factory=threading.Event)  # set once it flows
    report: Report | None = None  # the traffic's, as it grows
    times: dict[str, float] = field(default_factory=dict)
    probes: list[tuple[str, float, httpx.Response]] = field(default_factory=list)
    failure: BaseException | None = None

    def traffic_flows(self) -> bool:
        """loadgen's stop_when: called before every request; it never stops the traffic."""
        self.traffic.set()
        return False

    def run(self) -> None:
        try:
            if not self.traffic.wait(timeout=60):
                raise AssertionError("the traffic did not start within 60 s")
            time.sleep(self.after)
            self.times["stop_begin"] = time.monotonic()
            self.cluster.stop()
            self.times["stop_end"] = time.monotonic()
            self._probe_until(self.times["stop_end"] + self.seconds)
            while self._answered_while_down() < ANSWERED_WHILE_DOWN:
                if time.monotonic() > self.times["stop_end"] + HANG:
                    raise AssertionError(f"the traffic had {self._answered_while_down()} answers "
                                         f"in {HANG} s with the database down")
                self._probe_until(time.monotonic() + PROBE_INTERVAL)
            self.times["start_begin"] = time.monotonic()
            self.cluster.start()
            self.times["start_end"] = time.monotonic()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.failure = error

    def traffic_done(self, report: Report) -> bool:
        """loadgen's until: the traffic goes on until the outage is over and AFTER_OUTAGE more."""
        self.report = report
        started = self.times.get("start_end")
        return started is not None and time.monotonic() >= started + AFTER_OUTAGE

    def _answered_while_down(self) -> int:
        if self.report is None:
            return 0
        down_since = self.times["stop_end"] - self.report.started_at
        return sum(1 for sample in list(self.report.samples) if sample.start >= down_since)

    def _probe_until(self, end: float) -> None:
        with local_http.client(base_url=self.base_url, timeout=CONNECT_TIMEOUT + 5) as client:
            for _ in range(int(self.seconds / PROBE_INTERVAL) + 1):
                if time.monotonic() >= end:
                    break
                for method, path, body in (("GET", "/posts/1", None), ("GET", "/posts", None),
                                           ("POST", "/tags", {"name": f"probe{time.time()}"})):
                    began = time.monotonic()
                    response = client.request(method, path, json=body)
                    self.probes.append((f"{method} {path}", time.monotonic() - began, response))
                time.sleep(PROBE_INTERVAL)
            time.sleep(max(0.0, end - time.monotonic()))


def test_postgres_stopped_under_load_gives_fast_503s_then_recovers(tmp_path: Path) -> None:
    env = {"FASTBACKEND_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
           "FASTBACKEND_POOL_TIMEOUT": str(POOL_TIMEOUT)}
    with throwaway_cluster() as cluster, \
            uvicorn_server(BLOG_IR, cluster.url, env=env, workdir=tmp_path) as server:
        outage = Outage(cluster, server.url, BEFORE_OUTAGE, PROFILE.outage_seconds)
        controller = threading.Thread(target=outage.run, name="outage")
        controller.start()
        total = BEFORE_OUTAGE + PROFILE.outage_seconds + AFTER_OUTAGE
        report = run_mixed(server.url, seconds=total, connections=PROFILE.connections,
                           stop_when=outage.traffic_flows, until=outage.traffic_done)
        controller.join(timeout=120)
        assert not controller.is_alive() and outage.failure is None, (outage.failure,
                                                                     cluster.log_tail())
        assert "Traceback" not in server.log_text(), server.log_text()[-3000:]
        lost = verify(report, cluster.url)
    at = {name: moment - report.started_at for name, moment in outage.times.items()}
    figures = _figures(report, at)
    print("\nfault figures:", json.dumps(figures, indent=1))

    down = _down(report, at)
    odd = [s for s in down if s.status != 503]
    assert down and not odd, (at, odd[:5])
    # A 503 that waited for the database would take the whole outage; they take milliseconds.
    assert max(s.latency for s in down) < PROFILE.outage_seconds, figures
    _assert_probes_are_problems(outage.probes)
    # In flight while it stopped or started: a 503 at worst, never another 5xx or no answer.
    assert {s.status for s in report.samples if s.status >= 500 or s.status == 0} <= {503}
    after = report.between(at["start_end"], float("inf"))
    assert after and all(s.status < 500 for s in after), figures
    assert figures["first_success_after_start_s"] <= RECOVERY_SECONDS, figures
    assert figures["last_error_after_start_s"] <= RECOVERY_SECONDS, figures
    assert not report.unexpected, report.unexpected[:5]
    assert lost == [], lost[:10]


def _assert_probes_are_problems(probes: list[tuple[str, float, httpx.Response]]) -> None:
    assert probes, "no probe ran while the database was down"
    for what, latency, response in probes:
        assert response.status_code == 503, (what, response.text)
        assert response.headers["content-type"] == "application/problem+json", what
        assert response.headers["retry-after"] == "1", what
        assert response.json()["type"].endswith("/database-unavailable"), response.text
        assert latency < PROFILE.outage_seconds, (what, latency)


def _down(report: Report, at: dict[str, float]) -> list[Sample]:
    """Requests made and answered while the database was stopped (one that overlaps
    `pg_ctl start` may well succeed)."""
    return [s for s in report.between(at["stop_end"], at["start_begin"])
            if _end(s) <= at["start_begin"]]


def _figures(report: Report, at: dict[str, float]) -> dict[str, object]:
    down = _down(report, at)
    unavailable = sorted(s.latency for s in down if s.status == 503)
    after = report.between(at["start_end"], float("inf"))
    settled = at["start_end"]
    first_success = next((s.start + s.latency for s in sorted(after, key=_end)
                          if s.status and s.status < 500), float("inf"))
    errors_after = [_end(s) for s in report.samples
                    if (s.status >= 500 or s.status == 0) and _end(s) > settled]
    return {
        "outage_s": round(at["start_begin"] - at["stop_end"], 2),
        "stop_s": round(at["stop_end"] - at["stop_begin"], 2),
        "start_s": round(at["start_end"] - at["start_begin"], 2),
        "requests": report.requests, "statuses": dict(sorted(report.statuses.items())),
        "requests_while_down": len(down), "503_while_down": len(unavailable),
        "503_latency_ms_p99": _ms(unavailable, 0.99), "503_latency_ms_max": _ms(unavailable, 1.0),
        "first_success_after_start_s": round(first_success - settled, 3),
        "last_error_after_start_s": round(max(errors_after, default=settled) - settled, 3),
        "5xx_started_after_start": sum(1 for s in after if s.status >= 500),
        "acknowledged_rows": len(report.acknowledged),
        "unknown_outcomes": len(report.unknown_creates) + len(report.uncertain),
    }


def _end(sample: Sample) -> float:
    return sample.start + sample.latency


def _ms(latencies: list[float], quantile: float) -> float:
    if not latencies:
        return 0.0
    return round(1000 * latencies[min(len(latencies) - 1, int(quantile * len(latencies)))], 1)


def test_one_lost_connection_invalidates_every_pooled_one() -> None:
    """SQLAlchemy's disconnect handling, which the runtime relies on instead of pool_pre_ping:
    the first error that reads as a disconnect replaces every connection pooled before it."""
    with throwaway_cluster() as cluster:
        engine = sa.create_engine(cluster.url, pool_size=3, max_overflow=0)
        try:
            held = [engine.connect() for _ in range(3)]
            for connection in held:
                connection.exec_driver_sql("SELECT 1")
                connection.close()  # back to the pool, alive
            cluster.stop()
            cluster.start()
            with engine.connect() as connection, pytest.raises(sa_exc.OperationalError) as lost:
                connection.exec_driver_sql("SELECT 1")
            assert lost.value.connection_invalidated
            for _ in range(3):  # the two others pooled before the error are replaced too
                with engine.connect() as connection:
                    assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1
        finally:
            engine.dispose()


@pytest.mark.parametrize("execution", ["thread", "async"])
def test_connections_pooled_before_a_restart_serve_again_without_an_error(
        tmp_path: Path, execution: str) -> None:
    """Nothing is sent while the database restarts, so every pooled connection is dead when
    traffic comes back: the first work on each runs again on a fresh connection."""
    if execution == "async":
        pytest.importorskip("greenlet", reason="async execution needs the optional greenlet")
    env = {"FASTBACKEND_POOL_SIZE": "4", "FASTBACKEND_MAX_OVERFLOW": "0",
           "FASTBACKEND_EXECUTION": execution}
    with throwaway_cluster() as cluster, \
            uvicorn_server(BLOG_IR, cluster.url, env=env, workdir=tmp_path) as server:
        with local_http.client(base_url=server.url, timeout=HANG) as client:
            author = client.post("/users", json={"email": "a@x.io"}).json()["id"]
        statuses = _concurrently(server.url, [("GET", "/posts", None)] * 16)
        assert set(statuses) == {200}
        cluster.stop()
        cluster.start()
        requests = [("GET", "/posts", None), ("GET", "/users/1", None),
                    ("POST", "/posts", {"body": "b", "status": "draft", "author_id": author})] * 6
        requests = [(m, p, b if b is None else {**b, "title": f"t{n}"})
                    for n, (m, p, b) in enumerate(requests)]
        statuses = _concurrently(server.url, requests)
        assert statuses.count(201) == 6 and set(statuses) == {200, 201}, statuses
        assert "Traceback" not in server.log_text(), server.log_text()[-3000:]


def _concurrently(base_url: str, requests: list[tuple[str, str, Any]]) -> list[int]:
    """Each request on its own thread and connection, all at once; their statuses in order."""
    def send(request: tuple[str, str, Any]) -> int:
        method, path, body = request
        with local_http.client(base_url=base_url, timeout=HANG) as client:
            return client.request(method, path, json=body).status_code

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests, timeout=60))

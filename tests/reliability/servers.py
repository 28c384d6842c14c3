"""A real uvicorn process serving an IR, for the reliability tests: loopback only, its output in
a log file, every wait bounded, always stopped.

    with uvicorn_server(BLOG_IR, postgres_url, workdir=tmp_path) as server:
        local_http.get(server.url + "/posts")
        server.rss_bytes()      # resident memory of the serving process
        server.terminate()      # SIGTERM, then the exit code (bounded wait)

The IR is copied to ``workdir/.fastbackend/ir.json`` so the SQLite default (a file beside the
IR) lands in the test's folder, never beside a golden file, and ``workdir`` is the project folder
(no fastbackend.yaml, no app/custom unless the test writes them).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.processes import answers, free_port, running, wait_until
from tests.services import temporary_mariadb_database, temporary_postgres_database

ROOT = Path(__file__).resolve().parents[2]
BLOG_IR = ROOT / "tests" / "golden" / "blog.ir.json"

FACTORY = "fastbackend_fastapi.asgi:create_app_from_env"
STARTUP_TIMEOUT = 60.0  # building the app from the IR, creating tables, importing FastAPI
EXIT_TIMEOUT = 30.0  # SIGTERM to exit: uvicorn drains in-flight requests first
# Access logs cost the server CPU at thousands of requests per second and fill the log with
# noise; errors and tracebacks still go to the log. The tests' clients keep connections open and
# idle between phases (racers between rounds, writers through an outage); on a busy machine a
# phase can outlast uvicorn's 5 s keep-alive default, the server then closes the idle connection
# and the client's next request fails with ReadError, which is not what any test is about.
DEFAULT_ARGS = ("--no-access-log", "--timeout-keep-alive", "600")
# For a fixture parametrized over the databases: `database_url(kind)` below.
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
             pytest.param("mariadb", marks=pytest.mark.mariadb)]


@dataclass
class Server:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    process: subprocess.Popen[bytes]
    log: Path  # uvicorn's stdout and stderr
    database_url: str  # what the server writes to (the SQLite file when none was given)

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_bytes(self) -> int:
        """Resident memory of the serving process (VmRSS in /proc/PID/status)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text("utf-8")
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                value, unit = line.split()[1:3]
                assert unit == "kB", line
                return int(value) * 1024
        raise AssertionError(f"no VmRSS in /proc/{self.process.pid}/status:\n{status}")

    def terminate(self, timeout: float = EXIT_TIMEOUT) -> int:
        """SIGTERM and the exit code (0 after a graceful stop); kill and fail if it has not
        exited within ``timeout``."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.wait_exit(timeout)

    def wait_exit(self, timeout: float = EXIT_TIMEOUT) -> int:
        """The exit code; kill and fail if the process is still running after ``timeout``."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
            raise AssertionError(f"server did not exit within {timeout} s:\n"
                                 f"{self.log_text()[-3000:]}") from None

    def log_text(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log.exists() else ""


@contextmanager
def uvicorn_server(ir_path: Path, database_url: str | None, *,
                   env: dict[str, str] | None = None, workdir: Path,
                   args: Sequence[str] = DEFAULT_ARGS) -> Iterator[Server]:
    """Serve ``ir_path`` with uvicorn's factory (one worker) until the block ends.

    ``database_url`` None means the SQLite default beside the copied IR. ``env`` adds to the
    environment (FASTBACKEND_* settings); ``args`` are uvicorn options. Yields once /healthz
    answers 200; on exit the process gets SIGINT, then SIGKILL after 15 s (processes.running).
    """
    ir_copy = workdir / ".fastbackend" / "ir.json"
    ir_copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ir_path, ir_copy)
    environment = {"FASTBACKEND_IR": str(ir_copy), **(env or {})}
    if database_url is not None:
        environment["DATABASE_URL"] = database_url
    port = free_port()
    # uvicorn through the runtime's wrapper, as the Docker image runs it: exit 0 after SIGTERM.
    command = [sys.executable, "-m", "fastbackend_fastapi.serve", "--factory", FACTORY,
               "--host", "127.0.0.1", "--port", str(port), *args]
    log = workdir / f"uvicorn-{port}.log"
    resolved = database_url or f"sqlite+pysqlite:///{ir_copy.parent.resolve() / 'app.db'}"
    with running(command, workdir, log, env=environment) as process:
        server = Server(f"http://127.0.0.1:{port}", process, log, resolved)
        wait_until(lambda: answers(server.url + "/healthz"), STARTUP_TIMEOUT,
                   f"uvicorn on port {port}", process, log)
        yield server


@contextmanager
def database_url(kind: str) -> Iterator[str | None]:
    """None for "sqlite" (the file beside the IR); a throwaway PostgreSQL or MariaDB database
    otherwise."""
    if kind == "sqlite":
        yield None
        return
    temporary = temporary_mariadb_database if kind == "mariadb" else temporary_postgres_database
    with temporary() as url:
        yield url

"""A throwaway PostgreSQL cluster that a fault test may stop and start: never the shared service.

The cluster lives in a temporary folder owned by the postgres user (initdb refuses to run as
root), listens on its own free loopback port with its socket in that folder, and is stopped and
removed however the test ends. Without initdb or runuser the test skips with the reason (and
fails when FASTBACKEND_REQUIRE_SERVICES=1, as in CI).

    with throwaway_cluster() as cluster:
        cluster.url            # postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
        cluster.stop()         # pg_ctl -m fast -w stop, bounded
        cluster.start()        # pg_ctl -w start, bounded
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import unavailable

PG_BIN = Path(os.environ.get("FASTBACKEND_PG_BIN", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"
START_SECONDS = 30  # pg_ctl -t: how long start and stop may wait
COMMAND_SECONDS = START_SECONDS + 10  # the subprocess bound around pg_ctl itself


@dataclass
class Cluster:
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=100")
        _pg_ctl("-D", str(self.data), "-o", options, "-l", str(self.log),
                "-t", str(START_SECONDS), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        _pg_ctl("-D", str(self.data), "-m", mode, "-t", str(START_SECONDS), "-w", "stop")

    def running(self) -> bool:
        done = _run_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"],
                                check=False)
        return done.returncode == 0

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def tools_missing() -> str | None:
    """Why a cluster cannot be made here, or None."""
    if shutil.which("runuser") is None:
        return "runuser is not installed (needed to run initdb as the postgres user)"
    for tool in ("initdb", "pg_ctl"):
        if not (PG_BIN / tool).exists():
            return f"{PG_BIN / tool} is missing (PostgreSQL 15 server binaries)"
    try:
        import pwd
        pwd.getpwnam(OS_USER)
    except KeyError:
        return f"there is no {OS_USER} user to own the cluster"
    if os.geteuid() != 0:
        return "runuser needs root to switch to the postgres user"
    return None


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A running cluster for the length of the block; stopped and removed afterwards."""
    reason = tools_missing()
    if reason is not None:
        unavailable(reason)
    folder = Path(tempfile.mkdtemp(prefix="fbpg-"))  # short: a socket path has 107 bytes
    try:
        shutil.chown(folder, OS_USER, OS_USER)
        cluster = Cluster(folder, _free_port())
        _run_as_postgres([str(PG_BIN / "initdb"), "-D", str(cluster.data), "-A", "trust",
                          "-U", "postgres", "--no-sync", "-E", "UTF8"])
        cluster.start()
        yield cluster
    finally:
        _stop_quietly(folder)
        shutil.rmtree(folder, ignore_errors=True)


def _stop_quietly(folder: Path) -> None:
    data = folder / "data"
    if not (data / "postmaster.pid").exists():
        return
    for mode in ("fast", "immediate"):
        done = _run_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", mode,
                                 "-t", "15", "-w", "stop"], check=False)
        if done.returncode == 0:
            return


def _pg_ctl(*arguments: str) -> None:
    _run_as_postgres([str(PG_BIN / "pg_ctl"), *arguments])


def _run_as_postgres(command: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["runuser", "-u", OS_USER, "--", *command], capture_output=True,
                          text=True, timeout=COMMAND_SECONDS, check=False, cwd="/")
    if check and done.returncode != 0:
        pytest.fail(f"{' '.join(command[:2])} failed ({done.returncode}): "
                    f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port

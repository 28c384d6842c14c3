"""Servers and watchers run as real processes: loopback only, every wait bounded, always stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests import local_http

FASTBACKEND = [sys.executable, "-c", "from fastbackend.cli.main import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(command: list[str], cwd: Path, log: Path,
            env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``command`` with its output in ``log`` (a file: a pipe nobody reads would fill up
    and block it); on exit, Ctrl-C it, then kill it if it has not stopped within 15 s."""
    # The test process's own settings must not reach the server: only what ``env`` says.
    environment = {key: value for key, value in os.environ.items()
                   if key != "DATABASE_URL" and not key.startswith("FASTBACKEND_")}
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=cwd, env={**environment, **(env or {})},
                                   stdout=output, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               process: subprocess.Popen[bytes] | None = None, log: Path | None = None,
               interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"process exited ({process.returncode}) while waiting for {what}:"
                                 f"\n{_tail(log)}")
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}:\n{_tail(log)}")


def _tail(log: Path | None) -> str:
    return "" if log is None or not log.exists() else log.read_text("utf-8", "replace")[-3000:]


def answers(url: str) -> bool:
    try:
        return local_http.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False

"""`fastbackend dev` with reload: a supervisor that recompiles before it restarts the server.

The supervisor holds the listening socket and hands it to each server process (uvicorn --fd),
so a new server starts while the old one still serves, and the old one stops only once the new
one is up. A compile error, or an app that fails to start, leaves the last good server serving.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import click

from fastbackend.cli.check import display
from fastbackend.cli.exit_codes import report_diagnostics
from fastbackend.cli.watching import Snapshot, WatchSet, changes
from fastbackend.diagnostics import CompileError
from fastbackend.sources import CONFIG_FILE, SourceSet

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
POLL_S = 0.2  # how often the supervisor looks up from waiting for changes (to see a SIGTERM)
READY_LINE = "Application startup complete"

Compile = Callable[[], tuple[SourceSet, bool]]  # recompile; (sources, whether the IR changed)


@dataclass
class Server:
    process: subprocess.Popen[str]
    ready: threading.Event
    forwarder: threading.Thread

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)
        self.forwarder.join(STOP_TIMEOUT_S)


def _forward(stream: IO[str], ready: threading.Event) -> None:
    """Copy the server's log to ours, and notice when it is ready."""
    for line in stream:
        sys.stderr.write(line)
        sys.stderr.flush()
        if READY_LINE in line:
            ready.set()
    stream.close()


class Supervisor:
    def __init__(self, factory: str, sources: SourceSet, recompile: Compile,
                 environment: dict[str, str], host: str, port: int) -> None:
        self.factory = factory
        self.watched = WatchSet.of(sources)
        self.before = self.watched.snapshot()  # an edit before the watches are in place counts
        self.recompile = recompile
        self.environment = environment
        self.listener = socket.create_server((host, port), reuse_port=False)
        self.listener.set_inheritable(True)
        self.server: Server | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        stop = self.stop
        # SIGTERM and Ctrl-C stop the loop, which then stops the server process (never an orphan
        # holding the port). A flag rather than KeyboardInterrupt: an exception raised wherever
        # the signal lands (inside a server swap, a lock wait) could skip that clean-up.
        previous = {number: signal.signal(number, lambda signum, frame: stop.set())
                    for number in (signal.SIGTERM, signal.SIGINT)}
        batches: queue.Queue[set[Path]] = queue.Queue()
        # Watch from before the first server starts, so an edit made while it starts counts.
        watcher = threading.Thread(target=_collect,
                                   args=(self.watched, self.before, stop, batches), daemon=True)
        watcher.start()
        try:
            self.server = self._start()
            if self.server is None:
                click.echo("error: the app did not start; fix it and save to retry", err=True)
            while not stop.is_set():
                try:
                    changed = batches.get(timeout=POLL_S)
                except queue.Empty:
                    continue
                self._reload(changed)
        finally:
            stop.set()
            watcher.join(STOP_TIMEOUT_S)
            for number, handler in previous.items():
                signal.signal(number, handler)
            if self.server is not None:
                self.server.stop()
            self.listener.close()

    def _reload(self, changed: set[Path]) -> None:
        names = ", ".join(sorted(display(path) for path in changed))
        click.echo(f"changed: {names}; recompiling", err=True)
        try:
            _, ir_changed = self.recompile()
        except CompileError as error:
            report_diagnostics(error)
            click.echo("the last good app keeps serving", err=True)
            return
        code_changed = any(self.watched.is_code(path) or path.name == CONFIG_FILE
                           for path in changed)
        if not ir_changed and not code_changed and self.server is not None:
            click.echo("the API is unchanged; no reload", err=True)
            return
        if self._swap() and ir_changed:
            # A reload never alters the database: a new field's column comes from a migration.
            click.echo("the IR changed: `fastbackend migrate --apply` brings the database along",
                       err=True)

    def _swap(self) -> bool:
        fresh = self._start()
        if fresh is None:
            click.echo("the new app did not start; the last good app keeps serving", err=True)
            return False
        if self.server is not None:
            self.server.stop()
        self.server = fresh
        click.echo(click.style("reloaded", fg="green"), err=True)
        return True

    def _start(self) -> Server | None:
        fd = self.listener.fileno()
        # --log-level info: readiness is read from uvicorn's "startup complete" line
        # dev_server asks to die with this process (no preexec_fn: threads are running here)
        command = [sys.executable, "-m", "fastbackend.cli.dev_server", str(os.getpid()),
                   self.factory, "--factory", "--fd", str(fd), "--log-level", "info"]
        process = subprocess.Popen(command, env={**os.environ, **self.environment},
                                   pass_fds=(fd,), stderr=subprocess.PIPE, text=True)
        assert process.stderr is not None
        ready = threading.Event()
        forwarder = threading.Thread(target=_forward, args=(process.stderr, ready), daemon=True)
        forwarder.start()
        server = Server(process, ready, forwarder)
        if _wait_ready(server, self.stop):
            return server
        server.stop()
        return None


def _collect(watched: WatchSet, before: Snapshot, stop: threading.Event,
             batches: queue.Queue[set[Path]]) -> None:
    for changed in changes(watched, stop, since=before):
        batches.put(changed)


def _wait_ready(server: Server, stop: threading.Event) -> bool:
    """True once the server says it is ready; False if it exits first, takes too long, or dev
    is asked to stop meanwhile."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and not stop.is_set():
        if server.ready.wait(0.1):
            return True
        if server.process.poll() is not None:
            return server.ready.is_set()
    return False

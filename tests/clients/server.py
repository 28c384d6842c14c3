"""A live runtime for real clients: uvicorn in a thread on a socket bound to port 0."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from fastbackend_fastapi import create_app
from fastbackend_ir import IR
from tests.e2e.processes import answers, wait_until


@contextmanager
def live_server(ir: IR, folder: Path) -> Iterator[str]:
    """The base URL of ``ir``'s runtime over a fresh SQLite file in ``folder``; stopped on exit."""
    app = create_app(ir, database_url=f"sqlite+pysqlite:///{folder / 'app.db'}",
                     custom_path=None)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: answers(f"{url}/healthz"), 30, "the runtime to answer /healthz")
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()

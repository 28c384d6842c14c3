"""A uvicorn server whose graceful shutdown answers the requests already in its sockets.

At shutdown uvicorn closes every idle keep-alive connection at once. A request a client wrote
on such a connection just before the signal can still sit in the kernel's receive buffer,
unread, because the event loop had not polled that socket yet (the later, the busier the
machine): closing the socket then answers it with a reset. The client cannot tell whether a
POST was processed, and nothing was. Before uvicorn's own shutdown, this server lets the loop
read what is already waiting on idle connections: each such request then starts, and uvicorn's
shutdown finds it answered or in flight (answers it with ``Connection: close``) before closing.
A request written after that point meets a closed connection, as HTTP allows (RFC 9112 §9.3.1).
"""

from __future__ import annotations

import asyncio
import importlib
import select
import socket
from typing import Any

import uvicorn

from fastbackend_fastapi.events import realtime

# Each round is one pass of the event loop; a socket with a whole request waiting is read in
# the first, so the bound only matters for a peer that keeps sending during shutdown.
MAX_DRAIN_ROUNDS = 100


class GracefulServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        realtime.close_all()  # open event streams end: uvicorn would wait for them
        for _ in range(MAX_DRAIN_ROUNDS):
            if not any(_idle_with_unread_bytes(c) for c in self.server_state.connections):
                break
            await asyncio.sleep(0)
        await super().shutdown(sockets)


def _idle_with_unread_bytes(connection: Any) -> bool:
    """An idle connection (no request in progress) whose socket has bytes the loop has not
    read: a request uvicorn's shutdown would close unanswered."""
    cycle = getattr(connection, "cycle", None)
    if cycle is not None and not cycle.response_complete:
        return False
    transport = getattr(connection, "transport", None)
    if transport is None or transport.is_closing():
        return False
    sock = transport.get_extra_info("socket")
    if sock is None or sock.fileno() < 0:
        return False
    readable, _, _ = select.select([sock.fileno()], [], [], 0)
    return bool(readable)


def install() -> None:
    """Make uvicorn's command line build this server (``uvicorn.main.run`` looks ``Server`` up
    in its module; ``uvicorn.main`` the attribute is the click command, hence importlib)."""
    command_line: Any = importlib.import_module("uvicorn.main")
    command_line.Server = GracefulServer

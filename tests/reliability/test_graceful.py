"""A request already in an idle keep-alive connection's socket when shutdown starts is answered.

The race behind `test_sigterm_during_load`'s rare "sent before the signal, never answered",
made deterministic: the request is written and the shutdown begins in one step of the event
loop, so the loop has not read the socket when uvicorn's shutdown looks at the connection.
"""

from __future__ import annotations

import asyncio
import socket

import pytest
import uvicorn
import uvloop

from fastbackend_fastapi.graceful import GracefulServer

REQUEST = b"GET / HTTP/1.1\r\nHost: test\r\n\r\n"


async def _hello(scope: dict[str, object], receive: object, send: object) -> None:
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200,  # type: ignore[operator]
                "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]


def _read_first_response(client: socket.socket) -> bytes:
    received = b""
    while not (b"\r\n\r\n" in received and received.endswith(b"ok")):
        chunk = client.recv(65536)
        assert chunk, received
        received += chunk
    return received


def _read_response(client: socket.socket) -> bytes:
    """Everything the server sends until it closes (b"" or a reset: nothing, or what came)."""
    received = b""
    try:
        while chunk := client.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


async def _answer_to_request_waiting_at_shutdown(server_class: type[uvicorn.Server],
                                                 http: str) -> bytes:
    config = uvicorn.Config(_hello, host="127.0.0.1", port=0, http=http, loop="none",
                            lifespan="off", log_level="warning")
    config.load()
    server = server_class(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup()
    port = server.servers[0].sockets[0].getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        client.sendall(REQUEST)  # a first request makes the connection an idle keep-alive one
        first = await asyncio.to_thread(_read_first_response, client)
        assert first.startswith(b"HTTP/1.1 200"), first
        client.sendall(REQUEST)  # in the socket, not yet read by the loop...
        answer = asyncio.create_task(asyncio.to_thread(_read_response, client))
        await server.shutdown()  # ...when the shutdown starts, in the same step
        return await asyncio.wait_for(answer, timeout=30)
    finally:
        client.close()


# What `python -m fastbackend_fastapi.serve` runs by default (uvicorn[standard]): uvloop and
# httptools; h11 and asyncio's own loop are the fallbacks.
LOOPS = {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}


@pytest.mark.parametrize("loop", sorted(LOOPS))
@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_a_request_waiting_in_an_idle_connection_is_answered_at_shutdown(http: str,
                                                                         loop: str) -> None:
    with asyncio.Runner(loop_factory=LOOPS[loop]) as runner:
        answer = runner.run(_answer_to_request_waiting_at_shutdown(GracefulServer, http))
    # Whole (then the server closes): with "Connection: close" if the drain left the request in
    # flight for uvicorn's shutdown, without it if the drain already saw it answered.
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"\r\n\r\nok"), answer


@pytest.mark.parametrize("loop", sorted(LOOPS))
@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_plain_uvicorn_closes_that_request_unanswered(http: str, loop: str) -> None:
    """Why GracefulServer exists: when this starts failing, uvicorn drains by itself and
    graceful.py can go."""
    with asyncio.Runner(loop_factory=LOOPS[loop]) as runner:
        answer = runner.run(_answer_to_request_waiting_at_shutdown(uvicorn.Server, http))
    assert answer == b"", answer

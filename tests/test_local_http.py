"""The tests reach the servers they start through tests/local_http.py, whose clients share one SSL
context: httpx's own build a verifying one each (about 30 ms of CPU), and the suite makes
thousands of clients."""

from __future__ import annotations

import gzip
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import local_http

TESTS = Path(__file__).resolve().parent
OWN_CLIENT = re.compile(r"\bhttpx\.(get|post|put|patch|delete|head|options|request|stream|"
                        r"Client|AsyncClient)\(")


def test_no_test_builds_its_own_httpx_client() -> None:
    offenders = [f"{path.relative_to(TESTS)}:{number}"
                 for path in sorted(TESTS.rglob("*.py")) if path.name != "local_http.py"
                 for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                 if OWN_CLIENT.search(line)]
    assert offenders == [], "use tests/local_http.py: " + ", ".join(offenders)


def test_the_shared_context_verifies_and_trusts_no_one() -> None:
    """Plain HTTP needs no context; should a test reach a TLS server, the handshake fails
    rather than trusting it."""
    assert local_http.NO_TLS.verify_mode.name == "CERT_REQUIRED"
    assert local_http.NO_TLS.check_hostname
    assert local_http.NO_TLS.cert_store_stats()["x509_ca"] == 0


# local_http.Connection against a server that answers as written below, one request at a time.
GZIPPED = gzip.compress(b'{"packed": true}')
ANSWERS: dict[bytes, bytes] = {
    b"/length": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nVary: a\r\nvary: b\r\n"
                b"Content-Length: 10\r\n\r\n{\"a\": [1]}",
    b"/chunked": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=latin-1\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n5\r\nh\xe9llo\r\n6;x=y\r\n world\r\n0\r\nT: t\r\n\r\n",
    b"/interim": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
    b"/gzip": b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s"
              % (len(GZIPPED), GZIPPED),
    b"/empty": b"HTTP/1.1 204 No Content\r\nX-Id: caf\xc3\xa9\r\n\r\n",
    b"/to-the-end": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil closed",
    b"/idle-close": b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye",  # then closed, unannounced
}


class Scripted:
    """Answers each request by its path (ANSWERS; any other sends the request back), a thread
    per connection; counts the connections it accepted."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.accepted = 0
        self.closed = threading.Semaphore(0)  # released as each connection is closed
        self.threads: list[threading.Thread] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed
            self.accepted += 1
            self.threads.append(threading.Thread(target=self._answer, args=(connection,)))
            self.threads[-1].start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            self._answer_each(connection)
        self.closed.release()

    def _answer_each(self, connection: socket.socket) -> None:
        received = b""
        while True:
            while b"\r\n\r\n" not in received:
                if not (data := connection.recv(65536)):
                    return
                received += data
            head, received = received.split(b"\r\n\r\n", 1)
            length = re.search(rb"(?im)^content-length: *(\d+)", head)
            while len(received) < (size := int(length.group(1)) if length else 0):
                received += connection.recv(65536)
            body, received = received[:size], received[size:]
            path = head.split(b" ")[1]
            echoed = head + b"\r\n\r\n" + body
            connection.sendall(ANSWERS.get(path) or b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                               % (len(echoed), echoed))
            if path in (b"/to-the-end", b"/idle-close"):
                return

    def close(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
        self.listener.close()
        for thread in (self.thread, *self.threads):
            thread.join(timeout=10)


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    server = Scripted()
    yield server
    server.close()


def test_a_connection_reads_every_framing_and_keeps_the_connection(scripted: Scripted) -> None:
    with local_http.Connection(scripted.url, timeout=5) as connection:
        first = connection.request("GET", "/length")
        assert (first.status_code, first.json()) == (200, {"a": [1]})
        assert first.headers["VARY"] == "a, b" and first.headers.get_list("vary") == ["a", "b"]
        chunked = connection.request("GET", "/chunked")
        assert chunked.text == "h\u00e9llo world" and "transfer-encoding" in chunked.headers
        assert connection.request("POST", "/interim").content == b"ok"  # the 100 skipped
        assert connection.request("GET", "/gzip").json() == {"packed": True}
        empty = connection.request("DELETE", "/empty")
        assert (empty.status_code, empty.content, empty.headers["x-id"]) == (204, b"", "caf\u00e9")
        assert scripted.accepted == 1  # one connection, kept alive
        assert connection.request("GET", "/to-the-end").content == b"until closed"
        assert connection.request("GET", "/idle-close").content == b"bye"
        # Once the server has closed it (else the next request races the close): then the
        # connection sees it closed and opens a new one.
        assert scripted.closed.acquire(timeout=10) and scripted.closed.acquire(timeout=10)
        assert connection.request("GET", "/length").status_code == 200  # a new connection
        assert scripted.accepted == 3


def test_a_connection_sends_what_httpx_sends(scripted: Scripted) -> None:
    """The same request line, header fields (repeats kept, one named like a default replaces
    it) and body, JSON encoded alike, and a target escaped where httpx escapes it."""
    headers = [("X-Request-ID", b"r-1"), ("prefer", b"a"), ("prefer", b"b"), ("accept", b"text/plain")]
    body = {"title": "\u00e9p\u00e9e", "n": [1, 2.5, None]}
    targets = ["/echo?where=%7B%22a%22%3A1%7D&sort=-id", "/echo?q=a b&r=\u00e9&s=100%", "/echo#x"]
    with (local_http.Connection(scripted.url, timeout=5) as connection,
          local_http.client(base_url=scripted.url, timeout=5) as client):
        for target in targets:
            for kwargs in ({"json": body}, {"content": b"raw"}, {}):
                ours = connection.request("PATCH", target, headers,
                                          json_body=kwargs.get("json", local_http.NO_JSON),
                                          content=kwargs.get("content"))  # type: ignore[arg-type]
                theirs = client.request("PATCH", target, headers=headers, **kwargs)
                assert _sent(ours.content) == _sent(theirs.content)
                assert ours.sent.fields == _sent(theirs.content)[1]


def _sent(echoed: bytes) -> tuple[str, list[tuple[str, str]], bytes]:
    """The request line, the header fields (names in lower case) and the body."""
    head, body = echoed.split(b"\r\n\r\n", 1)
    line, *fields = head.decode("latin-1").split("\r\n")
    return line, [(name.lower(), value.strip()) for name, value in
                  (field.split(":", 1) for field in fields)], body

"""httpx for the servers the tests start: plain HTTP on loopback.

httpx builds a verifying SSL context for every client it makes (about 30 ms of CPU: it loads the
CA bundle), and `httpx.get()` makes a client per call; the tests make thousands of them, polls
included. These share one context that trusts nothing, so TLS would fail closed.
tests/test_local_http.py keeps the tests on them."""

from __future__ import annotations

import codecs
import email.message
import json
import re
import select
import socket
import ssl
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, overload
from urllib.parse import urlsplit

import httpx

NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def client(**options: Any) -> httpx.Client:
    return httpx.Client(verify=NO_TLS, **options)


def async_client(**options: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(verify=NO_TLS, **options)


def request(method: str, url: str, **options: Any) -> httpx.Response:
    return httpx.request(method, url, verify=NO_TLS, **options)


def get(url: str, **options: Any) -> httpx.Response:
    return request("GET", url, **options)


def post(url: str, **options: Any) -> httpx.Response:
    return request("POST", url, **options)


def put(url: str, **options: Any) -> httpx.Response:
    return request("PUT", url, **options)


def patch(url: str, **options: Any) -> httpx.Response:
    return request("PATCH", url, **options)


def delete(url: str, **options: Any) -> httpx.Response:
    return request("DELETE", url, **options)


@contextmanager
def stream(method: str, url: str, **options: Any) -> Iterator[httpx.Response]:
    with httpx.stream(method, url, verify=NO_TLS, **options) as response:
        yield response


# A plain keep-alive HTTP/1.1 connection, for the parity suite's thousands of requests
# (tests/adapters/express/test_parity.py): httpx costs about 2 ms of CPU per request here (its
# models, httpcore and h11), this a fraction (docs/testing.md, "One worker for the Express tests").
# It sends what httpx sends (the same default headers, JSON encoded the same way) and reads what
# a server may answer: a Content-Length or chunked body, interim 1xx answers skipped, a body to
# the end of the connection, gzip or deflate.
DEFAULT_HEADERS = (("accept", "*/*"), ("accept-encoding", "gzip, deflate"), ("connection", "keep-alive"),
                   ("user-agent", f"python-httpx/{httpx.__version__}"))
HAS_BODY = ("POST", "PUT", "PATCH")
NO_JSON = object()  # `request()` without a JSON body (None is JSON's null)
# What a request target may hold as written (RFC 3986's unreserved and sub-delimiters, and a
# percent escape); anything else is escaped as httpx escapes it.
TARGET_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                              "-._~:/?@!$&'()*+,;=%")
LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


class Headers:
    """Header fields as a case-insensitive multimap: ``headers[name]`` and ``get`` join a
    repeated field's values with ", ", ``get_list`` gives each (as httpx.Headers does)."""

    def __init__(self, fields: Iterable[tuple[str, str]]) -> None:
        self.fields = [(name.lower(), value) for name, value in fields]

    def get_list(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.fields if key == name]

    @overload
    def get(self, name: str) -> str | None: ...

    @overload
    def get(self, name: str, default: str) -> str: ...

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self.get_list(name)
        return ", ".join(values) if values else default

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(key == name.lower() for key, _ in self.fields)


@dataclass(frozen=True)
class Answer:
    """A whole response, and the header fields of the request it answers."""

    status_code: int
    headers: Headers
    content: bytes
    sent: Headers

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        """The body decoded by its charset (UTF-8 when none), as httpx's ``text``."""
        charset = email.message.Message()
        charset["content-type"] = self.headers.get("content-type", "")
        encoding = charset.get_content_charset() or "utf-8"
        try:
            codecs.lookup(encoding)
        except LookupError:
            encoding = "utf-8"
        return self.content.decode(encoding, errors="replace")


class Connection:
    """One keep-alive connection to ``base_url`` (http://host:port), opened again when the server
    has closed it between two requests; one request at a time."""

    def __init__(self, base_url: str, timeout: float = 30) -> None:
        address = urlsplit(base_url)
        assert address.scheme == "http" and address.hostname and address.port, base_url
        self.base_url = base_url.rstrip("/")
        self.host, self.port, self.netloc = address.hostname, address.port, address.netloc
        self.timeout = timeout
        self.socket: socket.socket | None = None
        self.buffer = b""

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()
            self.socket = None
        self.buffer = b""

    def request(self, method: str, target: str, headers: Sequence[tuple[str, str | bytes]] = (),
                json_body: Any = NO_JSON, content: bytes | None = None) -> Answer:
        """Sends ``method target`` (a path with its query) with ``headers`` (each kept, repeats
        too; one named like a default replaces it) and a JSON or raw body; the whole answer."""
        given = [(name, value.decode("latin-1") if isinstance(value, bytes) else value)
                 for name, value in headers]
        names = {name.lower() for name, _ in given}
        if json_body is not NO_JSON:
            content = json.dumps(json_body, ensure_ascii=False, separators=(",", ":"),
                                 allow_nan=False).encode("utf-8")
        framed = "content-length" in names or "transfer-encoding" in names
        empty = content is None and method in HAS_BODY and not framed  # httpx sends a length 0
        fields = [("Host", self.netloc), *([("Content-Length", "0")] if empty else []),
                  *[(name, value) for name, value in DEFAULT_HEADERS if name not in names], *given]
        if content is not None:
            fields += [] if framed else [("Content-Length", str(len(content)))]
            if json_body is not NO_JSON and "content-type" not in names:
                fields.append(("Content-Type", "application/json"))
        head = f"{method} {_target(target)} HTTP/1.1\r\n" + "".join(
            f"{_field(name)}: {_field(value)}\r\n" for name, value in fields) + "\r\n"
        self._send(head.encode("latin-1") + (content or b""))
        answer = self._answer(method, Headers(fields))
        if answer.headers.get("connection", "").lower() == "close":
            self.close()
        return answer

    def _send(self, data: bytes) -> None:
        if self.socket is not None and select.select([self.socket], [], [], 0)[0]:
            self.close()  # readable while idle: the server closed it (keep-alive timeout)
        if self.socket is None:
            self.socket = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket.sendall(data)

    def _answer(self, method: str, sent: Headers) -> Answer:
        while True:
            lines = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            if not 100 <= status < 200 or status == 101:
                break  # an interim answer (100 Continue, 103) is skipped, as httpx does
        fields = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if line]
        headers = Headers(_decoded(fields))
        if method == "HEAD" or status in (204, 304):
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._chunked()
        elif (length := headers.get("content-length")) is not None:
            body = self._exactly(int(length))
        else:  # to the end of the connection
            body = self.buffer + self._rest()
            self.close()
        encoding = headers.get("content-encoding", "").lower()
        if encoding in ("gzip", "deflate"):
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS)
        else:
            assert encoding in ("", "identity"), f"unexpected Content-Encoding {encoding!r}"
        return Answer(status, headers, body, sent)

    def _receive(self) -> bytes:
        assert self.socket is not None
        data = self.socket.recv(65536)
        if not data:
            raise ConnectionError(f"{self.base_url} closed the connection mid-answer")
        return data

    def _until(self, end: bytes) -> bytes:
        """The bytes up to ``end``, taken off the buffer with ``end``."""
        while (index := self.buffer.find(end)) < 0:
            self.buffer += self._receive()
        found, self.buffer = self.buffer[:index], self.buffer[index + len(end):]
        return found

    def _exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self.buffer += self._receive()
        found, self.buffer = self.buffer[:size], self.buffer[size:]
        return found

    def _chunked(self) -> bytes:
        parts = []
        while size := int(self._until(b"\r\n").split(b";", 1)[0], 16):
            parts.append(self._exactly(size))
            self._until(b"\r\n")
        while self._until(b"\r\n"):  # trailer fields, then the empty line
            pass
        return b"".join(parts)

    def _rest(self) -> bytes:
        assert self.socket is not None
        parts = []
        while data := self.socket.recv(65536):
            parts.append(data)
        return b"".join(parts)


def _target(target: str) -> str:
    """The request target as httpx would send it: as written when RFC 3986 allows it."""
    if TARGET_CHARACTERS.issuperset(target) and not LONE_PERCENT.search(target):
        return target
    url = httpx.URL("http://h" + target)
    return url.raw_path.decode("ascii")


def _field(text: str) -> str:
    if "\r" in text or "\n" in text:
        raise ValueError(f"a header may not hold a line break: {text!r}")
    return text


def _decoded(fields: list[tuple[str, ...]]) -> list[tuple[str, str]]:
    """Header fields read as latin-1, turned into UTF-8 text when they are (as httpx guesses)."""
    try:
        return [(name.encode("latin-1").decode("utf-8"), value.encode("latin-1").decode("utf-8"))
                for name, value in fields]
    except UnicodeDecodeError:
        return [(name, value) for name, value in fields]

"""Big and hostile requests against a real uvicorn process, on both databases.

Each request goes over a raw socket (httpx refuses to send most of them): a fast 4xx, from the
app as problem+json, or, for what uvicorn's HTTP parser (h11) refuses before the app sees it,
uvicorn's own `400 Invalid HTTP request received.` in text/plain. Afterwards the server is
healthy: /healthz and a write answer, its log holds no traceback, and its resident memory did
not grow with the rounds of abuse.

What uvicorn (0.3x, h11) does itself, measured here: a request line or header block that is
still incomplete past h11's 16 KiB buffer (`--h11-max-incomplete-event-size`), a raw byte that
is not a token or visible ASCII in the request line (invalid UTF-8, NUL), and NUL or a bare
control byte in a header value are a plain-text 400 and the connection closes. A long request
line that arrives whole in one read (loopback delivers up to 64 KiB at once) reaches the app,
which answers 414 past its own 8 KiB limit: so both answers are accepted where the size alone
decides which layer sees it first.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.reliability.servers import BLOG_IR, DATABASES, Server, database_url, uvicorn_server

# Servers in subprocesses: the `make test` lane, not the inner loop (docs/testing.md).
pytestmark = pytest.mark.slow

HANG = 30.0  # seconds: a refusal takes milliseconds (the test prints its figures; docs/reliability.md);
# this bound only turns a hang or a runaway into a failure, whatever else the machine is doing.
# Memory is read after every abuse round. A leak grows it every round (a 10 MB body kept per
# round: 10 MiB each time); the C allocator grows it in one-off steps (a new arena, a higher
# high-water mark: +14 MiB in one round of six, at a different round each run, on PostgreSQL),
# so the median of the per-round growths is what must stay small, not the total.
ROUNDS = 6
RSS_GROWTH_PER_ROUND = 6 * 1024 * 1024  # bytes (measured: a median of 1-2 MiB)
UVICORN = "uvicorn"  # the answer came from uvicorn's parser, before the app
PROBLEMS = "https://fastbackend.dev/problems/"


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    seconds: float

    @property
    def kind(self) -> str:
        if self.content_type == "application/problem+json":
            return str(json.loads(self.body)["type"]).removeprefix(PROBLEMS)
        if self.content_type.startswith("text/plain") and b"Invalid HTTP request" in self.body:
            return UVICORN
        return self.content_type


def send(server: Server, data: bytes) -> Reply:
    """One request on its own connection to ``server`` (send_to)."""
    host, port = server.url.removeprefix("http://").split(":")
    return send_to((host, int(port)), data)


def send_to(address: tuple[str, int], data: bytes) -> Reply:
    """One request on its own connection; the reply as far as it came (a reset after the
    server answered and closed is what refusing a body mid-upload looks like)."""
    started = time.perf_counter()
    # HANG, not less: a 1,000-row batch took over 10 s on the Express server with the machine at
    # load average 12 (CI run 2 of #16); the bound is for a hang, the figures are printed.
    with socket.create_connection(address, timeout=HANG) as connection:
        with contextlib.suppress(OSError):  # the server answered and closed before the end
            connection.sendall(data)
        received = _receive(connection)
    seconds = time.perf_counter() - started
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 "), received[:300]
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    return Reply(int(lines[0].split()[1]), headers.get("content-type", ""), body, seconds)


def _receive(connection: socket.socket) -> bytes:
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
            if _complete(received):
                break
    except ConnectionResetError:
        pass
    return received


def _complete(received: bytes) -> bool:
    head, separator, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if separator and line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def request(method: str, target: bytes, headers: bytes = b"", body: bytes | None = None) -> bytes:
    length = b"" if body is None else b"Content-Length: %d\r\n" % len(body)
    return (method.encode() + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Connection: close\r\n" + headers + length + b"\r\n" + (body or b""))


JSON = b"Content-Type: application/json\r\n"
TEN_MB = b'{"email": "a@x.io", "name": "' + b"n" * 10_000_000 + b'"}'


def chunked(body: bytes, size: int = 65536) -> bytes:
    parts = (body[i:i + size] for i in range(0, len(body), size))
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


# name -> (raw request, accepted (status, kind) answers)
CASES: dict[str, tuple[bytes, set[tuple[int, str]]]] = {
    "10 MB body, Content-Length": (request("POST", b"/users", JSON, TEN_MB),
                                   {(413, "payload-too-large")}),
    "10 MB body, chunked": (request("POST", b"/users", JSON + b"Transfer-Encoding: chunked\r\n")
                            + chunked(TEN_MB), {(413, "payload-too-large")}),
    "100,000 [ in a create body": (request("POST", b"/users", JSON, b"[" * 100_000),
                                   {(400, "malformed-json")}),
    "100,000 { in a create body": (request("POST", b"/users", JSON,
                                           b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
                                   {(400, "malformed-json")}),
    "300,000 empty objects (1 MB)": (request("POST", b"/users/bulk", JSON,
                                             b"[" + b",".join([b"{}"] * 300_000) + b"]"),
                                     {(422, "validation-error")}),
    "80,000 unknown keys": (request("POST", b"/users", JSON,
                                    json.dumps({f"k{i}": 1 for i in range(80_000)}).encode()),
                            {(422, "validation-error")}),
    "100,000 [ in POST /query": (request("POST", b"/users/query", JSON,
                                         b'{"where": ' + b"[" * 100_000 + b"}"),
                                 {(400, "malformed-json")}),
    "100,000 [ in where= (300 KB URL)": (request("GET", b"/users?where=" + b"%5B" * 100_000),
                                         {(400, UVICORN), (414, "url-too-long")}),
    "3,000 [ in where= (9 KB URL)": (request("GET", b"/users?where=" + b"%5B" * 3_000),
                                     {(414, "url-too-long")}),
    "2,000 [ in where=": (request("GET", b"/users?where=" + b"[" * 2_000),
                          {(400, "invalid-parameter")}),
    "10,000 filter parameters (127 KB)": (
        request("GET", b"/users?" + b"&".join(b"email__ne=x%d" % i for i in range(10_000))),
        {(400, UVICORN), (414, "url-too-long")}),
    "1,000 parameters (6.9 KB)": (
        request("GET", b"/users?" + b"&".join(b"a%d=1" % i for i in range(1_000))),
        {(400, "too-many-parameters")}),
    "1 MB query string": (request("GET", b"/users?email=" + b"a" * 1_000_000),
                          {(400, UVICORN), (414, "url-too-long")}),
    "20 KB header": (request("GET", b"/users", b"X-Big: " + b"a" * 20_000 + b"\r\n"),
                     {(400, UVICORN), (431, "headers-too-large")}),
    "invalid UTF-8 in the path (raw)": (request("GET", b"/users/\xff\xfe"), {(400, UVICORN)}),
    "invalid UTF-8 in the path (%ff)": (request("GET", b"/users/%ff%fe"),
                                        {(400, "malformed-url")}),
    "invalid UTF-8 in the query (raw)": (request("GET", b"/users?email=\xff"),
                                         {(400, UVICORN)}),
    "invalid UTF-8 in the query (%ff)": (request("GET", b"/users?email=%ff%fe"),
                                         {(400, "malformed-url")}),
    "invalid UTF-8 in If-Match": (request("PATCH", b"/users/1", JSON + b"If-Match: \xff\xfe\r\n",
                                          b"{}"), {(400, "malformed-header")}),
    "invalid UTF-8 in Content-Type": (request("POST", b"/users", b"Content-Type: \xff\r\n", b"{}"),
                                      {(400, "malformed-header")}),
    "invalid UTF-8 in the JSON body": (request("POST", b"/users", JSON,
                                               b'{"email": "\xff\xfe", "name": "x"}'),
                                       {(400, "malformed-json")}),
    "NUL in the path (raw)": (request("GET", b"/users/\x00"), {(400, UVICORN)}),
    "NUL in the path (%00)": (request("GET", b"/users/1%00"), {(400, "malformed-url")}),
    "NUL in the query (%00)": (request("GET", b"/users?email=a%00b"), {(400, "malformed-url")}),
    "NUL in a header value": (request("GET", b"/users", b"X-A: a\x00b\r\n"), {(400, UVICORN)}),
    "NUL in a JSON string": (request("POST", b"/users", JSON,
                                     b'{"email": "a\\u0000b", "name": "x"}'),
                             {(422, "validation-error")}),
    "NUL in where=": (request("GET", b'/users?where={"name":"a\\u0000"}'),
                      {(400, "invalid-parameter")}),
    "1e400 in a body": (request("POST", b"/posts", JSON, b'{"title": "t", "author_id": 1e400}'),
                        {(422, "validation-error")}),
    "5,000-digit integer in a body": (request("POST", b"/posts", JSON,
                                              b'{"title": "t", "author_id": ' + b"9" * 5_000
                                              + b"}"), {(400, "malformed-json")}),
    "5,000-digit integer filter": (request("GET", b"/users?id=" + b"9" * 5_000),
                                   {(400, "invalid-parameter")}),
    "5,000-digit limit": (request("GET", b"/users?limit=" + b"9" * 5_000),
                          {(400, "invalid-parameter")}),
    "5,000-digit key": (request("GET", b"/users/" + b"9" * 5_000), {(404, "not-found")}),
    "limit=10^20": (request("GET", b"/users?limit=100000000000000000000"),
                    {(400, "invalid-parameter")}),
    "sort of 1,000 names": (request("GET", b"/users?sort=" + b",".join([b"name"] * 1_000)),
                            {(400, "invalid-parameter")}),
    "fields of 20,000 in POST /query": (
        request("POST", b"/users/query", JSON, json.dumps({"fields": ["id"] * 20_000}).encode()),
        {(400, "invalid-parameter")}),
    "include of 1,000 names": (request("GET", b"/users?include=" + b",".join([b"posts"] * 1_000)),
                               {(400, "invalid-parameter")}),
    "malformed cursor": (request("GET", b"/users?cursor=!!!.AAAA"), {(400, "invalid-parameter")}),
    "forged cursor": (request("GET", b"/users?cursor=eyJzIjoiaWQiLCJ2IjpbMV19.AAAAAAAAAAAAAAAA"),
                      {(400, "invalid-parameter")}),
    "100,000 ids in POST /query": (
        request("POST", b"/posts/query", JSON,
                json.dumps({"where": {"id": {"in": list(range(100_000))}}}).encode()),
        {(400, "invalid-parameter")}),
    "relation path of 500 steps": (request("GET", b"/posts?" + b"author.posts." * 250 + b"id=1"),
                                   {(400, "invalid-parameter")}),
}


@pytest.fixture(scope="module", params=DATABASES)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Server]:
    with database_url(request.param) as url, uvicorn_server(
            BLOG_IR, url, workdir=tmp_path_factory.mktemp("hostile-server")) as running:
        yield running


def healthy(server: Server) -> None:
    assert send(server, request("GET", b"/healthz")).status == 200
    created = send(server, request("POST", b"/users", JSON, b'{"email": "%d@x.io", "name": "n"}'
                                   % time.monotonic_ns()))
    assert created.status == 201, created.body


def test_each_hostile_request_is_a_fast_4xx_and_the_server_stays_well(server: Server) -> None:
    for _ in range(50):  # warm-up: imports, statement caches, the allocator's arenas
        healthy(server)
    answers = {name: send(server, data) for name, (data, _) in CASES.items()}
    readings = []
    for _ in range(ROUNDS):
        for name, (data, accepted) in CASES.items():
            reply = send(server, data)
            assert (reply.status, reply.kind) in accepted, (name, reply.status, reply.body[:300])
            assert reply.seconds < HANG, (name, reply.seconds)
            answers[name] = reply if reply.seconds > answers[name].seconds else answers[name]
            healthy(server)
        readings.append(server.rss_bytes())
    _report(answers, readings)
    growths = [after - before for before, after in itertools.pairwise(readings)]
    assert statistics.median(growths) < RSS_GROWTH_PER_ROUND, [r // 2**20 for r in readings]
    assert "Traceback" not in server.log_text(), server.log_text()[-3000:]


def _report(answers: dict[str, Reply], readings: list[int]) -> None:
    """The table for the issue note (pytest -s shows it)."""
    print(f"\nRSS after each round (MiB): {[round(r / 2**20, 1) for r in readings]}")
    for name, reply in answers.items():
        print(f"| {name} | {reply.status} | {reply.kind} | {reply.seconds * 1000:.1f} ms |")


def test_uvicorns_own_refusals_are_400_text_and_close(server: Server) -> None:
    """Proof of what uvicorn answers before the app: twenty 1 MB request lines in a row, each a
    400 read in full by the client (then the connection closes; a reset may follow)."""
    data = CASES["1 MB query string"][0]
    replies = [send(server, data) for _ in range(20)]
    assert {(reply.status, reply.kind) for reply in replies} == {(400, UVICORN)}
    assert max(reply.seconds for reply in replies) < HANG
    healthy(server)


def test_a_refused_upload_leaves_no_row(server: Server) -> None:
    for case in ("10 MB body, chunked", "10 MB body, Content-Length"):
        assert send(server, CASES[case][0]).status == 413
    listed = send(server, request("GET", b"/users?email=a@x.io"))
    assert listed.status == 200 and json.loads(listed.body)["meta"]["total"] == 0, listed.body

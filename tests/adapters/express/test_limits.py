"""The runtime's request and query limits on the emitted Express server (kitchen IR, PostgreSQL).

The cases are tests/reliability/test_hostile_requests.py's, sent over raw sockets (httpx refuses
most of them) to the real server: each is a fast 4xx problem+json with the runtime's status and
type. Node's HTTP parser (llhttp) sees the request first and refuses some of it itself with a
bare answer and no body, which the app never sees; the tests below pin those answers too (see
docs/express.md, "Limits").
"""

from __future__ import annotations

import itertools
import json
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.adapters.express.servers import Servers
from tests.reliability.test_hostile_requests import nested
from tests.reliability.test_hostile_server import JSON, TEN_MB, Reply, chunked, request, send_to

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

PROBLEMS = "https://fastbackend.dev/problems/"
HANG = 30.0  # seconds: a refusal takes milliseconds (the test prints its figures; docs/reliability.md);
# this bound only turns a hang or a runaway into a failure, whatever else the machine is doing.
MAX_LISTED = 100
MAX_BATCH = 1000
# The runtime's defaults (fastbackend_fastapi.query.limits.QueryLimits), the server's too.
MAX_WHERE_DEPTH, MAX_RELATION_DEPTH, MAX_CONDITIONS, MAX_LIST_VALUES = 10, 4, 256, 1000
NODE = "node"  # the answer came from Node's own parser: no body, the app never ran


class Raw:
    """Raw HTTP/1.1 requests to one server, each on its own connection."""

    def __init__(self, url: str) -> None:
        host, port = str(url).removeprefix("http://").rstrip("/").split(":")
        self.address = (host, int(port))

    def send(self, data: bytes) -> Reply:
        return send_to(self.address, data)

    def get(self, target: bytes, headers: bytes = b"") -> Reply:
        return self.send(request("GET", target, headers))

    def post(self, target: bytes, body: bytes, headers: bytes = JSON) -> Reply:
        return self.send(request("POST", target, headers, body))


def refused(reply: Reply, status: int, kind: str, within: float = HANG) -> dict[str, Any]:
    """A problem+json of this status and type, answered fast."""
    assert (reply.status, reply.kind) == (status, kind), reply.body[:300]
    found: dict[str, Any] = json.loads(reply.body)
    assert found["status"] == status
    assert reply.seconds < within, f"{reply.seconds:.2f} s"
    return found


def refused_by_node(reply: Reply, status: int) -> None:
    """Node's parser answered (`HTTP/1.1 400 Bad Request`, `431 ...`): no body, no media type."""
    assert (reply.status, reply.content_type, reply.body) == (status, "", b""), reply
    assert reply.seconds < HANG


@pytest.fixture
def raw(kitchen: httpx.Client) -> Iterator[Raw]:
    """The kitchen server with an employee, her report and a sample; healthy afterwards."""
    boss = kitchen.post("/employees", json={"name": "boss"}).json()
    kitchen.post("/employees", json={"name": "r", "manager_id": boss["id"]})
    kitchen.post("/samples", json={"label": "s"})
    yield Raw(str(kitchen.base_url))
    healthy(kitchen)


def healthy(client: httpx.Client) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/employees", params={"name": "boss"}).json()["meta"]["total"] == 1
    created = client.post("/employees", json={"name": "after"})
    assert created.status_code == 201
    assert client.delete(f"/employees/{created.json()['id']}").status_code == 204


# --- the request line and headers ---------------------------------------------------------------

def test_a_url_past_8_kib_is_414(raw: Raw) -> None:
    refused(raw.get(b"/employees?name=" + b"a" * 9_000), 414, "url-too-long")
    refused(raw.get(b"/employees?where=" + b"%5B" * 3_000), 414, "url-too-long")
    found = refused(raw.get(b"/employees/" + b"9" * 10_000), 414, "url-too-long")
    assert found["instance"] == ""  # a path that long is not echoed
    assert "POST .../query" in found["detail"]
    assert raw.get(b"/employees?name=" + b"a" * 7_000).kind != "url-too-long"


def test_past_the_url_and_header_limits_together_node_answers_431(raw: Raw) -> None:
    """Node's parser counts the request target and every header name and value together; the
    server lets it take the app's two limits plus 1 KiB, past which it answers a bare 431."""
    refused_by_node(raw.get(b"/employees?name=" + b"a" * 1_000_000), 431)
    refused_by_node(raw.get(b"/employees?" + b"&".join(b"name__ne=x%d" % i for i in range(10_000))),
                    431)  # 127 KB
    refused_by_node(raw.get(b"/employees", b"X-Big: " + b"a" * 30_000 + b"\r\n"), 431)


def test_more_than_100_parameters_is_400(raw: Raw) -> None:
    short = b"&".join(b"a%d=1" % i for i in range(1_000))  # 6.9 KB: inside the URL limit
    found = refused(raw.get(b"/employees?" + short), 400, "too-many-parameters")
    assert found["detail"] == "more than 100 query parameters"
    assert raw.get(b"/employees?name=x" + b"&" * 5_000).status == 200  # empty ones do not count
    at_most = raw.get(b"/employees?" + b"&".join(b"a%d=1" % i for i in range(100)))
    refused(at_most, 400, "invalid-parameter")  # unknown fields, but not too many of them


def test_headers_past_16_kib_are_431(raw: Raw) -> None:
    found = refused(raw.get(b"/employees", b"X-Big: " + b"a" * 20_000 + b"\r\n"), 431,
                    "headers-too-large")
    assert found["detail"] == "the headers are longer than 16384 bytes"
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(3_000))  # past Node's 2,000 kept headers
    refused(raw.get(b"/employees", many), 431, "headers-too-large")
    assert raw.get(b"/employees", b"X-Big: " + b"a" * 15_000 + b"\r\n").status == 200


@pytest.mark.parametrize("target", [
    b"/employees/%ff%fe", b"/employees/1%00", b"/employees?name=%ff%fe", b"/employees?%ff=1",
    b"/employees?name=a%00b", b"/samples?label=%00", b"/employees?name=a+%00",
    b"/employees?where=%7B%22name%22%3A%22%00%22%7D",
    b"/employees/1/reports?name=%c0%af",  # an overlong encoding of "/"
])
def test_invalid_utf8_and_nul_in_the_url_are_400(raw: Raw, target: bytes) -> None:
    found = refused(raw.get(target), 400, "malformed-url")
    assert "NUL" in found["detail"] or "UTF-8" in found["detail"]


@pytest.mark.parametrize("target", [b"/employees/\xff", b"/employees/\x00",
                                    b"/employees?name=\xc3", b"/employees/\x7f"])
def test_raw_bytes_in_the_request_line_are_nodes_400(raw: Raw, target: bytes) -> None:
    """llhttp takes only visible ASCII in the request target: the app never sees these."""
    refused_by_node(raw.get(target), 400)


def test_headers_the_server_reads_must_be_printable_ascii(raw: Raw, kitchen: httpx.Client) -> None:
    key = kitchen.get("/employees", params={"name": "boss"}).json()["data"][0]["id"]
    for name in (b"If-Match", b"If-None-Match"):
        for value in (b"\xff\xfe", "\u00e9".encode(), "\u00e9".encode("latin-1")):
            header = name + b": " + value + b"\r\n"
            if name == b"If-Match":
                reply = raw.send(request("PATCH", b"/employees/%d" % key, JSON + header,
                                         b'{"name": "x"}'))
            else:
                reply = raw.get(b"/employees/%d" % key, header)
            found = refused(reply, 400, "malformed-header")
            assert found["detail"] == f"the {name.decode()} header is not printable ASCII"
    refused(raw.post(b"/employees", b'{"name": "x"}', b"Content-Type: application/json\xff\r\n"),
            400, "malformed-header")
    # Headers the server does not read are the application's business (auth, custom routes).
    assert raw.get(b"/employees", b"X-Note: caf\xe9\r\n").status == 200


def test_nul_and_control_bytes_in_a_header_are_nodes_400(raw: Raw) -> None:
    refused_by_node(raw.get(b"/employees", b'If-None-Match: "a\x00b"\r\n'), 400)
    refused_by_node(raw.get(b"/employees", b"X-Note: a\x01b\r\n"), 400)


# --- bodies --------------------------------------------------------------------------------------

def test_a_10_mb_body_is_413_with_or_without_length(raw: Raw, kitchen: httpx.Client) -> None:
    body = TEN_MB.replace(b'"email": "a@x.io", ', b"")
    found = refused(raw.post(b"/employees", body), 413, "payload-too-large")
    assert found["detail"] == "the request body is larger than 1048576 bytes"
    refused(raw.send(request("POST", b"/employees", JSON + b"Transfer-Encoding: chunked\r\n")
                     + chunked(body)), 413, "payload-too-large")
    # Declared too long, whatever the media type: refused before it is read.
    refused(raw.post(b"/employees", body, b"Content-Type: text/plain\r\n"), 413,
            "payload-too-large")
    assert kitchen.get("/employees", params={"name__startswith": "nnn"}).json()["meta"]["total"] == 0


@pytest.mark.parametrize("body", [
    b"[" * 100_000, b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    b'{"name": "x", "manager_id": ' + b"[" * 100_000 + b"}", b'{"name": "\xff\xfe"}',
    b'{"name": "\\ud800"}', b'{"name": "\\udc00\\ud800"}',  # lone surrogates (U+FFFD before)
])
def test_deep_or_undecodable_json_bodies_are_400(raw: Raw, body: bytes) -> None:
    refused(raw.post(b"/employees", body), 400, "malformed-json")


def test_a_batch_is_at_most_1000_rows_and_a_problem_lists_at_most_100_errors(
        raw: Raw, kitchen: httpx.Client) -> None:
    found = refused(raw.post(b"/employees/bulk", b"[" + b",".join([b"{}"] * 300_000) + b"]"), 422,
                    "validation-error")
    assert [(e["pointer"], e["code"]) for e in found["errors"]] == [("", "too_long")]
    rows = json.dumps([{"name": "batch"}] * (MAX_BATCH + 1)).encode()
    refused(raw.post(b"/employees/bulk", rows), 422, "validation-error")
    refused(raw.post(b"/employees/1/reports", rows), 422, "validation-error")
    assert kitchen.get("/employees", params={"name": "batch"}).json()["meta"]["total"] == 0
    created = raw.post(b"/employees/bulk", json.dumps([{"name": "batch"}] * MAX_BATCH).encode())
    assert created.status == 201 and len(json.loads(created.body)) == MAX_BATCH
    assert kitchen.get("/employees", params={"name": "batch"}).json()["meta"]["total"] == MAX_BATCH
    unknown = json.dumps({f"k{i}": 1 for i in range(80_000)}).encode()
    found = refused(raw.post(b"/employees", unknown), 422, "validation-error")
    assert len(found["errors"]) == MAX_LISTED
    assert found["detail"] == f"80001 fields did not validate (the first {MAX_LISTED} are listed)"
    assert len(raw.post(b"/employees", unknown).body) < 20_000


# --- the query language --------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    b"where=" + b"%7B%22NOT%22%3A" * 300 + b"%7B%7D" + b"%7D" * 300,
    b"fields=" + b",".join([b"id"] * 65),  # sort: test_overlong_name_lists_in_a_query_body
    b"include=" + b",".join([b"reports"] * 65), b"include=reports.reports.reports.reports",
    b"manager." * 5 + b"name=x", b"sort=" + b"manager." * 5 + b"name",
    b"id__in=" + b",".join([b"1"] * 1_001), b"id__notin=" + b",".join([b"1"] * 1_001),
    b"where=%7B%22id%22%3A" + b"9" * 5_000 + b"%7D",  # PostgreSQL's out of range: a 500 before
    b"where=%7B%22id%22%3A1e400%7D", b"limit=1e400", b"id=" + b"9" * 5_000,
])
def test_list_parameters_past_the_limits_are_400(raw: Raw, query: bytes) -> None:
    found = refused(raw.get(b"/employees?" + query), 400, "invalid-parameter")
    assert found["detail"].startswith("query parameter '")


# How to nest one relation level, and how many where levels that level takes.
NESTINGS = {
    "manager": (lambda w: {"manager": w}, 1),
    "is": (lambda w: {"manager": {"is": w}}, 1),
    "some": (lambda w: {"reports": {"some": w}}, 1),
    "every": (lambda w: {"NOT": {"reports": {"every": w}}}, 2),
    "isNot": (lambda w: {"manager": {"isNot": w}}, 1),
}


@pytest.mark.parametrize("shape", NESTINGS)
def test_relation_nesting_is_served_to_the_limit_and_400_past_it(raw: Raw, shape: str) -> None:
    make, cost = NESTINGS[shape]
    deepest = nested(MAX_RELATION_DEPTH, make)
    room = MAX_WHERE_DEPTH - cost * MAX_RELATION_DEPTH
    for nots, status in ((0, 200), (room, 200), (room + 1, 400)):
        document = deepest
        for _ in range(nots):
            document = {"NOT": document}
        where = json.dumps(document).encode()
        reply = raw.post(b"/employees/query", b'{"where": ' + where + b"}")
        assert reply.status == status, (nots, reply.body[:300])
        related = raw.get(b"/employees/1/reports?where=" + quote(where).encode())
        assert related.status == status, (nots, related.body[:300])
    too_deep = json.dumps({"where": nested(MAX_RELATION_DEPTH + 1, make)})
    found = refused(raw.post(b"/employees/query", too_deep.encode()), 400, "invalid-parameter")
    assert "walks more than 4 relations" in found["detail"], found


def test_dot_paths_and_sorts_are_served_to_the_limit(raw: Raw) -> None:
    assert raw.get(b"/employees?" + b"manager." * MAX_RELATION_DEPTH + b"name=x").status == 200
    assert raw.get(b"/employees?sort=" + b"manager." * MAX_RELATION_DEPTH + b"name").status == 200
    assert raw.get(b"/employees/1/reports?" + b"manager." * MAX_RELATION_DEPTH
                   + b"name=x").status == 200
    found = refused(raw.get(b"/employees?" + b"reports." * 5 + b"name=x"), 400, "invalid-parameter")
    assert found["detail"] == f"query parameter '{'reports.' * 5}name': walks more than 4 relations"


def test_where_depth_and_size(raw: Raw) -> None:
    logical = nested(MAX_WHERE_DEPTH, lambda w: {"OR": [w, {"name": "y"}]})
    assert raw.post(b"/employees/query", json.dumps({"where": logical}).encode()).status == 200
    deeper = {"NOT": logical}
    found = refused(raw.post(b"/employees/query", json.dumps({"where": deeper}).encode()), 400,
                    "invalid-parameter")
    assert "nested deeper than 10 levels" in found["detail"]
    wide = {"OR": [{"name": str(i)} for i in range(MAX_CONDITIONS)]}  # 257 with the OR
    found = refused(raw.post(b"/employees/query", json.dumps({"where": wide}).encode()), 400,
                    "invalid-parameter")
    assert f"more than {MAX_CONDITIONS} conditions" in found["detail"]
    narrower = {"OR": [{"name": str(i)} for i in range(MAX_CONDITIONS - 1)]}
    assert raw.post(b"/employees/query", json.dumps({"where": narrower}).encode()).status == 200
    prefixes = ["".join(steps) for n in range(4)
                for steps in itertools.product(("manager.", "reports."), repeat=n)]
    filters = {f"{prefix}{field}__{op}": "1" for prefix in prefixes
               for field in ("id", "name", "manager_id", "store_id")
               for op in ("eq", "ne", "gt", "gte", "lt", "lte", "in", "notin")}
    assert len(filters) > MAX_CONDITIONS
    found = refused(raw.post(b"/employees/query", json.dumps(filters).encode()), 400,
                    "invalid-parameter")
    assert f"more than {MAX_CONDITIONS} conditions" in found["detail"]


def test_list_values_are_bounded_across_the_query(raw: Raw) -> None:
    ids = list(range(MAX_LIST_VALUES))
    assert raw.post(b"/employees/query",
                    json.dumps({"where": {"id": {"in": ids}}}).encode()).status == 200
    assert raw.get(b"/employees?id__in=" + ",".join(map(str, ids)).encode()).status == 200
    for where in ({"id": {"in": list(range(100_000))}},
                  {"OR": [{"id": {"in": ids}}, {"id": {"notIn": [1]}}]},
                  {"OR": [{"id": {"in": ids}}, {"id": {"notin": [1]}}]}):
        found = refused(raw.post(b"/employees/query", json.dumps({"where": where}).encode()), 400,
                        "invalid-parameter")
        assert f"more than {MAX_LIST_VALUES} list values in one query" in found["detail"]
    both = json.dumps({"id__in": ",".join(["1"] * MAX_LIST_VALUES), "where": {"id": {"in": [2]}}})
    refused(raw.post(b"/employees/query", both.encode()), 400, "invalid-parameter")


def test_overlong_name_lists_in_a_query_body(raw: Raw) -> None:
    for name in ("fields", "include", "sort"):
        value = ",".join([{"fields": "id", "include": "reports", "sort": "name"}[name]] * 20_000)
        found = refused(raw.post(b"/employees/query", json.dumps({name: value}).encode()), 400,
                        "invalid-parameter")
        assert found["detail"] == f"query parameter '{name}': more than 64 names"


# --- configuration -------------------------------------------------------------------------------

def test_limits_are_configurable_from_the_environment(express_servers: Servers,
                                                      kitchen: httpx.Client) -> None:
    server = Raw(express_servers.another_instance("kitchen", environment={
        "FASTBACKEND_MAX_URL_BYTES": "200000", "FASTBACKEND_MAX_QUERY_PARAMS": "20000",
        "FASTBACKEND_MAX_LIST_VALUES": "5", "FASTBACKEND_MAX_RELATION_DEPTH": "1",
        "FASTBACKEND_MAX_BODY_BYTES": "1000", "FASTBACKEND_MAX_HEADER_BYTES": "40000",
    }).url)
    many = b"&".join(b"name__ne=x%d" % i for i in range(10_000))  # 127 KB: now within both limits
    found = refused(server.get(b"/employees?" + many), 400, "invalid-parameter")
    assert found["detail"] == "query parameter 'name__ne': given more than once"
    refused(server.get(b"/employees?id__in=1,2,3,4,5,6"), 400, "invalid-parameter")
    assert server.get(b"/employees?id__in=1,2,3,4,5").status == 200
    refused(server.get(b"/employees?manager.manager.name=x"), 400, "invalid-parameter")
    assert server.get(b"/employees?manager.name=x").status == 200
    assert server.get(b"/employees", b"X-Big: " + b"a" * 30_000 + b"\r\n").status == 200
    found = refused(server.post(b"/employees", b'{"name": "' + b"n" * 1_000 + b'"}'), 413,
                    "payload-too-large")
    assert found["detail"] == "the request body is larger than 1000 bytes"


def test_page_sizes_and_seconds_follow_the_contracts_table(express_servers: Servers) -> None:
    """The runtime's variables and rule (fastbackend_contract.tables.LIMITS): the server read only
    FASTBACKEND_MAX_LIMIT before, and refused a fraction of a second."""
    server = Raw(express_servers.another_instance("kitchen", environment={
        "FASTBACKEND_MAX_PAGE_SIZE": "7", "FASTBACKEND_DEFAULT_LIMIT": "3",
        "FASTBACKEND_BODY_TIMEOUT_SECONDS": "2.5"}).url)
    found = refused(server.get(b"/employees?limit=8"), 400, "invalid-parameter")
    assert found["detail"] == "query parameter 'limit': must be between 1 and 7"
    reply = server.get(b"/employees")
    assert reply.status == 200 and json.loads(reply.body)["meta"]["limit"] == 3
    stalled = server.send(b"POST /samples HTTP/1.1\r\nHost: 127.0.0.1\r\n" + JSON + STALLED[0])
    assert "2.5 s" in refused(stalled, 408, "request-timeout")["detail"]


STALLED = [
    b"Content-Length: 100\r\n\r\n" + b'{"label": ',  # 10 of the 100 bytes announced
    b"Transfer-Encoding: chunked\r\n\r\n" + b'a\r\n{"label": \r\n',  # no last chunk
]


def test_a_body_that_never_completes_is_408(express_servers: Servers) -> None:
    """As the runtime (tests/reliability/test_stalled_bodies.py): the body timeout, here 1 s
    (FASTBACKEND_BODY_TIMEOUT_SECONDS), then a 408 problem+json and the connection closes."""
    server = Raw(express_servers.another_instance("kitchen", environment={
        "FASTBACKEND_BODY_TIMEOUT_SECONDS": "1"}).url)
    for partial in STALLED:
        reply = server.send(b"POST /samples HTTP/1.1\r\nHost: 127.0.0.1\r\n" + JSON + partial)
        found = refused(reply, 408, "request-timeout")
        assert "1 s" in found["detail"] and reply.seconds >= 1
        assert server.get(b"/healthz").status == 200


def test_a_client_that_leaves_mid_body_is_one_line_without_a_stack_trace(
        express_servers: Servers) -> None:
    """As the runtime (tests/reliability/test_stalled_bodies.py): one line, no stack trace, no
    "unexpected error"; the server serves on. The timeout is long here, so a line can only come
    from the disconnect."""
    instance = express_servers.another_instance("kitchen", environment={
        "FASTBACKEND_BODY_TIMEOUT_SECONDS": "600"})
    log = instance.project / f"server-{instance.url.rsplit(':', 1)[1]}.log"
    server = Raw(instance.url)
    line = "client disconnected before sending the whole body of POST /samples"
    for number, partial in enumerate(STALLED, start=1):
        with socket.create_connection(server.address, timeout=HANG) as connection:
            connection.sendall(b"POST /samples HTTP/1.1\r\nHost: 127.0.0.1\r\n" + JSON + partial)
        deadline = time.monotonic() + HANG
        while log.read_text().count(line) < number and time.monotonic() < deadline:
            time.sleep(0.05)
        assert log.read_text().count(line) == number, log.read_text()
    text = log.read_text()
    assert "unexpected error" not in text and "    at " not in text, text
    assert server.get(b"/healthz").status == 200

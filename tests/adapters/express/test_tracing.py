"""OpenTelemetry traces on both servers from the same variables (FASTBACKEND_TRACING=1,
OTEL_SERVICE_NAME): one exchange against each, the runtime's spans from the SDK's in-memory
exporter, the Express server's as its OTLP/HTTP exporter sends them (JSON) to a collector this
test runs; both give the same request spans (name, `http.route`, status, entity, operation,
request id), each over its SQL statements, and a caller's `traceparent` continues its trace
(docs/operations.md, "Traces"). With tracing off, the Express server loads no OpenTelemetry SDK."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.adapters.express.operations import express_blog, fastapi_blog
from tests.adapters.express.servers import Servers, start_command

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
ENV = {"FASTBACKEND_TRACING": "1", "OTEL_SERVICE_NAME": "blog-traced"}
# The exchange: (method, path, body, headers); the request id names each request's span.
EXCHANGE: tuple[tuple[str, str, dict[str, str] | None, dict[str, str]], ...] = (
    ("POST", "/users", {"email": "t@x.io"}, {"X-Request-ID": "trace-create"}),
    ("GET", "/users/1/posts", None, {"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}),
    ("POST", "/users", {"email": "t@x.io"}, {"X-Request-ID": "trace-refused"}),
    ("GET", "/nowhere", None, {"X-Request-ID": "trace-unmatched"}),
)
REQUEST_IDS = ("trace-create", TRACE_ID, "trace-refused", "trace-unmatched")
STATUSES = [201, 200, 409, 404]
# What the servers' request spans must agree on (the HTTP instrumentations' older semantic
# conventions, both servers' default).
COMPARED = ("http.method", "http.route", "http.status_code", "fastbackend.entity",
            "fastbackend.operation", "fastbackend.request_id")
WAIT_SECONDS = 15


@dataclass(frozen=True)
class Span:
    """One span, from either exporter: ids in hex, the kind in lower case."""

    name: str
    kind: str
    trace_id: str
    span_id: str
    parent_id: str | None
    attributes: dict[str, Any]


def from_sdk(span: ReadableSpan) -> Span:
    assert span.context is not None
    parent = None if span.parent is None else format(span.parent.span_id, "016x")
    return Span(span.name, span.kind.name.lower(), format(span.context.trace_id, "032x"),
                format(span.context.span_id, "016x"), parent, dict(span.attributes or {}))


OTLP_KINDS = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def _value(value: dict[str, Any]) -> Any:
    (kind, found), = value.items()  # OTLP/JSON: {"stringValue": ...}, {"intValue": "200"}, ...
    return int(found) if kind == "intValue" else found


def from_otlp(body: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Span]]:
    """(resource attributes, span) of an OTLP/JSON ExportTraceServiceRequest."""
    for resource in body["resourceSpans"]:
        attributes = {a["key"]: _value(a["value"]) for a in resource["resource"]["attributes"]}
        for scope in resource["scopeSpans"]:
            for span in scope["spans"]:
                yield attributes, Span(
                    span["name"], OTLP_KINDS[span["kind"]], span["traceId"], span["spanId"],
                    span.get("parentSpanId") or None,
                    {a["key"]: _value(a["value"]) for a in span.get("attributes", [])})


class Collector(BaseHTTPRequestHandler):
    """A stand-in OTLP/HTTP collector: keeps the JSON bodies POSTed to /v1/traces."""

    protocol_version = "HTTP/1.1"  # the exporter keeps its connection and sends chunked bodies
    received: ClassVar[list[tuple[str, str, dict[str, Any]]]] = []

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers["Content-Length"]))
        body = b""
        while size := int(self.rfile.readline().split(b";")[0], 16):
            body += self.rfile.read(size)
            self.rfile.readline()
        self.rfile.readline()
        return body

    def do_POST(self) -> None:
        body = self._body()
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.received.append((self.path, self.headers["Content-Type"], json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    Collector.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def exchange(client: Any) -> list[int]:
    return [client.request(method, path, json=body, headers=headers).status_code
            for method, path, body, headers in EXCHANGE]


def collected(received: list[tuple[str, str, dict[str, Any]]]) -> list[Span]:
    """The spans the Express server sent, once every request's span has arrived (a request's
    span ends last of its own: its statements' are sent with it or before)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        spans = [span for _, _, body in list(received) for _, span in from_otlp(body)]
        ids = {span.attributes.get("fastbackend.request_id") for span in spans}
        if set(REQUEST_IDS) <= ids or time.monotonic() > deadline:
            return spans
        time.sleep(0.05)


def requests_of(spans: list[Span]) -> list[Span]:
    """The exchange's request spans, in its order (not the harness's health checks)."""
    by_id = {span.attributes.get("fastbackend.request_id"): span for span in spans
             if span.kind == "server"}
    return [by_id[request_id] for request_id in REQUEST_IDS]


def statements(spans: list[Span], request: Span) -> list[str]:
    """The SQL of the client spans under ``request`` (at any depth: Prisma's are under its
    operation's span), as each instrumentation records it."""
    children: dict[str, list[Span]] = {}
    for span in spans:
        if span.trace_id == request.trace_id and span.parent_id is not None:
            children.setdefault(span.parent_id, []).append(span)
    found, todo = [], [request]
    while todo:
        for child in children.get(todo.pop().span_id, []):
            todo.append(child)
            sql = child.attributes.get("db.statement", child.attributes.get("db.query.text"))
            if child.kind == "client" and sql is not None:
                found.append(str(sql))
    return found


def verbs(sql: list[str]) -> set[str]:
    return {text.split(None, 1)[0].upper() for text in sql}


def test_both_servers_trace_alike(express_servers: Servers, monkeypatch: pytest.MonkeyPatch,
                                  tmp_path: Path, collector: str) -> None:
    server = express_servers.get("blog")
    server.reset()
    exporter = InMemorySpanExporter()
    with fastapi_blog(express_servers, ENV, monkeypatch, tmp_path) as fastapi:
        fastapi.app.state.tracer_provider.add_span_processor(  # type: ignore[attr-defined]
            SimpleSpanProcessor(exporter))
        assert exchange(fastapi) == STATUSES
    runtime = [from_sdk(span) for span in exporter.get_finished_spans()]
    server.reset()
    # spans leave in batches every 50 ms rather than 5 s: the test waits less
    with express_blog(express_servers, {**ENV, "OTEL_EXPORTER_OTLP_ENDPOINT": collector + "/",
                                        "OTEL_BSP_SCHEDULE_DELAY": "50"}) as express:
        assert exchange(express) == STATUSES
        node = collected(Collector.received)

    assert {(path, kind) for path, kind, _ in Collector.received} == {
        ("/v1/traces", "application/json")}
    assert {resource["service.name"] for _, _, body in Collector.received
            for resource, _ in from_otlp(body)} == {"blog-traced"}
    expected = requests_of(runtime)
    assert [(span.name, [span.attributes.get(key) for key in COMPARED]) for span in expected] == [
        ("POST /users", ["POST", "/users", 201, "User", "create", "trace-create"]),
        ("GET /users/{key}/posts", ["GET", "/users/{key}/posts", 200, "User", "list:posts",
                                    TRACE_ID]),
        ("POST /users", ["POST", "/users", 409, "User", "create", "trace-refused"]),
        ("GET unmatched", ["GET", "unmatched", 404, None, None, "trace-unmatched"])]
    got = requests_of(node)
    assert [(span.name, [span.attributes.get(key) for key in COMPARED]) for span in got] == \
        [(span.name, [span.attributes.get(key) for key in COMPARED]) for span in expected]

    for spans, requests in ((runtime, expected), (node, got)):
        # the caller's trace continues: its trace id, under its span
        assert (requests[1].trace_id, requests[1].parent_id) == (TRACE_ID, PARENT_ID)
        assert requests[0].trace_id != TRACE_ID and requests[0].parent_id is None
        assert {"SELECT"} <= verbs(statements(spans, requests[1]))  # the user, then the page
        assert "INSERT" in verbs(statements(spans, requests[0]))
        assert "INSERT" in verbs(statements(spans, requests[2]))  # the one the database refused
        assert statements(spans, requests[3]) == []


def loaded_packages(project: Path, tracing: str) -> set[str]:
    """The OpenTelemetry packages (CommonJS, so in require.cache) loaded once the start
    command's instrumentation has run."""
    script = ("console.log(JSON.stringify(Object.keys(require.cache)"
              ".filter((p) => p.includes('/@opentelemetry/'))"
              ".map((p) => p.split('/@opentelemetry/')[1].split('/')[0])))")
    node, *options = start_command(project)[:-1]  # without the server: an empty script
    done = subprocess.run([shutil.which(node) or node, *options, "-e", script], cwd=project,
                          env={"PATH": "", "FASTBACKEND_TRACING": tracing}, capture_output=True,
                          text=True, timeout=60, check=True)
    return set(json.loads(done.stdout))


def test_tracing_off_loads_no_sdk(express_servers: Servers) -> None:
    """Off (the default), the start command's instrumentation loads no SDK, instrumentation or
    exporter (prom-client loads the API, a no-op without an SDK) and registers no loader hook;
    on, a server started without it refuses to start rather than trace nothing."""
    project = express_servers.get("blog").project
    assert {"sdk-trace-node", "instrumentation-http", "exporter-trace-otlp-http"} <= \
        loaded_packages(project, "1")
    assert loaded_packages(project, "0") == set()
    node = start_command(project)[0]
    done = subprocess.run([shutil.which(node) or node, "dist/server.js"], cwd=project,
                          env={"FASTBACKEND_TRACING": "1", "DATABASE_URL": "postgresql://x@127.0.0.1:1/x"},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "node --import ./dist/instrument.js dist/server.js" in done.stderr

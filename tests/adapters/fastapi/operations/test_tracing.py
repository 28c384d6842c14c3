"""OpenTelemetry: a request span with a child span per SQL statement, collected by the SDK's
in-memory exporter, with the route template, entity, operation, status and request id."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from starlette.testclient import TestClient

from tests.adapters.fastapi.operations.conftest import MakeOps

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def traced(make_ops: MakeOps) -> tuple[TestClient, InMemorySpanExporter]:
    client = make_ops({"tracing": {"enabled": True, "service_name": "blog-test"}})
    exporter = InMemorySpanExporter()
    provider = client.app.state.tracer_provider  # type: ignore[attr-defined]
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return client, exporter


def server_span(spans: tuple[ReadableSpan, ...]) -> ReadableSpan:
    found = [span for span in spans if span.kind == SpanKind.SERVER]
    assert len(found) == 1, [span.name for span in spans]
    return found[0]


def statements(spans: tuple[ReadableSpan, ...], parent: ReadableSpan) -> list[ReadableSpan]:
    assert parent.context is not None
    return [span for span in spans if span.kind == SpanKind.CLIENT
            and span.parent is not None and span.parent.span_id == parent.context.span_id
            and span.context is not None and span.context.trace_id == parent.context.trace_id]


def status(span: ReadableSpan) -> object:
    """The status attribute by the HTTP semantic conventions the instrumentation follows (the
    stable name with OTEL_SEMCONV_STABILITY_OPT_IN=http, else the older one)."""
    assert span.attributes is not None
    return span.attributes.get("http.response.status_code", span.attributes.get("http.status_code"))


def test_off_by_default(make_ops: MakeOps) -> None:
    assert not hasattr(make_ops().app.state, "tracer_provider")  # type: ignore[attr-defined]


def test_tracing_has_one_switch_fastbackend_yaml(make_ops: MakeOps,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A tracer provider set globally (by another library, say) gets no span from the runtime
    with tracing off: FastAPI's own telemetry, which would record one, is off (it costs every
    request a look at the global providers). A plain FastAPI app, beside it, records one."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)
    client = make_ops()
    assert client.get("/users").status_code == 200
    assert exporter.get_finished_spans() == ()
    plain = FastAPI()
    plain.get("/ping")(lambda: {"pong": True})
    with TestClient(plain) as other:
        assert other.get("/ping").status_code == 200
    assert SpanKind.SERVER in [span.kind for span in exporter.get_finished_spans()]


def test_a_list_is_a_request_span_over_its_statements(make_ops: MakeOps) -> None:
    client, exporter = traced(make_ops)
    client.post("/users", json={"email": "t@x.io"})
    exporter.clear()
    response = client.get("/users/1/posts", params={"sort": "id"},
                          headers={"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"})
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    request = server_span(spans)
    assert request.name == "GET /users/{key}/posts"
    assert request.attributes is not None
    assert request.attributes["http.route"] == "/users/{key}/posts"
    assert request.attributes["fastbackend.entity"] == "User"
    assert request.attributes["fastbackend.operation"] == "list:posts"
    assert request.attributes["fastbackend.request_id"] == TRACE_ID
    assert status(request) == 200
    assert request.context is not None and format(request.context.trace_id, "032x") == TRACE_ID
    children = statements(spans, request)
    assert len(children) >= 2  # the page and its count, at least
    assert all(child.attributes and "SELECT" in str(child.attributes.get("db.statement", ""))
               for child in children)
    assert request.resource.attributes["service.name"] == "blog-test"


def test_a_refused_write_records_its_status_and_operation(make_ops: MakeOps) -> None:
    client, exporter = traced(make_ops)
    client.post("/users", json={"email": "t@x.io"})
    exporter.clear()
    assert client.post("/users", json={"email": "t@x.io"}).status_code == 409
    request = server_span(exporter.get_finished_spans())
    assert request.attributes is not None
    assert request.attributes["fastbackend.entity"] == "User"
    assert request.attributes["fastbackend.operation"] == "create"
    assert status(request) == 409
    assert statements(exporter.get_finished_spans(), request)  # the INSERT the database refused


class _Collector(BaseHTTPRequestHandler):
    """A stand-in OTLP/HTTP collector: keeps what is POSTed to /v1/traces."""

    received: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_spans_are_exported_over_otlp_http(make_ops: MakeOps) -> None:
    collector = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    _Collector.received = []
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{collector.server_address[1]}"
        client = make_ops({"tracing": {"enabled": True, "otlp_endpoint": endpoint}})
        assert client.get("/tags").status_code == 200
        client.app.state.tracer_provider.force_flush()  # type: ignore[attr-defined]
    finally:
        collector.shutdown()
        collector.server_close()
    assert _Collector.received, "nothing was exported"
    path, content_type, body = _Collector.received[0]
    assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
    exported = ExportTraceServiceRequest.FromString(body)
    names = {span.name for resource in exported.resource_spans
             for scope in resource.scope_spans for span in scope.spans}
    assert "GET /tags" in names

"""OpenTelemetry traces: a server span per request (the FastAPI instrumentation) with a child
span per SQL statement (the SQLAlchemy instrumentation's engine tracer), exported over
OTLP/HTTP when an endpoint is configured. Imported only when `operations.tracing` is on.

The provider is the app's own (``app.state.tracer_provider``), not the process-wide one, so
two apps in one process trace apart and a test can add an in-memory exporter to it. The
request span carries the route template (`http.route`), the status, and what the IR says the
route is: `fastbackend.entity`, `fastbackend.operation`, plus `fastbackend.request_id`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Span

from fastbackend_fastapi.operations.config import Operations
from fastbackend_fastapi.operations.routes import REQUEST_ID_KEY, ROUTE_KEY, RouteInfo
from fastbackend_fastapi.runtime import Runtime

TRACES_PATH = "/v1/traces"  # OTLP/HTTP's path under the collector's base URL


def _request_hook(span: Span, scope: dict[str, Any]) -> None:
    if not span.is_recording():
        return
    info: RouteInfo | None = scope.get(ROUTE_KEY)
    if info is not None:  # the template without Starlette's convertors: `/posts/{key}`
        span.set_attribute("http.route", info.template)
        span.update_name(f"{scope.get('method', 'HTTP')} {info.template}")
    if info is not None and info.entity is not None and info.operation is not None:
        span.set_attribute("fastbackend.entity", info.entity)
        span.set_attribute("fastbackend.operation", info.operation)
    if REQUEST_ID_KEY in scope:
        span.set_attribute("fastbackend.request_id", scope[REQUEST_ID_KEY])


def provider(config: Operations) -> TracerProvider:
    resource = Resource.create({"service.name": config["tracing.service_name"]})
    found = TracerProvider(resource=resource,
                           sampler=ParentBased(TraceIdRatioBased(config["tracing.sample_ratio"])))
    endpoint = config["tracing.otlp_endpoint"]
    if endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # OTEL_EXPORTER_OTLP_HEADERS (an API key, say) is read by the exporter itself
        exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + TRACES_PATH)
        found.add_span_processor(BatchSpanProcessor(exporter))
    return found


def install(app: FastAPI, runtime: Runtime, config: Operations) -> TracerProvider:
    """Before requests.install: the request-id middleware must wrap the tracing one."""
    tracer_provider = provider(config)
    app.state.tracer_provider = tracer_provider
    FastAPIInstrumentor.instrument_app(app, tracer_provider=tracer_provider,
                                       server_request_hook=_request_hook,
                                       exclude_spans=["receive", "send"])
    tracer = tracer_provider.get_tracer("fastbackend_fastapi")
    usage = NoOpMeterProvider().get_meter("fastbackend_fastapi").create_up_down_counter(
        "db.client.connections.usage")
    engines = [runtime.database.engine]
    if runtime.database.async_engine is not None:
        engines.append(runtime.database.async_engine.sync_engine)
    for engine in engines:
        # the instrumentation's own per-engine tracer (SQLAlchemyInstrumentor patches
        # create_engine process-wide, once; this traces just this app's engines)
        EngineTracer(tracer, engine, usage)  # type: ignore[no-untyped-call]
    return tracer_provider

import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { test } from "node:test";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { routeOf } from "../src/lib/telemetry.js";
import { describeRequest, readSettings } from "../src/lib/tracing.js";

test("the settings are the runtime's variables, with its defaults", () => {
  assert.deepEqual(readSettings({}), { serviceName: "fastbackend", endpoint: "", sampleRatio: 1 });
  assert.deepEqual(readSettings({ OTEL_SERVICE_NAME: "blog", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
    FASTBACKEND_TRACE_SAMPLE_RATIO: "0.25" }), { serviceName: "blog", endpoint: "http://collector:4318", sampleRatio: 0.25 });
});

test("a sample ratio outside (0, 1] stops the server at start", () => {
  for (const text of ["0", "-0.5", "1.5", "half"]) {
    assert.throws(() => readSettings({ FASTBACKEND_TRACE_SAMPLE_RATIO: text }), /FASTBACKEND_TRACE_SAMPLE_RATIO must be a number above 0/, text);
  }
});

test("a request is named by its generated route, else the route Express matched, else unmatched", () => {
  assert.equal(routeOf({ route: { path: "/posts/:key" } }, { routeTemplate: "/users/{key}/posts" }), "/users/{key}/posts");
  assert.equal(routeOf({ route: { path: "/posts/:key/tags/:targetKey" } }, {}), "/posts/{key}/tags/{target_key}");
  assert.equal(routeOf({}, {}), "unmatched");
});

function described(locals: Record<string, unknown>, route?: { path: string }) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const span = provider.getTracer("test").startSpan("GET");
  describeRequest(span, { method: "GET", route } as unknown as IncomingMessage, { locals } as unknown as ServerResponse);
  span.end();
  const [finished] = exporter.getFinishedSpans();
  return { name: finished.name, attributes: finished.attributes };
}

test("a generated route's span has the runtime's name and attributes", () => {
  const found = described({ routeTemplate: "/users/{key}/posts", entity: "User", operation: "list:posts", requestId: "r-1" });
  assert.deepEqual(found, { name: "GET /users/{key}/posts", attributes: { "http.route": "/users/{key}/posts",
    "fastbackend.entity": "User", "fastbackend.operation": "list:posts", "fastbackend.request_id": "r-1" } });
});

test("a route the IR does not record has no entity nor operation", () => {
  assert.deepEqual(described({ requestId: "r-2" }, { path: "/livez" }),
    { name: "GET /livez", attributes: { "http.route": "/livez", "fastbackend.request_id": "r-2" } });
  assert.deepEqual(described({}).attributes, { "http.route": "unmatched" });
});

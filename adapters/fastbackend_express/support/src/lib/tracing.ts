// OpenTelemetry traces, as the FastAPI runtime's operations/telemetry.py makes them
// (docs/operations.md, "Traces"): a server span per request named by its route template
// (`GET /posts/{key}`) with `http.route`, the status, the route's `fastbackend.entity` and
// `fastbackend.operation` (the IR's, passed by each generated route: lib/operations.ts) and
// `fastbackend.request_id`; under it, Prisma's spans of the query, with a `db_query` client span
// per SQL statement (@prisma/instrumentation: every statement goes through Prisma Client, the
// library's raw SQL included, on PostgreSQL and on MariaDB alike). A caller's `traceparent`
// continues its trace. Exported over OTLP/HTTP (JSON) to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces.
//
// Loaded only with FASTBACKEND_TRACING=1, by src/instrument.ts, which Node runs before the app
// (`node --import ./dist/instrument.js dist/server.js`): the HTTP instrumentation patches
// node:http as it is imported, and an ES module's imports are seen only through Node's loader
// hook, registered here before the app's first import.
import type { IncomingMessage, ServerResponse } from "node:http";
import { register } from "node:module";
import type { Span } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler,
  type SpanProcessor } from "@opentelemetry/sdk-trace-node";
import { PrismaInstrumentation } from "@prisma/instrumentation";
import { positive, text } from "./settings.js";
import { markTracingStarted, routeOf } from "./telemetry.js";

const TRACES_PATH = "/v1/traces"; // OTLP/HTTP's path under the collector's base URL
// The modules the instrumentations patch (the HTTP instrumentation's): the loader hook wraps
// these alone, not every module the app imports.
const PATCHED = ["http", "https"];

/** The runtime's settings (fastbackend_fastapi/operations/config.py), from the same variables. */
export interface TracingSettings {
  readonly serviceName: string;
  readonly endpoint: string; // empty: spans are made but sent nowhere
  readonly sampleRatio: number;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): TracingSettings {
  const sampleRatio = positive("tracing.sample_ratio", env);  // (at most 1: the contract's)
  return { serviceName: text("tracing.service_name", env), endpoint: text("tracing.otlp_endpoint", env), sampleRatio };
}

interface Answered {
  readonly locals?: Record<string, unknown>;
}

/** What the runtime's request hook adds, read when the answer is complete: the route Express
 * served (the generated route's template, else the one it matched, else `unmatched`), what the
 * IR says that route is, and the request id. */
export function describeRequest(span: Span, request: IncomingMessage, response: ServerResponse): void {
  const locals = (response as Answered).locals ?? {};
  const route = routeOf(request as Parameters<typeof routeOf>[0], locals);
  span.setAttribute("http.route", route);
  span.updateName(`${request.method ?? "HTTP"} ${route}`);
  if (typeof locals.entity === "string" && typeof locals.operation === "string") {
    span.setAttribute("fastbackend.entity", locals.entity);
    span.setAttribute("fastbackend.operation", locals.operation);
  }
  if (typeof locals.requestId === "string") span.setAttribute("fastbackend.request_id", locals.requestId);
}

/** The provider, its exporter, the instrumentations, and the loader hook. */
export function startTracing(settings: TracingSettings = readSettings()): NodeTracerProvider {
  register("@opentelemetry/instrumentation/hook.mjs", import.meta.url, { data: { include: PATCHED } });
  const spanProcessors: SpanProcessor[] = [];
  if (settings.endpoint) {
    // OTEL_EXPORTER_OTLP_HEADERS (an API key, say) is read by the exporter itself
    const url = settings.endpoint.replace(/\/+$/, "") + TRACES_PATH;
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": settings.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
    spanProcessors,
  });
  provider.register(); // the async context and W3C traceparent, process-wide
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        disableOutgoingRequestInstrumentation: true, // the server's own calls are not its API
        applyCustomAttributesOnSpan: (span, request, response) => {
          describeRequest(span, request as IncomingMessage, response as ServerResponse);
        },
      }),
      new PrismaInstrumentation(),
    ],
  });
  const flush = () => {
    void provider.shutdown(); // the spans of the last requests are sent before the exit
  };
  process.once("beforeExit", flush);
  markTracingStarted();
  return provider;
}

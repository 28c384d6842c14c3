// What the metrics, the access log and the traces share without loading OpenTelemetry: which
// route a request was for, as they name it (the OpenAPI template, `/posts/{key}`, never the raw
// path, so each has one series per route), and whether traces are on and started. lib/tracing.ts
// reads it before the app is loaded.
import { flag } from "./settings.js";

/** FASTBACKEND_TRACING: the runtime's `operations.tracing.enabled`, off by default. */
export const TRACING = flag("tracing.enabled");
const STARTED = Symbol.for("fastbackend.tracing.started");

/** lib/tracing.ts says it started (in src/instrument.ts, before the app). */
export function markTracingStarted(): void {
  (globalThis as Record<symbol, unknown>)[STARTED] = true;
}

/** Whether OpenTelemetry was started before the app: it can only be, when Node ran
 * src/instrument.ts first (`node --import ./dist/instrument.js`). */
export function tracingStarted(): boolean {
  return (globalThis as Record<symbol, unknown>)[STARTED] === true;
}

const UNMATCHED = "unmatched"; // no route: one series for every unknown path (no unbounded labels)

/** A route Express matched, in the OpenAPI document's spelling (the inverse of the emitter's
 * context.PATH_PARAMETERS): a 405's route, a probe's. Generated routes name theirs (rateLimit). */
function templateOf(path: string): string {
  return path.replaceAll(":targetKey", "{target_key}").replaceAll(":key", "{key}");
}

/** The route a request was for: the generated route's template (`res.locals.routeTemplate`), the
 * one Express matched (a 405, a probe), else `unmatched`. */
export function routeOf(req: { readonly route?: unknown }, locals: Readonly<Record<string, unknown>>): string {
  const matched = (req.route as { path?: unknown } | undefined)?.path;
  const named = locals.routeTemplate;
  if (typeof named === "string") return named;
  return typeof matched === "string" ? templateOf(matched) : UNMATCHED;
}

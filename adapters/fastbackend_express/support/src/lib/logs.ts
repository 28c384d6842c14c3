// Structured logs, as the FastAPI runtime's operations/logs.py writes them (docs/operations.md,
// "Logs"): with FASTBACKEND_LOG_FORMAT=json one JSON object per line, the runtime's keys
// (`time`, `level`, `logger`, `message`, `request_id`, the record's own fields, `exception`), and
// the request id on every line logged while a request is served (an AsyncLocalStorage the
// request-id middleware enters); with FASTBACKEND_ACCESS_LOG=1 one line per request (`method`,
// `path`, `route`, `status`, `duration_ms`). Text (the default) writes the message alone.
import { AsyncLocalStorage } from "node:async_hooks";
import { flag, text } from "./settings.js";

export type Level = "debug" | "info" | "warning" | "error";
const LEVELS: readonly Level[] = ["debug", "info", "warning", "error"];
type Fields = Readonly<Record<string, unknown>>;

const JSON_FORMAT = text("logs.format") === "json";
// Empty: every level (the runtime then leaves the level to the server's logging set-up).
const THRESHOLD = LEVELS.indexOf(text("logs.level") || "debug");
export const ACCESS_LOG = flag("logs.access");
export const LOGGER = "fastbackend_express"; // the runtime's is fastbackend_fastapi: who wrote it
const ACCESS_LOGGER = `${LOGGER}.access`;

const requestIds = new AsyncLocalStorage<string>();

/** Runs the rest of a request's handling with its id, for every line logged meanwhile. */
export function withRequestId(id: string, next: () => void): void {
  requestIds.run(id, next);
}

/** `2026-12-07T12:00:00.123+00:00`, as Python's isoformat(timespec="milliseconds") in UTC. */
function timestamp(): string {
  return new Date().toISOString().replace(/Z$/, "+00:00");
}

/** One log line of `logger` (a dotted name under LOGGER, or another: `fastbackend.events`). */
export function log(level: Level, message: string, options: { logger?: string; fields?: Fields;
  error?: unknown; always?: boolean } = {}): void {
  if (!options.always && LEVELS.indexOf(level) < THRESHOLD) return;
  const write = level === "error" || level === "warning" ? console.error : console.log;
  if (!JSON_FORMAT) {
    if (options.error === undefined) write(message);
    else write(message, options.error);
    return;
  }
  const line: Record<string, unknown> = { time: timestamp(), level, logger: options.logger ?? LOGGER, message };
  const id = requestIds.getStore();
  if (id !== undefined) line.request_id = id;
  Object.assign(line, options.fields);
  if (options.error !== undefined) {
    const error = options.error;
    line.exception = error instanceof Error ? error.stack ?? error.message : JSON.stringify(error);
  }
  write(JSON.stringify(line));
}

/** The access log's line of one answered request (FASTBACKEND_ACCESS_LOG), the runtime's:
 * `GET /posts/1 404 1.2 ms <request id>` with the fields beside it. */
export function access(method: string, path: string, route: string, status: number, seconds: number,
  requestId: string): void {
  const ms = seconds * 1000;
  log("info", `${method} ${path} ${status} ${ms.toFixed(1)} ms ${requestId}`, {
    logger: ACCESS_LOGGER, always: true,
    fields: { request_id: requestId, method, path, route, status, duration_ms: Math.round(ms * 1000) / 1000 },
  });
}

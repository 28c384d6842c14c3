// What the FastAPI runtime's operations serve too (docs/operations.md): the request id of every
// answer and every problem, /livez (the process answers) and /readyz (the database answers and
// has every migration of prisma/migrations/ applied), Prometheus request metrics (the runtime's
// operations/metrics.py: same names, labels and buckets) and rate limits (the
// runtime's operations/ratelimit.py, same settings, same 429 and headers, in memory or in Redis
// with the runtime's own script and keys; the IR's per-route policies), the access log and JSON
// logs (lib/logs.ts), the pool's metrics on PostgreSQL, and what the traces say of a route
// (lib/tracing.ts). Database-error metrics are the runtime's only.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Express, NextFunction, Request, Response } from "express";
import { createClient } from "@redis/client";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PROBLEM_MEDIA_TYPE, REQUEST_ID_FIELD, REQUEST_ID_HEADER, TOKEN_BUCKET } from "./contract.js";
import { ACCESS_LOG, LOGGER, access, log, withRequestId } from "./logs.js";
import { Problem } from "./problem.js";
import { flag, positive, text } from "./settings.js";
import { TRACING, routeOf } from "./telemetry.js";
import { sendJson } from "./serialize.js";
import { DIALECT } from "./sql.js";

const ACCEPTED = /^[\x21-\x7e]{1,128}$/; // 1 to 128 visible ASCII characters, kept as sent
const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/; // W3C trace context
const NOT_READY_RETRY_SECONDS = "30";

/** The client's X-Request-ID, else its traceparent's trace id, else 32 random hex digits. */
export function chooseRequestId(sent: string | undefined, traceparent: string | undefined): string {
  if (sent !== undefined && ACCEPTED.test(sent)) return sent;
  const found = traceparent === undefined ? null : TRACEPARENT.exec(traceparent.trim());
  if (found !== null && found[1] !== "0".repeat(32)) return found[1];
  return randomUUID().replaceAll("-", "");
}

/** First of all middleware: the id goes in the answer's header, and in the body of every
 * problem (lib/problem.ts writes them with res.send, as problem+json): the app's res.send adds
 * it, replaced once here rather than wrapped on every response. */
export function addRequestIds(app: Express): void {
  const send = app.response.send;
  app.response.send = function sendWithRequestId(this: Response, body?: unknown) {
    const id = this.locals.requestId as string | undefined;
    if (id !== undefined && Buffer.isBuffer(body) && this.getHeader("Content-Type") === PROBLEM_MEDIA_TYPE) {
      const problem = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      problem[REQUEST_ID_FIELD] = id;
      return send.call(this, Buffer.from(JSON.stringify(problem), "utf8"));
    }
    return send.call(this, body);
  } as Response["send"];
  app.use(requestIds);
}

function requestIds(req: Request, res: Response, next: NextFunction): void {
  const id = chooseRequestId(req.headersDistinct["x-request-id"]?.[0], req.headersDistinct["traceparent"]?.[0]);
  res.locals.requestId = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  withRequestId(id, next); // every line logged while it is served carries it (lib/logs.ts)
}

/** prisma/migrations/ folders the database has not applied (none without the folder). */
async function pendingMigrations(prisma: PrismaClient): Promise<string[]> {
  const folder = path.join(process.cwd(), "prisma", "migrations");
  if (!existsSync(folder)) return [];
  const names = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(folder, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
  if (names.length === 0) return [];
  const [table] = await prisma.$queryRawUnsafe<{ present: unknown }[]>(DIALECT.tableExists, "_prisma_migrations");
  if (!table?.present) return names; // MySQL answers 0 or 1
  const rows = await prisma.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
  const applied = new Set(rows.map((row) => row.migration_name));
  return names.filter((name) => !applied.has(name));
}

export function addProbes(app: Express, prisma: PrismaClient): void {
  if (METRICS) {
    app.get(text("metrics.path"), async (_req, res) => {
      res.setHeader("Content-Type", registry.contentType);
      res.end(await registry.metrics());
    });
  }
  app.get("/livez", (_req, res) => {
    sendJson(res, 200, { status: "ok" }); // never the database: an outage must not restart us
  });
  app.get("/readyz", async (_req, res) => {
    await prisma.$queryRaw`SELECT 1`; // a database that does not answer is a 503 (lib/problem.ts)
    const pending = await pendingMigrations(prisma);
    if (pending.length > 0) {
      throw new Problem(503, "not-ready", `the database is not at the migrations' head (not applied: ${pending.join(", ")}): run \`prisma migrate deploy\``, [], { "Retry-After": NOT_READY_RETRY_SECONDS });
    }
    sendJson(res, 200, { status: "ok", database: "ok", migrations: "ok" });
  });
}

// --- rate limits: a token bucket per client and route (docs/operations.md, "Rate limits") ---
// The FastAPI runtime's settings, read from the same environment variables (fastbackend.yaml's
// `operations` section is the runtime's; its per-route policies are the IR's, passed to
// rateLimit by each route).
interface Limits {
  readonly requests: number;
  readonly windowSeconds: number;
  readonly client: "ip" | "api_key" | "jwt_subject";
  readonly apiKeyHeader: string;
  readonly redisUrl: string | null; // null: buckets in this process
  readonly prefix: string;
}
const MEMORY_BUCKETS = 100_000; // least recently used buckets beyond this are forgotten (full)
const DEFAULT_POLICY = "default";

function readLimits(): Limits | null {
  if (!flag("rate_limit.enabled")) return null;
  const storage = text("rate_limit.storage");
  return {
    requests: positive("rate_limit.requests"),
    windowSeconds: positive("rate_limit.window_seconds"),
    client: text("rate_limit.client"),
    apiKeyHeader: text("rate_limit.api_key_header").toLowerCase(),
    redisUrl: storage === "redis" ? text("rate_limit.redis_url") : null,
    prefix: text("rate_limit.key_prefix"),
  };
}

const LIMITS = readLimits(); // at start-up: a wrong value stops the server
const METRICS = flag("metrics.enabled");
const buckets = new Map<string, { tokens: number; at: number }>();

function sha256(text: string): string {
  return createHash("sha256").update(text, "latin1").digest("hex").slice(0, 32);
}

function subject(authorization: string | undefined): string | null {
  const [scheme, token] = (authorization ?? "").split(" ", 2);
  const parts = (token ?? "").trim().split(".");
  if (scheme?.toLowerCase() !== "bearer" || parts.length !== 3) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    const sub = typeof payload === "object" && payload !== null ? (payload as { sub?: unknown }).sub : undefined;
    return typeof sub === "string" && sub !== "" ? sub : null;
  } catch {
    return null;
  }
}

/** `ip:…`, `key:…` (a hash: keys are never stored) or `sub:…` (read, not verified). */
function clientId(req: Request, limits: Limits): string {
  const key = req.headersDistinct[limits.apiKeyHeader]?.[0];
  if (limits.client === "api_key" && key) return "key:" + sha256(key);
  if (limits.client === "jwt_subject") {
    const found = subject(req.headersDistinct["authorization"]?.[0]);
    if (found !== null) return "sub:" + sha256(found);
  }
  return "ip:" + (req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
}

function take(key: string, capacity: number, rate: number): [boolean, number] {
  const now = performance.now() / 1000;
  const bucket = buckets.get(key) ?? { tokens: capacity, at: now };
  buckets.delete(key); // re-inserted last: the Map's order is the least recently used first
  let tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * rate);
  const allowed = tokens >= 1;
  if (allowed) tokens -= 1;
  buckets.set(key, { tokens, at: now });
  if (buckets.size > MEMORY_BUCKETS) buckets.delete(buckets.keys().next().value!);
  return [allowed, tokens];
}

/** Generic in the route's parameters, so it leaves their inference (`req.params.key`) to the
 * route's path. */
type Limiter = <P>(req: Request<P>, res: Response, next: NextFunction) => void | Promise<void>;

// The FastAPI runtime's Redis script, TOKEN_BUCKET (contract.ts), shares its buckets.
function newClient(url: string) {
  return createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: false } });
}
type RedisClient = ReturnType<typeof newClient>;
let redis: RedisClient | null = null;
let connecting: Promise<RedisClient> | null = null;
let retryAt = 0; // after a failed connection, requests pass without trying until then
const RECONNECT_MS = 1000;
let redisFailing = false; // warned once per outage

/** The connected client. It never reconnects by itself (node-redis would keep a first
 * `connect()` pending, and every request waiting on it, while Redis is down): a request that
 * finds it closed connects again, at most once a second, and passes meanwhile. */
function redisClient(url: string): Promise<RedisClient> {
  if (redis?.isReady) return Promise.resolve(redis);
  if (connecting !== null) return connecting;
  if (performance.now() < retryAt) return Promise.reject(new Error("not connected; trying again shortly"));
  const client = newClient(url); // fail now, never queue, never reconnect by itself
  client.on("error", () => undefined); // reported below, per request that meets it
  const connected = client.connect().then(() => (redis = client), (error: unknown) => {
    retryAt = performance.now() + RECONNECT_MS;
    throw error;
  }).finally(() => {
    connecting = null;
  });
  connecting = connected;
  return connected;
}

/** A token from Redis; when Redis does not answer, the request passes (fail open), as on the
 * runtime: an outage of the limiter must not become an outage of the API. */
async function takeShared(url: string, key: string, capacity: number, rate: number): Promise<[boolean, number]> {
  try {
    const client = await redisClient(url);
    const reply = await client.eval(TOKEN_BUCKET, { keys: [key], arguments: [String(capacity), String(rate)] });
    const [allowed, tokens] = reply as unknown as [number, string];
    redisFailing = false;
    return [allowed === 1, Number(tokens)];
  } catch (error) {
    if (!redisFailing) {
      log("warning", `rate limit not applied: Redis did not answer (${String(error)})`, { logger: `${LOGGER}.ratelimit` });
    }
    redisFailing = true;
    return [true, capacity];
  }
}

function passThrough<P>(_req: Request<P>, _res: Response, next: NextFunction): void {
  next();
}

/** The route's template (the metrics' `route` label, the access log's route, the trace's
 * `http.route`) and what the IR says it is (the trace's entity and operation). */
function name(res: Response, template: string, entity: string, operation: string): void {
  res.locals.routeTemplate = template;
  res.locals.entity = entity;
  res.locals.operation = operation;
}

function named(template: string, entity: string, operation: string): Limiter {
  return (_req, res, next) => {
    name(res, template, entity, operation);
    next();
  };
}

/** A route's own bucket (the IR's `rateLimit`, from fastbackend.yaml's
 * `operations.rate_limit.routes`, rendered into the route's module by the emitter). */
export interface RoutePolicy {
  readonly requests: number;
  readonly windowSeconds: number;
}

/** The limiter of one generated route; `template` as the OpenAPI document writes it; `entity`
 * and `operation`, the route's (fastbackend_contract.tables.route_operation, the runtime's names);
 * `own`, the route's policy when the IR records one (named by the route), else the default. */
export function rateLimit(method: string, template: string, entity: string, operation: string,
  own?: RoutePolicy): Limiter {
  const limits = LIMITS;
  if (limits === null) return METRICS || ACCESS_LOG || TRACING ? named(template, entity, operation) : passThrough;
  const { requests, windowSeconds } = own ?? limits;
  const rate = requests / windowSeconds;
  const label = JSON.stringify(own === undefined ? DEFAULT_POLICY : `${method} ${template}`); // a structured-field string
  const window = Number.isInteger(windowSeconds) ? windowSeconds : Math.ceil(windowSeconds);
  return async (req, res, next) => {
    const key = `${limits.prefix}:${method} ${template}:${clientId(req as Request, limits)}`;
    const [allowed, tokens] = limits.redisUrl === null ? take(key, requests, rate)
      : await takeShared(limits.redisUrl, key, requests, rate);
    const reset = tokens < requests ? Math.ceil((requests - tokens) / rate) : 0;
    name(res, template, entity, operation);
    res.setHeader("RateLimit-Policy", `${label};q=${requests};w=${window}`);
    res.setHeader("RateLimit", `${label};r=${Math.max(0, Math.floor(tokens))};t=${reset}`);
    if (allowed) return next();
    const retryAfter = Math.max(1, Math.ceil((1 - tokens) / rate));
    next(new Problem(429, "too-many-requests",
      `this client's requests to this route are limited; retry in ${retryAfter} s`, [],
      { "Retry-After": String(retryAfter) }));
  };
}

// --- metrics: Prometheus text at FASTBACKEND_METRICS_PATH (docs/operations.md, "Metrics") ---
// Seconds, as the runtime's: a cached read answers in about a millisecond, a slow write in seconds.
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const registry = new Registry();

/** The database pool's connections (node-postgres's pool, which @prisma/adapter-pg runs on). */
export interface PoolStats {
  readonly size: number; // the most connections it opens
  readonly checkedOut: number;
  readonly idle: number;
}
let poolStats: (() => PoolStats) | null = null;

/** db.ts gives its pool's counts, read when /metrics is scraped (the runtime's PoolCollector):
 * Prisma Client 7 has no metrics of its own (its `metrics` preview feature was removed), so the
 * driver's pool is the source. The MariaDB adapter keeps its pool to itself: no pool metrics. */
export function usePool(read: () => PoolStats): void {
  poolStats = read;
}

function addPoolMetrics(read: () => PoolStats): void {
  new Gauge({ name: "fastbackend_db_pool_connections", help: "Database connections of the pool, by state",
    labelNames: ["state"] as const, registers: [registry], collect() {
      const { checkedOut, idle } = read();
      this.set({ state: "checked_out" }, checkedOut);
      this.set({ state: "idle" }, idle);
      this.set({ state: "overflow" }, 0); // node-postgres opens up to `max`, never past it
    } });
  new Gauge({ name: "fastbackend_db_pool_size", help: "Connections the pool keeps open", registers: [registry],
    collect() {
      this.set(read().size);
    } });
}

/** Requests by method, route template and status: a counter and a latency histogram; and the
 * access log's line (FASTBACKEND_ACCESS_LOG). The first middleware after the request id: every
 * answer is counted and logged. */
export function addMetrics(app: Express): void {
  if (!METRICS && !ACCESS_LOG) return;
  const labelNames = ["method", "route", "status"] as const;
  const requests = METRICS ? new Counter({ name: "fastbackend_http_requests_total", help: "HTTP requests answered",
    labelNames, registers: [registry] }) : null;
  const latency = METRICS ? new Histogram({ name: "fastbackend_http_request_duration_seconds",
    help: "Time from a request's start to its answer's end", labelNames, buckets: BUCKETS, registers: [registry] }) : null;
  if (METRICS && poolStats !== null) addPoolMetrics(poolStats);
  app.use((req, res, next) => {
    const started = performance.now();
    res.on("finish", () => {
      const route = routeOf(req, res.locals);
      const seconds = (performance.now() - started) / 1000;
      const labels = { method: req.method, route, status: String(res.statusCode) };
      requests?.inc(labels);
      latency?.observe(labels, seconds);
      if (ACCESS_LOG) access(req.method, req.path, route, res.statusCode, seconds, res.locals.requestId as string);
    });
    next();
  });
}

// Generated from fastbackend_contract (tables, scalars) by `make docs` (python -m fastbackend_express.library): do not edit.
// The REST contract's tables, rendered from fastbackend_contract (tables, scalars): the FastAPI runtime and
// the OpenAPI emitter read the same rows, so both servers agree by construction. Data only.

/** The IR's logical types this server carries (fastbackend_contract.scalars). */
export type ScalarKind = "string" | "integer" | "bigint" | "float" | "decimal" | "boolean" | "datetime" | "date" | "time" | "uuid" | "json" | "bytes" | "enum";

/** The query language's operators (`field__op=value`), in the runtime's order. */
export type OperatorName = "eq" | "ne" | "gt" | "gte" | "lt" | "lte" | "in" | "notin" | "contains" | "icontains" | "startswith" | "endswith" | "isnull";

export interface OperatorRow {
  readonly name: OperatorName;
  /** The logical types it applies to. */
  readonly types: readonly string[];
  /** Prisma's spelling, accepted in where= beside `name`; null: none. */
  readonly prisma: string | null;
  /** Takes a list of values (comma-separated in a query string). */
  readonly listed: boolean;
}

export const OPERATORS: readonly OperatorRow[] = [
  { name: "eq", types: ["string", "integer", "bigint", "float", "decimal", "datetime", "date", "time", "interval", "boolean", "uuid", "enum"], prisma: "equals", listed: false },
  { name: "ne", types: ["string", "integer", "bigint", "float", "decimal", "datetime", "date", "time", "interval", "boolean", "uuid", "enum"], prisma: "not", listed: false },
  { name: "gt", types: ["string", "integer", "bigint", "float", "decimal", "datetime", "date", "time", "interval"], prisma: "gt", listed: false },
  { name: "gte", types: ["string", "integer", "bigint", "float", "decimal", "datetime", "date", "time", "interval"], prisma: "gte", listed: false },
  { name: "lt", types: ["string", "integer", "bigint", "float", "decimal", "datetime", "date", "time", "interval"], prisma: "lt", listed: false },
  { name: "lte", types: ["string", "integer", "bigint", "float", "decimal", "datetime", "date", "time", "interval"], prisma: "lte", listed: false },
  { name: "in", types: ["string", "integer", "bigint", "float", "decimal", "datetime", "date", "time", "interval", "boolean", "uuid", "enum"], prisma: "in", listed: true },
  { name: "notin", types: ["string", "integer", "bigint", "float", "decimal", "datetime", "date", "time", "interval", "boolean", "uuid", "enum"], prisma: "notIn", listed: true },
  { name: "contains", types: ["string"], prisma: "contains", listed: false },
  { name: "icontains", types: ["string"], prisma: null, listed: false },
  { name: "startswith", types: ["string"], prisma: "startsWith", listed: false },
  { name: "endswith", types: ["string"], prisma: "endsWith", listed: false },
  { name: "isnull", types: ["string", "integer", "bigint", "float", "decimal", "datetime", "date", "time", "interval", "boolean", "uuid", "enum"], prisma: null, listed: false },
];

export const ORDERED_TYPES: readonly string[] = ["string", "integer", "bigint", "float", "decimal", "datetime", "date", "time", "interval"];
export const COMPARABLE_TYPES: readonly string[] = ["string", "integer", "bigint", "float", "decimal", "datetime", "date", "time", "interval", "boolean", "uuid", "enum"];
export const TEXT_TYPES: readonly string[] = ["string"];

/** List parameters of their own: never read as a filter (a field named so is `name__eq`). */
export const RESERVED_PARAMETERS: readonly string[] = ["where", "search", "deleted", "sort", "limit", "offset", "cursor", "count", "fields", "include"];
/** Relations in one include path (`a.b.c`): fixed, not a limit to tune. */
export const MAX_INCLUDE_DEPTH = 3;
/** The parameter that lets a bulk update or delete by filter name no filter. */
export const BULK_ALL_PARAMETER = "all";
/** The list parameters a bulk update or delete by filter takes: the filters and these. */
export const BULK_PARAMETERS: readonly string[] = ["where", "all"];
/** Aggregate functions (`GET {path}/aggregate`), in the runtime's order; `count=*` counts rows. */
export const AGGREGATE_FUNCTIONS: readonly string[] = ["count", "count_distinct", "sum", "avg", "min", "max"];
export const AGGREGATE_ROWS = "*";
/** The comparisons `having` takes (`count.*__gte=2`). */
export const HAVING_OPERATORS: readonly string[] = ["eq", "ne", "gt", "gte", "lt", "lte"];
/** Rows in one bulk create. */
export const MAX_BATCH = 1000;
/** The atomic batch (`POST /_batch`, lib/batch.ts): its path, action, operations and references. */
export const BATCH_PATH = "/_batch";
export const BATCH_ACTION = "batch";
export const BATCH_REF = "$ref";
export const BATCH_REF_NAME = "^[A-Za-z_][A-Za-z0-9_]{0,63}$";
export const BATCH_OPERATION_FIELDS: readonly string[] = ["op", "path", "key", "body", "ref", "if_match"];

export interface BatchOperationRow {
  readonly op: string;
  /** The route action it runs. */
  readonly action: string;
  readonly method: string;
  /** Names a row by `key`. */
  readonly keyed: boolean;
  /** Takes a `body`. */
  readonly body: boolean;
}

export const BATCH_OPERATIONS: readonly BatchOperationRow[] = [
  { op: "create", action: "create", method: "POST", keyed: false, body: true },
  { op: "update", action: "update", method: "PATCH", keyed: true, body: true },
  { op: "replace", action: "replace", method: "PUT", keyed: true, body: true },
  { op: "delete", action: "delete", method: "DELETE", keyed: true, body: false },
];
/** Field errors listed in one problem; its detail still counts them all. */
export const MAX_LISTED_ERRORS = 100;

export type LimitKey = "default_limit" | "max_page_size" | "max_body_bytes" | "max_url_bytes" | "max_header_bytes" | "max_query_params" | "body_timeout_seconds" | "max_where_depth" | "max_relation_depth" | "max_conditions" | "max_list_values" | "max_names" | "max_bulk_rows" | "max_nested_depth" | "max_batch_operations" | "max_groups" | "aggregate_timeout_seconds";

/** A limit: its environment variable (then its aliases) when set, else `default`. Counts and
 * bytes are whole numbers >= 1, seconds numbers > 0. (The runtime also reads fastbackend.yaml's
 * `limits.<key>`, after the environment; this server reads only its environment.) */
export interface LimitRow {
  readonly key: LimitKey;
  readonly env: string;
  readonly aliases: readonly string[];
  readonly default: number;
  readonly unit: "count" | "bytes" | "seconds";
}

export const LIMITS: Readonly<Record<LimitKey, LimitRow>> = {
  default_limit: { key: "default_limit", env: "FASTBACKEND_DEFAULT_LIMIT", aliases: [], default: 50, unit: "count" },
  max_page_size: { key: "max_page_size", env: "FASTBACKEND_MAX_PAGE_SIZE", aliases: ["FASTBACKEND_MAX_LIMIT"], default: 200, unit: "count" },
  max_body_bytes: { key: "max_body_bytes", env: "FASTBACKEND_MAX_BODY_BYTES", aliases: [], default: 1048576, unit: "bytes" },
  max_url_bytes: { key: "max_url_bytes", env: "FASTBACKEND_MAX_URL_BYTES", aliases: [], default: 8192, unit: "bytes" },
  max_header_bytes: { key: "max_header_bytes", env: "FASTBACKEND_MAX_HEADER_BYTES", aliases: [], default: 16384, unit: "bytes" },
  max_query_params: { key: "max_query_params", env: "FASTBACKEND_MAX_QUERY_PARAMS", aliases: [], default: 100, unit: "count" },
  body_timeout_seconds: { key: "body_timeout_seconds", env: "FASTBACKEND_BODY_TIMEOUT_SECONDS", aliases: [], default: 30, unit: "seconds" },
  max_where_depth: { key: "max_where_depth", env: "FASTBACKEND_MAX_WHERE_DEPTH", aliases: [], default: 10, unit: "count" },
  max_relation_depth: { key: "max_relation_depth", env: "FASTBACKEND_MAX_RELATION_DEPTH", aliases: [], default: 4, unit: "count" },
  max_conditions: { key: "max_conditions", env: "FASTBACKEND_MAX_CONDITIONS", aliases: [], default: 256, unit: "count" },
  max_list_values: { key: "max_list_values", env: "FASTBACKEND_MAX_LIST_VALUES", aliases: [], default: 1000, unit: "count" },
  max_names: { key: "max_names", env: "FASTBACKEND_MAX_NAMES", aliases: [], default: 64, unit: "count" },
  max_bulk_rows: { key: "max_bulk_rows", env: "FASTBACKEND_MAX_BULK_ROWS", aliases: [], default: 1000, unit: "count" },
  max_nested_depth: { key: "max_nested_depth", env: "FASTBACKEND_MAX_NESTED_DEPTH", aliases: [], default: 3, unit: "count" },
  max_batch_operations: { key: "max_batch_operations", env: "FASTBACKEND_MAX_BATCH_OPERATIONS", aliases: [], default: 100, unit: "count" },
  max_groups: { key: "max_groups", env: "FASTBACKEND_MAX_GROUPS", aliases: [], default: 1000, unit: "count" },
  aggregate_timeout_seconds: { key: "aggregate_timeout_seconds", env: "FASTBACKEND_AGGREGATE_TIMEOUT_SECONDS", aliases: [], default: 5, unit: "seconds" },
};

/** fastbackend.yaml's `operations` keys this server reads from the environment alone, as the
 * runtime reads them (its operations/config.py takes them from the same table): the variable,
 * the default when it is unset or empty, its kind ("flag": 1/0, true/false, yes/no, on/off;
 * "whole" and "number": above 0, and at most `maximum` when it is not null) and the values a
 * text takes (none listed: any). lib/settings.ts
 * reads them. */
export const OPERATIONS_SETTINGS = {
  "logs.format": { env: "FASTBACKEND_LOG_FORMAT", default: "text", kind: "text", choices: ["text", "json"], maximum: null },
  "logs.access": { env: "FASTBACKEND_ACCESS_LOG", default: false, kind: "flag", choices: [], maximum: null },
  "logs.level": { env: "FASTBACKEND_LOG_LEVEL", default: "", kind: "text", choices: ["", "debug", "info", "warning", "error"], maximum: null },
  "metrics.enabled": { env: "FASTBACKEND_METRICS", default: false, kind: "flag", choices: [], maximum: null },
  "metrics.path": { env: "FASTBACKEND_METRICS_PATH", default: "/metrics", kind: "text", choices: [], maximum: null },
  "tracing.enabled": { env: "FASTBACKEND_TRACING", default: false, kind: "flag", choices: [], maximum: null },
  "tracing.service_name": { env: "OTEL_SERVICE_NAME", default: "fastbackend", kind: "text", choices: [], maximum: null },
  "tracing.otlp_endpoint": { env: "OTEL_EXPORTER_OTLP_ENDPOINT", default: "", kind: "text", choices: [], maximum: null },
  "tracing.sample_ratio": { env: "FASTBACKEND_TRACE_SAMPLE_RATIO", default: 1.0, kind: "number", choices: [], maximum: 1.0 },
  "rate_limit.enabled": { env: "FASTBACKEND_RATE_LIMIT", default: false, kind: "flag", choices: [], maximum: null },
  "rate_limit.requests": { env: "FASTBACKEND_RATE_LIMIT_REQUESTS", default: 100, kind: "whole", choices: [], maximum: null },
  "rate_limit.window_seconds": { env: "FASTBACKEND_RATE_LIMIT_WINDOW_SECONDS", default: 60.0, kind: "number", choices: [], maximum: null },
  "rate_limit.client": { env: "FASTBACKEND_RATE_LIMIT_CLIENT", default: "ip", kind: "text", choices: ["ip", "api_key", "jwt_subject"], maximum: null },
  "rate_limit.api_key_header": { env: "FASTBACKEND_RATE_LIMIT_API_KEY_HEADER", default: "X-API-Key", kind: "text", choices: [], maximum: null },
  "rate_limit.storage": { env: "FASTBACKEND_RATE_LIMIT_STORAGE", default: "memory", kind: "text", choices: ["memory", "redis"], maximum: null },
  "rate_limit.redis_url": { env: "REDIS_URL", default: "redis://127.0.0.1:6379/0", kind: "text", choices: [], maximum: null },
  "rate_limit.key_prefix": { env: "FASTBACKEND_RATE_LIMIT_PREFIX", default: "fastbackend:rl", kind: "text", choices: [], maximum: null },
} as const;

export const PROBLEM_TYPE_BASE = "https://fastbackend.dev/problems/";
export const PROBLEM_MEDIA_TYPE = "application/problem+json";

/** A problem's title is its status's; any other status: "Error". */
export const TITLES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Every problem type (`type` is PROBLEM_TYPE_BASE + slug) and its status. */
export const PROBLEM_STATUS: Readonly<Record<string, number>> = {
  "malformed-json": 400,
  "invalid-parameter": 400,
  "too-many-parameters": 400,
  "malformed-url": 400,
  "query-too-complex": 400,
  "malformed-header": 400,
  "client-disconnected": 400,
  "unauthorized": 401,
  "forbidden": 403,
  "not-found": 404,
  "method-not-allowed": 405,
  "request-timeout": 408,
  "unique-violation": 409,
  "dependent-rows": 409,
  "conflict": 409,
  "filter-required": 400,
  "too-many-rows": 400,
  "too-many-operations": 400,
  "too-many-groups": 400,
  "precondition-failed": 412,
  "payload-too-large": 413,
  "url-too-long": 414,
  "unsupported-media-type": 415,
  "validation-error": 422,
  "too-many-requests": 429,
  "headers-too-large": 431,
  "database-unavailable": 503,
  "database-busy": 503,
  "database-timeout": 503,
  "schema-out-of-date": 503,
  "not-ready": 503,
  "commit-outcome-unknown": 503,
  "database-error": 500,
  "internal-error": 500,
};

/** Prefer (RFC 7240) on writes: `return=minimal` asks for no body; what was honoured is said in
 * `Preference-Applied`; `return=representation` is the default. */
export const PREFER_HEADER = "Prefer";
export const PREFERENCE_APPLIED_HEADER = "Preference-Applied";
export const RETURN_PREFERENCE = "return";
export const RETURN_MINIMAL = "minimal";
export const RETURN_REPRESENTATION = "representation";

/** `Prefer: resolution=...` on creates (PostgREST's upsert), and `on_conflict` naming the target. */
export const RESOLUTION_PREFERENCE = "resolution";
export const MERGE_DUPLICATES = "merge-duplicates";
export const RESOLUTIONS: readonly string[] = ["merge-duplicates", "ignore-duplicates"];
export const ON_CONFLICT_PARAMETER = "on_conflict";

/** `include=` on one row's answer: the routes (GET of one row, writes) whose answer nests the
 * related rows the list's `include` names; the ETag stays the row's own. */
export const INCLUDE_PARAMETER = "include";
export const INCLUDED_ACTIONS: readonly string[] = ["read", "create", "bulkCreate", "update", "replace", "createRelated", "restore", "readRelated"];

/** `Prefer: count=...` on lists (and the `count` parameter, which wins): how `meta.total` is
 * counted. `estimated` counts exactly when the planner's estimate is at most ESTIMATED_EXACT_UP_TO. */
export const COUNT_PREFERENCE = "count";
export type CountMethod = "exact" | "planned" | "estimated" | "none";
export const COUNT_METHODS: readonly CountMethod[] = ["exact", "planned", "estimated", "none"];
export const ESTIMATED_EXACT_UP_TO = 10000;

/** A write route's answer to `return=minimal`: its status, no body, only the headers named;
 * `representation`: whether `return=representation` gives a body (and is said honoured). */
export interface MinimalAnswer {
  readonly status: number;
  readonly headers: readonly string[];
  readonly representation: boolean;
  /** Answers `{"count": n}` by default, with `data` on `return=representation`. */
  readonly counted: boolean;
}

export type WriteAction = "create" | "bulkCreate" | "update" | "replace" | "createRelated" | "bulkUpdate" | "bulkDelete" | "restore" | "batch" | "delete" | "link" | "unlink";

export const MINIMAL_ANSWERS: Readonly<Record<WriteAction, MinimalAnswer>> = {
  create: { status: 204, headers: ["Location", "ETag"], representation: true, counted: false },
  bulkCreate: { status: 204, headers: [], representation: true, counted: false },
  update: { status: 204, headers: ["ETag"], representation: true, counted: false },
  replace: { status: 204, headers: ["Location", "ETag"], representation: true, counted: false },
  createRelated: { status: 204, headers: ["Location", "ETag"], representation: true, counted: false },
  bulkUpdate: { status: 204, headers: [], representation: true, counted: true },
  bulkDelete: { status: 204, headers: [], representation: true, counted: true },
  restore: { status: 204, headers: ["ETag"], representation: true, counted: false },
  batch: { status: 204, headers: [], representation: true, counted: false },
  delete: { status: 204, headers: [], representation: false, counted: false },
  link: { status: 204, headers: [], representation: false, counted: false },
  unlink: { status: 204, headers: [], representation: false, counted: false },
};

/** Every answer carries the request id in this header, and every problem in this field. */
export const REQUEST_ID_HEADER = "X-Request-ID";
export const REQUEST_ID_FIELD = "request_id";

/** The rate limiter's Redis script (fastbackend_contract.ratelimit): one atomic read-refill-take
 * on Redis's clock, the runtime's own, so both servers with one prefix share their buckets. */
export const TOKEN_BUCKET = "\nlocal capacity = tonumber(ARGV[1])\nlocal rate = tonumber(ARGV[2])\nlocal clock = redis.call('TIME')\nlocal now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000\nlocal state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')\nlocal tokens = tonumber(state[1]) or capacity\nlocal last = tonumber(state[2]) or now\ntokens = math.min(capacity, tokens + math.max(0, now - last) * rate)\nlocal allowed = 0\nif tokens >= 1 then\n  tokens = tokens - 1\n  allowed = 1\nend\nredis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))\nredis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)\nreturn {allowed, tostring(tokens)}\n";

// Limits on a request's size and on what one list request may ask for: the contract's table
// (contract.ts, as the FastAPI runtime reads it), each from its environment variable, else its
// default; counts and bytes are whole numbers >= 1, seconds numbers > 0 (docs/configuration.md).
// The request line and headers are checked before any route runs (requestLimits); the query
// limits while a list query is parsed (Budget), each a 400 invalid-parameter. Node's HTTP parser
// sees the request first: server.ts lets through as much as these limits allow.
import { isUtf8 } from "node:buffer";
import type { NextFunction, Request, Response } from "express";
import { LIMITS as TABLE, type LimitKey } from "./contract.js";
import { Problem, badParameter, sendProblem } from "./problem.js";

/** A limit of the contract's table: the same rule as the runtime's (fastbackend_contract). */
function limit(key: LimitKey): number {
  const row = TABLE[key];
  for (const name of [row.env, ...row.aliases]) {
    const text = process.env[name];
    if (text === undefined || text === "") continue;
    const value = Number(text);
    if (row.unit === "seconds") {
      if (/^\d+(\.\d+)?$/.test(text) && Number.isFinite(value) && value > 0) return value;
      throw new Error(`${name} must be a number of seconds above 0, not ${JSON.stringify(text)}`);
    }
    if (/^\d+$/.test(text) && Number.isSafeInteger(value) && value >= 1) return value;
    throw new Error(`${name} must be a whole number of at least 1, not ${JSON.stringify(text)}`);
  }
  return row.default;
}

function setting(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name} must be a whole number of at least 1, not ${JSON.stringify(text)}`);
  }
  return value;
}

export const LIMITS = {
  defaultLimit: limit("default_limit"), // rows of a page without `limit`
  maxPageSize: limit("max_page_size"), // the largest `limit`
  maxBodyBytes: limit("max_body_bytes"),
  maxUrlBytes: limit("max_url_bytes"), // path and query string
  maxHeaderBytes: limit("max_header_bytes"), // names and values
  maxQueryParams: limit("max_query_params"),
  maxWhereDepth: limit("max_where_depth"), // where= nesting: AND / OR / NOT, relations
  maxRelationDepth: limit("max_relation_depth"), // per dot path, sort key, where= nesting
  maxConditions: limit("max_conditions"), // filters and where= keys, together
  maxListValues: limit("max_list_values"), // every in / notin list, together
  maxNames: limit("max_names"), // entries of sort, fields and include, each
  bodyTimeoutSeconds: limit("body_timeout_seconds"), // from the body's first read
  maxBulkRows: limit("max_bulk_rows"), // rows one bulk update or delete by filter may touch
  maxGroups: limit("max_groups"), // groups one aggregate request answers (lib/aggregates.ts)
  maxNestedDepth: limit("max_nested_depth"), // relation levels of one nested create (lib/nested.ts)
  maxBatchOperations: limit("max_batch_operations"), // operations of one atomic batch (lib/batch.ts)
  aggregateTimeoutSeconds: limit("aggregate_timeout_seconds"), // one aggregate's transaction
} as const;

/** How long a request's transaction may wait to start (FASTBACKEND_POOL_TIMEOUT, seconds: the
 * runtime's wait for a connection) and run (FASTBACKEND_STATEMENT_TIMEOUT_MS, the runtime's
 * bound on one statement); past either, Prisma's P2028 is a 503 (database-errors.ts). */
export const TRANSACTIONS = {
  maxWait: setting("FASTBACKEND_POOL_TIMEOUT", 10) * 1000,
  timeout: setting("FASTBACKEND_STATEMENT_TIMEOUT_MS", 15_000),
} as const;

/** What Node's parser must let through for the app to see every request these limits accept:
 * it counts the request target (with its `?`) and every header name and value, together. */
export const PARSER_HEADER_BYTES = LIMITS.maxUrlBytes + LIMITS.maxHeaderBytes + 1024;

// Headers the server itself reads: their values must be printable ASCII (ETags, media types).
const READ_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "Content-Type", "if-match": "If-Match", "if-none-match": "If-None-Match",
};
const PLAIN = /^[\x20-\x24\x26-\x7e]*$/; // printable ASCII but `%`
const LONGEST_INSTANCE = 512; // a longer path is left out of the problem's `instance`

/** The first middleware: refuse what the request line and headers already show. */
export function requestLimits(req: Request, res: Response, next: NextFunction): void {
  const problem = check(req);
  if (problem === null) return next();
  sendProblem(res, req, problem, req.path.length <= LONGEST_INSTANCE ? req.path : "");
}

function check(req: Request): Problem | null {
  // Node hands over the request target and header values as Latin-1: one character per byte.
  const target = req.originalUrl;
  const at = target.indexOf("?");
  const path = at < 0 ? target : target.slice(0, at);
  const query = at < 0 ? "" : target.slice(at + 1);
  if (path.length + query.length > LIMITS.maxUrlBytes) {
    return new Problem(414, "url-too-long",
      `the URL is longer than ${LIMITS.maxUrlBytes} bytes; send long filters to POST .../query`);
  }
  if (req.rawHeaders.reduce((total, part) => total + part.length, 0) > LIMITS.maxHeaderBytes) {
    return new Problem(431, "headers-too-large", `the headers are longer than ${LIMITS.maxHeaderBytes} bytes`);
  }
  if (query.split("&").filter((part) => part !== "").length > LIMITS.maxQueryParams) {
    return new Problem(400, "too-many-parameters", `more than ${LIMITS.maxQueryParams} query parameters`);
  }
  for (const [what, text] of [["path", path], ["query string", query.replace(/\+/g, " ")]] as const) {
    if (PLAIN.test(text)) continue; // printable ASCII, no escapes: UTF-8 without NUL as it is
    const message = malformed(percentDecoded(text));
    if (message !== null) return new Problem(400, "malformed-url", `the URL's ${what} ${message}`);
  }
  for (let index = 0; index + 1 < req.rawHeaders.length; index += 2) {
    const name = READ_HEADERS[(req.rawHeaders[index] ?? "").toLowerCase()];
    if (name !== undefined && !printable(req.rawHeaders[index + 1] ?? "")) {
      return new Problem(400, "malformed-header", `the ${name} header is not printable ASCII`);
    }
  }
  return bodyLength(req.headers["content-length"]);
}

/** A declared body past the limit is refused before it is read, whatever its media type. */
function bodyLength(length: string | undefined): Problem | null {
  if (length === undefined || (/^\d+$/.test(length) && Number(length) <= LIMITS.maxBodyBytes)) return null;
  return payloadTooLarge();
}

/** The body is not read: the connection closes after the answer. */
export function payloadTooLarge(): Problem {
  return new Problem(413, "payload-too-large", `the request body is larger than ${LIMITS.maxBodyBytes} bytes`,
    [], { Connection: "close" });
}

/** The body did not arrive in full in time: it is not read further, and the connection closes. */
export function requestTimeout(): Problem {
  return new Problem(408, "request-timeout",
    `the request body did not arrive within ${LIMITS.bodyTimeoutSeconds} s`, [], { Connection: "close" });
}

/** Percent-escapes decoded to bytes (an invalid escape stays as it is, as Python's unquote). */
function percentDecoded(text: string): Buffer {
  const bytes = Buffer.alloc(text.length);
  let length = 0;
  for (let index = 0; index < text.length; index += 1) {
    const escape = text.slice(index + 1, index + 3);
    if (text[index] === "%" && /^[0-9a-fA-F]{2}$/.test(escape)) {
      bytes[length++] = parseInt(escape, 16);
      index += 2;
    } else {
      bytes[length++] = text.charCodeAt(index) & 0xff;
    }
  }
  return bytes.subarray(0, length);
}

function malformed(decoded: Buffer): string | null {
  if (decoded.includes(0)) return "holds a NUL byte (%00)";
  return isUtf8(decoded) ? null : "is not UTF-8 once percent-decoded";
}

function printable(value: string): boolean {
  return /^[\t\x20-\x7e]*$/.test(value);
}

/** What one list request has spent of the query limits so far; past one, a 400 naming the
 * parameter (`at`: where in a where= document). */
export class Budget {
  private conditions = 0;
  private listValues = 0;

  condition(parameter: string, at?: string): void {
    this.conditions += 1;
    if (this.conditions > LIMITS.maxConditions) throw refused(parameter, at, `more than ${LIMITS.maxConditions} conditions`);
  }

  values(count: number, parameter: string, at?: string): void {
    this.listValues += count;
    if (this.listValues > LIMITS.maxListValues) {
      throw refused(parameter, at, `more than ${LIMITS.maxListValues} list values in one query`);
    }
  }

  steps(count: number, parameter: string, at?: string): void {
    if (count > LIMITS.maxRelationDepth) throw refused(parameter, at, `walks more than ${LIMITS.maxRelationDepth} relations`);
  }

  names(count: number, parameter: string): void {
    if (count > LIMITS.maxNames) throw badParameter(parameter, `more than ${LIMITS.maxNames} names`);
  }

  depth(depth: number, at: string): void {
    if (depth > LIMITS.maxWhereDepth) throw refused("where", at, `nested deeper than ${LIMITS.maxWhereDepth} levels`);
  }
}

/** `at`, a JSON Pointer into a where= document, names the parameter as the runtime does:
 * `query parameter 'where at /OR/0/NOT': ...`. */
function refused(parameter: string, at: string | undefined, message: string): Problem {
  return badParameter(at === undefined ? parameter : `${parameter} at ${at || "/"}`, message);
}

// The atomic batch, `POST /_batch` (docs/rest-api.md "Atomic batch"), step for step as the
// FastAPI runtime's routes/batch.py: the body checked first (lib/batch-body.ts: every error in
// one 422 with pointers), then every operation run, in order, as the request its own route
// serves, inside one interactive transaction (`prisma.$transaction(async (tx) => ...)`); the
// first that fails rolls every one back and its own problem is the answer, its pointers under
// /operations/<i>.
//
// The routers are given `batchable(prisma)`: outside a batch it is the client itself; inside,
// its model delegates and raw queries are the batch's transaction client, and its
// `$transaction(fn)` runs `fn` on that client, so each route's own transaction becomes part of
// the batch's with no second implementation of any route. Either way a transaction's realtime
// feed rows go in at its end, just before its commit (lib/events.ts `deferringFeed`): a
// batch's after its last operation, as the runtime's.
import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import type { Express, Request, Response, Router } from "express";
import {
  KEY_TYPE, BodyChecker, addressable, asReference, isObject, partition, type BatchResource, type Location,
  type Operation,
} from "./batch-body.js";
import { BATCH_ACTION, PROBLEM_TYPE_BASE } from "./contract.js";
import { jsonBody } from "./body.js";
import { parseJson } from "./json.js";
import { LIMITS } from "./limits.js";
import { deferringFeed, type Executor } from "./events.js";
import { applied, sendMinimal, wantsMinimal } from "./prefer.js";
import { Problem, pointer, quoted, validationProblem, type FieldError } from "./problem.js";
import { jsonText, sendJsonText, type Json } from "./serialize.js";

export { batchResources, type BatchResource } from "./batch-body.js";

const HELD = new AsyncLocalStorage<object>();

type Transact = (work: unknown, options?: unknown) => Promise<unknown>;

/** The client routes are given: inside a batch, its transaction's. Outside one, its
 * interactive transactions (`$transaction(fn)`) defer their feed rows to their end. */
export function batchable<T extends object>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const tx = HELD.getStore();
      if (tx === undefined) {
        if (property !== "$transaction") return Reflect.get(target, property, receiver) as unknown;
        const transact = (Reflect.get(target, property, receiver) as Transact).bind(target);
        return (work: unknown, options?: unknown) => typeof work === "function"
          ? transact((inner: Executor) => deferringFeed(inner, () => (work as (client: object) => Promise<unknown>)(inner)), options)
          : transact(work, options);
      }
      if (property === "$transaction") {
        return (work: unknown) => typeof work === "function"
          ? (work as (client: object) => unknown)(tx)
          : Promise.all(work as readonly unknown[]);
      }
      const found = Reflect.get(tx, property) as unknown;
      return typeof found === "function" ? (found as (...args: unknown[]) => unknown).bind(tx) : found;
    },
  });
}

function named(operation: Operation): string {
  return `operation ${operation.index} (${operation.kind.op} ${operation.path}) failed, nothing was written`;
}

function resolve(value: unknown, results: ReadonlyMap<string, unknown>, location: Location): unknown {
  const reference = asReference(value);
  if (reference !== null) {
    const [name, field] = partition(reference);
    const row = results.get(name);
    if (!isObject(row) || !(field in row)) {
      throw validationProblem([{ pointer: pointer(location), code: "invalid_ref",
        message: `the operation named ${quoted(name)} answered no field ${quoted(field)}` }]);
    }
    return row[field];
  }
  if (Array.isArray(value)) return value.map((inner, position) => resolve(inner, results, [...location, position]));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, resolve(inner, results, [...location, name])]));
  }
  return value;
}

function keyText(operation: Operation, results: ReadonlyMap<string, unknown>): string {
  const key = operation.key as Record<string, unknown>;
  return operation.names.map((name) => {
    const location: Location = ["operations", operation.index, "key", name];
    const value = resolve(key[name], results, location);
    if (addressable(value)) {
      if (typeof value === "string") return value;
      if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
    }
    throw validationProblem([{ pointer: pointer(location), code: "key_type", message: KEY_TYPE }]);
  }).join(",");
}

const DROPPED = new Set(["content-length", "content-type", "prefer", "if-match", "if-none-match", "transfer-encoding"]);

/** The operation as its own request, through the models' routers and the problem handler (its
 * problems are rendered as its route renders them). */
function dispatch(app: Express, routes: Router, outer: Request, outerRes: Response, method: string, path: string,
  body: string | null, ifMatch: string | null): Promise<[number, Record<string, string>, string]> {
  const headers: http.IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(outer.headers)) if (!DROPPED.has(name)) headers[name] = value;
  if (body !== null) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  if (ifMatch !== null) headers["if-match"] = ifMatch;
  const req = new http.IncomingMessage(outer.socket);
  req.method = method;
  req.url = path; // its key's segment percent-encoded (run)
  req.headers = headers;
  const res = new http.ServerResponse(req);
  Object.setPrototypeOf(req, app.request);
  Object.setPrototypeOf(res, app.response);
  const request = req as unknown as Request;
  const response = res as unknown as Response;
  Object.assign(request, { res: response, body: body ?? undefined, baseUrl: "", originalUrl: req.url });
  Object.assign(response, { req: request, locals: { ...outerRes.locals } });
  return new Promise((done, failed) => {
    const chunks: Buffer[] = [];
    const collect = (chunk: unknown): void => {
      if (chunk !== undefined && chunk !== null && typeof chunk !== "function") {
        if (Buffer.isBuffer(chunk)) chunks.push(chunk);
        else if (typeof chunk === "string") chunks.push(Buffer.from(chunk));
      }
    };
    res.write = ((chunk: unknown) => {
      collect(chunk);
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: unknown) => {
      collect(chunk);
      const answered: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.getHeaders())) answered[name.toLowerCase()] = String(value);
      done([res.statusCode, answered, Buffer.concat(chunks).toString("utf8")]);
      return res;
    }) as typeof res.end;
    routes(request, response, (error?: unknown) => {
      failed(error instanceof Error ? error : new Error(`no route for ${method} ${path}`));
    });
  });
}

function textOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}

const MEMBER: Readonly<Record<string, string>> = { "not-found": "key", "precondition-failed": "if_match" };

function failedProblem(operation: Operation, status: number, headers: Record<string, string>, text: string): Problem {
  let found: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (isObject(parsed)) found = parsed;
  } catch {
    found = {};
  }
  const kind = typeof found.type === "string" ? found.type : "";
  const slug = kind.startsWith(PROBLEM_TYPE_BASE) ? kind.slice(PROBLEM_TYPE_BASE.length) : "http-error";
  const detail = typeof found.detail === "string" ? found.detail : "";
  const at = `/operations/${operation.index}`;
  let errors: FieldError[] = (Array.isArray(found.errors) ? found.errors : []).filter(isObject).map((error) => ({
    pointer: at + "/body" + textOf(error.pointer), code: textOf(error.code), message: textOf(error.message),
  }));
  if (errors.length === 0) {
    const member = operation.kind.keyed ? MEMBER[slug] : undefined;
    errors = [{ pointer: at + (member === undefined ? "" : `/${member}`), code: slug, message: detail }];
  }
  const kept: Record<string, string> = {};
  for (const name of ["retry-after", "allow"]) if (headers[name] !== undefined) kept[name === "allow" ? "Allow" : "Retry-After"] = headers[name];
  return new Problem(status, slug, `${named(operation)}: ${detail}`, errors, kept);
}

async function run(app: Express, routes: Router, req: Request, res: Response, operation: Operation,
  results: Map<string, unknown>): Promise<Json> {
  let path = operation.path;
  let body: string | null = null;
  try {
    if (operation.key !== null) path += "/" + encodeURIComponent(keyText(operation, results));
    if (operation.kind.body) {
      body = jsonText(resolve(operation.body, results, ["operations", operation.index, "body"]) as Json);
    }
  } catch (error) {
    if (error instanceof Problem) {
      throw new Problem(error.status, error.type, `${named(operation)}: ${error.detail}`, error.errors, error.headers);
    }
    throw error;
  }
  const [status, headers, answer] = await dispatch(app, routes, req, res, operation.kind.method, path, body,
    operation.ifMatch);
  if (status >= 400) throw failedProblem(operation, status, headers, answer);
  const row = answer === "" ? null : parseJson(answer);
  if (operation.ref !== null) results.set(operation.ref, row);
  return { status, body: row as Json };
}

/** `POST /_batch`: ``routes`` are the models' routers (and the problem handler) the operations
 * run through; ``prisma`` the client whose interactive transaction holds them all. */
export function batchHandler(app: Express, prisma: { $transaction: <R>(work: (tx: object) => Promise<R>) => Promise<R> },
  routes: Router, resources: ReadonlyMap<string, BatchResource>) {
  return async (req: Request, res: Response): Promise<void> => {
    const document = jsonBody(req);
    const checker = new BodyChecker(resources);
    const operations = checker.operations(document, LIMITS.maxBatchOperations);
    if (checker.errors.length > 0) throw validationProblem(checker.errors);
    // every operation's feed rows go in after the last operation, just before the commit
    const answers = await prisma.$transaction(async (tx) => deferringFeed(tx as Executor, () => HELD.run(tx, async () => {
      const results = new Map<string, unknown>();
      const found: Json[] = [];
      for (const operation of operations) found.push(await run(app, routes, req, res, operation, results));
      return found;
    })));
    if (wantsMinimal(req)) {
      sendMinimal(req, res, BATCH_ACTION);
      return;
    }
    res.set(applied(req, BATCH_ACTION));
    sendJsonText(res, 200, jsonText({ results: answers }));
  };
}

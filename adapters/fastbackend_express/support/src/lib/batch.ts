// The atomic batch, `POST /_batch` (docs/rest-api.md "Atomic batch"), step for step as the
// FastAPI runtime's routes/batch.py: the body checked first (every error in one 422 with
// pointers), then every operation run, in order, as the request its own route serves, inside
// one interactive transaction (`prisma.$transaction(async (tx) => ...)`); the first that fails
// rolls every one back and its own problem is the answer, its pointers under /operations/<i>.
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
  BATCH_ACTION, BATCH_OPERATION_FIELDS, BATCH_OPERATIONS, BATCH_REF, BATCH_REF_NAME, PROBLEM_TYPE_BASE,
  type BatchOperationRow,
} from "./contract.js";
import { jsonBody } from "./body.js";
import { parseJson } from "./json.js";
import { LIMITS } from "./limits.js";
import { deferringFeed, type Executor } from "./events.js";
import { applied, sendMinimal, wantsMinimal } from "./prefer.js";
import { Problem, pointer, quoted, validationProblem, type FieldError } from "./problem.js";
import { jsonText, sendJsonText, type Json } from "./serialize.js";

/** A resource the batch reaches: its key's fields and the operations its routes serve. */
export interface BatchResource {
  readonly key: readonly string[];
  readonly ops: readonly string[];
}

interface Operation {
  readonly index: number;
  readonly kind: BatchOperationRow;
  readonly path: string;
  readonly names: readonly string[]; // the key's fields
  readonly key: Record<string, unknown> | null;
  readonly body: unknown;
  readonly ref: string | null;
  readonly ifMatch: string | null;
}

type Location = (string | number)[];
const OPERATIONS = new Map(BATCH_OPERATIONS.map((row) => [row.op, row]));
const REF_NAME = new RegExp(BATCH_REF_NAME);
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const KEY_TYPE = "a key value is a string, a number or a boolean, and a URL segment can carry it (no / nor NUL)";
const HELD = new AsyncLocalStorage<object>();

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

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

/** `{"$ref": "a.id"}` -> "a.id"; anything else -> null. */
function asReference(value: unknown): string | null {
  if (!isObject(value)) return null;
  const names = Object.keys(value);
  return names.length === 1 && typeof value[BATCH_REF] === "string" ? value[BATCH_REF] : null;
}

function addressable(value: unknown): boolean {
  if (typeof value === "string") return !value.includes("/") && !value.includes("\u0000") && value !== "";
  return typeof value === "number" || typeof value === "bigint" || typeof value === "boolean";
}

function partition(reference: string): [string, string] {
  const dot = reference.indexOf(".");
  return dot < 0 ? [reference, ""] : [reference.slice(0, dot), reference.slice(dot + 1)];
}

/** Every error of the batch's body, before anything runs. */
class Checker {
  readonly errors: FieldError[] = [];
  private readonly refs = new Map<string, number>();
  private readonly bodiless = new Set<string>();

  constructor(private readonly resources: ReadonlyMap<string, BatchResource>) {}

  fail(location: Location, code: string, message: string): void {
    this.errors.push({ pointer: pointer(location), code, message });
  }

  operations(document: unknown, limit: number): Operation[] {
    if (!isObject(document)) {
      this.fail([], "dict_type", 'the body is an object: {"operations": [...]}');
      return [];
    }
    for (const name of Object.keys(document)) {
      if (name !== "operations") this.fail([name], "unknown_field", `${name} is not a known field`);
    }
    const given = document.operations;
    if (!Array.isArray(given)) {
      this.fail(["operations"], given === undefined || given === null ? "missing" : "list_type",
        "operations is a list of operations");
      return [];
    }
    if (given.length > limit) {
      throw new Problem(400, "too-many-operations", `a batch carries at most ${limit} operations `
        + `(limits.max_batch_operations); this one has ${given.length}: nothing was run`);
    }
    if (given.length === 0) this.fail(["operations"], "too_short", "a batch has at least one operation");
    const found = given.map((item, index) => this.operation(index, item as unknown));
    return found.filter((operation): operation is Operation => operation !== null);
  }

  operation(index: number, item: unknown): Operation | null {
    const at: Location = ["operations", index];
    if (!isObject(item)) {
      this.fail(at, "dict_type", "an operation is an object");
      return null;
    }
    for (const name of Object.keys(item)) {
      if (!BATCH_OPERATION_FIELDS.includes(name)) this.fail([...at, name], "unknown_field", `${name} is not a known field`);
    }
    const errors = this.errors.length;
    const [kind, path] = this.kind(at, item);
    const ref = this.ref(at, index, item.ref);
    if (ref !== null && kind !== null && !kind.body) this.bodiless.add(ref); // a delete answers no row
    const ifMatch = this.ifMatch(at, item);
    if (kind === null || path === null) return null;
    const resource = this.resources.get(path) as BatchResource;
    const key = this.key(at, index, kind, resource, item);
    const body = this.body(at, index, kind, item);
    if (this.errors.length > errors) return null;
    return { index, kind, path, names: resource.key, key, body, ref, ifMatch };
  }

  kind(at: Location, item: Record<string, unknown>): [BatchOperationRow | null, string | null] {
    const op = item.op;
    const path = item.path;
    let kind = typeof op === "string" ? OPERATIONS.get(op) ?? null : null;
    if (kind === null) {
      this.fail([...at, "op"], op === undefined || op === null ? "missing" : "enum",
        "op is one of " + [...OPERATIONS.keys()].join(", "));
    }
    const resource = typeof path === "string" ? this.resources.get(path) : undefined;
    if (resource === undefined) {
      this.fail([...at, "path"], path === undefined || path === null ? "missing" : "enum",
        "path is a resource's path: " + [...this.resources.keys()].sort().join(", "));
      return [kind, null];
    }
    if (kind !== null && !resource.ops.includes(kind.op)) {
      this.fail([...at, "op"], "enum", `${path as string} does not serve ${kind.op}; it serves `
        + [...OPERATIONS.keys()].filter((name) => resource.ops.includes(name)).join(", "));
      kind = null;
    }
    return [kind, path as string];
  }

  ref(at: Location, index: number, ref: unknown): string | null {
    if (ref === undefined || ref === null) return null;
    if (typeof ref !== "string" || !REF_NAME.test(ref)) {
      this.fail([...at, "ref"], "string_pattern_mismatch",
        "ref is a name of letters, digits and _ (not starting with a digit)");
      return null;
    }
    const earlier = this.refs.get(ref);
    if (earlier !== undefined) {
      this.fail([...at, "ref"], "duplicate_ref", `operation ${earlier} already has the ref ${quoted(ref)}`);
      return null;
    }
    this.refs.set(ref, index);
    return ref;
  }

  ifMatch(at: Location, item: Record<string, unknown>): string | null {
    const value = item.if_match;
    if (value === undefined || value === null) return null;
    if (typeof value !== "string" || !PRINTABLE_ASCII.test(value)) {
      this.fail([...at, "if_match"], "string_type", "if_match is an ETag: printable ASCII");
      return null;
    }
    return value;
  }

  key(at: Location, index: number, kind: BatchOperationRow, resource: BatchResource,
    item: Record<string, unknown>): Record<string, unknown> | null {
    const key = item.key;
    if (!kind.keyed) {
      if (key !== undefined && key !== null) this.fail([...at, "key"], "unknown_field", `a ${kind.op} names no key`);
      return null;
    }
    if (!isObject(key)) {
      this.fail([...at, "key"], key === undefined || key === null ? "missing" : "dict_type",
        "key is an object of " + resource.key.join(", "));
      return null;
    }
    for (const name of Object.keys(key)) {
      if (!resource.key.includes(name)) {
        this.fail([...at, "key", name], "unknown_field", `${name} is not a key field of ${modelOf(resource)}`);
      }
    }
    for (const name of resource.key) {
      if (!(name in key)) this.fail([...at, "key", name], "missing", `${name} is required`);
      else if (!this.refers(index, key[name], [...at, "key", name]) && !addressable(key[name])) {
        this.fail([...at, "key", name], "key_type", KEY_TYPE);
      }
    }
    return key;
  }

  body(at: Location, index: number, kind: BatchOperationRow, item: Record<string, unknown>): unknown {
    const body = item.body;
    if (!kind.body) {
      if (body !== undefined && body !== null) this.fail([...at, "body"], "unknown_field", `a ${kind.op} takes no body`);
      return null;
    }
    if (!isObject(body)) {
      this.fail([...at, "body"], body === undefined || body === null ? "missing" : "dict_type",
        "body is an object: the row, as the route takes it");
      return null;
    }
    this.walk(index, body, [...at, "body"]);
    return body;
  }

  walk(index: number, value: unknown, location: Location): void {
    if (this.refers(index, value, location)) return;
    if (Array.isArray(value)) value.forEach((inner, position) => this.walk(index, inner, [...location, position]));
    else if (isObject(value)) {
      for (const [name, inner] of Object.entries(value)) this.walk(index, inner, [...location, name]);
    }
  }

  refers(index: number, value: unknown, location: Location): boolean {
    const reference = asReference(value);
    if (reference === null) return false;
    const [name, field] = partition(reference);
    if (field === "" || (this.refs.get(name) ?? index) >= index || this.bodiless.has(name)) {
      this.fail(location, "invalid_ref", `${BATCH_REF} is '<ref>.<field>', the ref of an earlier operation: `
        + `${quoted(reference)} is not`);
    }
    return true;
  }
}

const MODEL_NAMES = new WeakMap<BatchResource, string>();

function modelOf(resource: BatchResource): string {
  return MODEL_NAMES.get(resource) ?? "";
}

/** `path -> {model, key, ops}` as the app renders it, for the checker. */
export function batchResources(rows: Readonly<Record<string, BatchResource & { readonly model: string }>>,
): ReadonlyMap<string, BatchResource> {
  const found = new Map<string, BatchResource>();
  for (const [path, row] of Object.entries(rows)) {
    if (row.ops.length === 0) continue;
    MODEL_NAMES.set(row, row.model);
    found.set(path, row);
  }
  return found;
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
    const checker = new Checker(resources);
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

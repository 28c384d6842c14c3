// The atomic batch's body (`POST /_batch`, docs/rest-api.md "Atomic batch"), checked before
// anything runs, step for step as the FastAPI runtime's routes/batch_body.py: its shape, each
// operation's op, path, key, body, ref and if_match, and every `{"$ref": "<ref>.<field>"}`
// naming an earlier operation; every error in one 422 with pointers. What passes becomes the
// operations lib/batch.ts runs.
import {
  BATCH_OPERATION_FIELDS, BATCH_OPERATIONS, BATCH_REF, BATCH_REF_NAME, type BatchOperationRow,
} from "./contract.js";
import { Problem, pointer, quoted, type FieldError } from "./problem.js";

/** A resource the batch reaches: its key's fields and the operations its routes serve. */
export interface BatchResource {
  readonly key: readonly string[];
  readonly ops: readonly string[];
}

/** One operation of a checked body, its members as sent (references unresolved). */
export interface Operation {
  readonly index: number;
  readonly kind: BatchOperationRow;
  readonly path: string;
  readonly names: readonly string[]; // the key's fields
  readonly key: Record<string, unknown> | null;
  readonly body: unknown;
  readonly ref: string | null;
  readonly ifMatch: string | null;
}

export type Location = (string | number)[];
const OPERATIONS = new Map(BATCH_OPERATIONS.map((row) => [row.op, row]));
const REF_NAME = new RegExp(BATCH_REF_NAME);
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
export const KEY_TYPE = "a key value is a string, a number or a boolean, and a URL segment can carry it (no / nor NUL)";

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `{"$ref": "a.id"}` -> "a.id"; anything else -> null. */
export function asReference(value: unknown): string | null {
  if (!isObject(value)) return null;
  const names = Object.keys(value);
  return names.length === 1 && typeof value[BATCH_REF] === "string" ? value[BATCH_REF] : null;
}

export function addressable(value: unknown): boolean {
  if (typeof value === "string") return !value.includes("/") && !value.includes("\u0000") && value !== "";
  return typeof value === "number" || typeof value === "bigint" || typeof value === "boolean";
}

export function partition(reference: string): [string, string] {
  const dot = reference.indexOf(".");
  return dot < 0 ? [reference, ""] : [reference.slice(0, dot), reference.slice(dot + 1)];
}

/** Every error of the batch's body, before anything runs. */
export class BodyChecker {
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

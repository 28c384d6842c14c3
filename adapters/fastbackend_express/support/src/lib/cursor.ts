// `sort` (the key always ends the order; a key may walk to-one relations: `author.name`) and
// keyset pagination. A cursor is the FastAPI runtime's: base64url(JSON {"s": sort, "v": the last
// row's sort values}) "." base64url(MAC), the MAC a keyed BLAKE2b (12 bytes) over the model's
// name, a NUL and the payload. The key is FASTBACKEND_CURSOR_SECRET (its first 64 bytes) or, without
// it, the one derived from the IR, as the runtime derives it: a cursor of either server is valid
// on the other for the same IR and secret, and an altered or foreign cursor is a 400.
import { timingSafeEqual } from "node:crypto";
import { blake2b } from "@noble/hashes/blake2.js";
import { CURSOR_KEY_FROM_IR, modelNamed } from "../meta.js";
import { parseJson } from "./json.js";
import { isDeleted, liveQuantified } from "./live.js";
import { fieldOf, relationOf, type FieldMeta, type ModelMeta, type RelationMeta } from "./meta.js";
import { badParameter, quoted } from "./problem.js";
import { prismaOrder } from "./sql.js";
import { jsonText, property, serializeValue, type Json } from "./serialize.js";
import type { Where } from "./filters.js";
import type { Budget } from "./limits.js";
import { ValueError, parseText, type QueryValue } from "./values.js";

export type Direction = "asc" | "desc";

export interface SortKey {
  /** The to-one relations walked before the field (empty for the model's own field). */
  readonly path: readonly RelationMeta[];
  readonly field: FieldMeta;
  readonly direction: Direction;
  /** Left out of the order (pages.ts: a block of rows in which the key has no value, where
   * Prisma would still order a soft-deleted related row by its value). */
  readonly unordered?: boolean;
}

const MAC_BYTES = 12;
const MAX_KEY_BYTES = 64; // BLAKE2b's longest key
const NOT_ISSUED = "not a cursor this API issued";

function cursorKey(): Uint8Array {
  const secret = process.env.FASTBACKEND_CURSOR_SECRET;
  if (secret) return Buffer.from(secret, "utf8").subarray(0, MAX_KEY_BYTES);
  return Buffer.from(CURSOR_KEY_FROM_IR, "hex");
}

const KEY = cursorKey();

export function parseSort(model: ModelMeta, text: string | undefined, budget: Budget): SortKey[] {
  const keys: SortKey[] = [];
  const parts = text ? text.split(",") : [];
  budget.names(parts.length, "sort");
  for (const part of parts) {
    const spelled = part.trim();
    const key = sortKey(model, spelled, budget);
    if (keys.some((other) => other.field === key.field && samePath(other.path, key.path))) {
      throw badParameter("sort", `${quoted(spelled)} appears twice`);
    }
    keys.push(key);
  }
  for (const name of model.key) {
    const field = fieldOf(model, name);
    const sorted = keys.some((key) => key.path.length === 0 && key.field.name === name);
    if (field !== undefined && !sorted) keys.push({ path: [], field, direction: "asc" });
  }
  return keys;
}

function sortKey(model: ModelMeta, spelled: string, budget: Budget): SortKey {
  const name = spelled.replace(/^-/, "");
  const steps = name.split(".");
  const fieldName = steps.pop() ?? "";
  budget.steps(steps.length, "sort");
  let current = model;
  const path: RelationMeta[] = [];
  for (const step of steps) {
    const relation = relationOf(current, step);
    if (relation === undefined || !relation.exposed) throw badParameter("sort", `${current.name} has no relation ${quoted(step)}`);
    if (relation.toMany) throw badParameter("sort", `${quoted(step)} is a to-many relation`);
    path.push(relation);
    current = modelNamed(relation.target);
  }
  const field = fieldOf(current, fieldName);
  if (field === undefined || !field.sortable) throw badParameter("sort", `cannot sort on ${quoted(name)}`);
  return { path, field, direction: spelled.startsWith("-") ? "desc" : "asc" };
}

function samePath(a: readonly RelationMeta[], b: readonly RelationMeta[]): boolean {
  return a.length === b.length && a.every((relation, index) => relation.name === b[index]?.name);
}

/** `-author.name`: the spelling the cursor is bound to (the runtime's). */
function spelling(sort: readonly SortKey[]): string {
  return sort.map((key) => (key.direction === "desc" ? "-" : "") + [...key.path.map((r) => r.name), key.field.name].join(".")).join(",");
}

/** Prisma's `orderBy` entry of one key. PostgreSQL sorts NULLs (a missing related row too) last
 * ascending and first descending, as the runtime orders them on every database (lib/sql.ts).
 * Prisma joins a related row whatever its stamp: a key through a soft-deleting model is ordered
 * as the contract orders it by pages.ts (`hidden`). */
export function orderByOf(key: SortKey): Record<string, unknown> {
  return key.path.reduceRight<Record<string, unknown>>((inner, relation) => ({ [relation.name]: inner }),
    { [key.field.name]: prismaOrder(key.direction, key.field.nullable) });
}

/** Whether the key has a value in `row` (read with findManyArgs, which loads the related rows a
 * key walks to). */
export function hasValue(key: SortKey, row: object): boolean {
  const value = sortValue(key, row);
  return value !== null && value !== undefined;
}

/** The key's value in `row`: null where a related row it walks through is missing or
 * soft-deleted (the runtime's subquery reads live rows only). */
export function sortValue(key: SortKey, row: object): unknown {
  let current: unknown = row;
  for (const relation of key.path) {
    current = typeof current === "object" && current !== null ? property(current, relation.name) : null;
    if (typeof current === "object" && current !== null && isDeleted(modelNamed(relation.target), current)) return null;
  }
  return typeof current === "object" && current !== null ? property(current, key.field.name) : null;
}

function mac(model: ModelMeta, payload: Uint8Array): Buffer {
  const message = Buffer.concat([Buffer.from(model.name, "utf8"), Buffer.from([0]), payload]);
  return Buffer.from(blake2b(message, { key: KEY, dkLen: MAC_BYTES }));
}

/** JSON text in ASCII, as Python's json.dumps writes it (`\u00e9`): the runtime's token, byte for byte. */
function ascii(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The token of the page's last row: its sort values (related ones read from the row's includes). */
export function cursorOf(model: ModelMeta, sort: readonly SortKey[], row: object): string {
  const values: Json[] = sort.map((key) => serializeValue(key.field, sortValue(key, row)));
  const payload = Buffer.from(ascii(jsonText({ s: spelling(sort), v: values })), "ascii");
  return `${payload.toString("base64url")}.${mac(model, payload).toString("base64url")}`;
}

/** The token of `{"s": spelled, "v": values}`, values already in their JSON form (the runtime's
 * CursorCodec.sign: aggregate pages, lib/aggregates.ts). */
export function signCursor(model: ModelMeta, spelled: string, values: readonly Json[]): string {
  const payload = Buffer.from(ascii(jsonText({ s: spelled, v: [...values] })), "ascii");
  return `${payload.toString("base64url")}.${mac(model, payload).toString("base64url")}`;
}

/** The verified payload of a token, parsed; a 400 when this API did not issue it. */
export function cursorDocument(model: ModelMeta, token: string): unknown {
  try {
    return parseJson(verified(model, token).toString("utf8"));
  } catch (error) {
    if (error instanceof SyntaxError) throw badParameter("cursor", NOT_ISSUED);
    throw error;
  }
}

/** Base64 as Python reads it: characters outside the alphabet skipped, one past a multiple of
 * four refused (the runtime's answer to a truncated part is "not a cursor", not "altered"). */
function unbase64(text: string): Buffer {
  if ((text.match(/[A-Za-z0-9_+/-]/g)?.length ?? 0) % 4 === 1) throw badParameter("cursor", NOT_ISSUED);
  return Buffer.from(text, "base64url");
}

function verified(model: ModelMeta, token: string): Buffer {
  const dot = token.indexOf(".");
  const payload = unbase64(dot < 0 ? token : token.slice(0, dot));
  const signature = unbase64(dot < 0 ? "" : token.slice(dot + 1));
  const expected = mac(model, payload);
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    throw badParameter("cursor", `${NOT_ISSUED} (or it was altered)`);
  }
  return payload;
}

function decodeCursor(model: ModelMeta, sort: readonly SortKey[], token: string): (QueryValue | null)[] {
  let document: unknown;
  try {
    document = parseJson(verified(model, token).toString("utf8"));
  } catch (error) {
    if (error instanceof SyntaxError) throw badParameter("cursor", NOT_ISSUED);
    throw error;
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw badParameter("cursor", "not a cursor");
  const issued: unknown = property(document, "s");
  if (issued !== spelling(sort)) {
    throw badParameter("cursor", `the cursor was issued for another sort order; send sort=${quoted(String(issued))} with it`);
  }
  const values: unknown = property(document, "v");
  if (!Array.isArray(values) || values.length !== sort.length) throw badParameter("cursor", NOT_ISSUED);
  try {
    return sort.map((key, index) => cursorValue(key.field, values[index]));
  } catch (error) {
    if (error instanceof ValueError) throw badParameter("cursor", NOT_ISSUED);
    throw error;
  }
}

function cursorValue(field: FieldMeta, value: unknown): QueryValue | null {
  if (value === null) return null;
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean"
    && typeof value !== "bigint") throw new ValueError(NOT_ISSUED);
  return parseText(field, String(value));
}

/**
 * Rows after the cursor in (k1, k2, ..., key) order: k1 beyond v1, or k1 = v1 and k2 beyond v2, ...
 * (the runtime's expansion of the row-value comparison). NULLs come last ascending and first
 * descending; a key along relations is NULL when a related row is missing, too.
 */
export function afterCursor(model: ModelMeta, sort: readonly SortKey[], token: string): Where {
  const values = decodeCursor(model, sort, token);
  const branches: Where[] = [];
  sort.forEach((key, index) => {
    const condition = beyond(key, values[index] ?? null);
    if (condition === null) return;
    const equal = sort.slice(0, index).map((previous, i) => equalTo(previous, values[i] ?? null));
    branches.push({ AND: [...equal, condition] });
  });
  return { OR: branches };
}

/** A condition on the key's field, through its live related rows (`{author: {is: {name: ...}}}`). */
function onKey(key: SortKey, condition: unknown): Where {
  return through(key, { [key.field.name]: condition });
}

/** `inner` on the key's last related row, each row along the path live (live.ts). */
function through(key: SortKey, inner: Where): Where {
  return key.path.reduceRight<Where>((where, relation) =>
    ({ [relation.name]: { is: liveQuantified(modelNamed(relation.target), "is", where) } }), inner);
}

/** Whether the key walks through a soft-deleting model: Prisma's order would read a deleted
 * related row's value, which the contract reads as missing (pages.ts splits such a sort). */
export function hidden(key: SortKey): boolean {
  return key.path.some((relation) => Boolean(modelNamed(relation.target).softDelete));
}

/** The key has no value: NULL, or a related row it walks through is missing. */
export function isNull(key: SortKey): Where {
  return key.path.length === 0 ? onKey(key, { equals: null }) : { NOT: present(key) };
}

/** The key has a value: the related rows exist and the field is not NULL (Prisma refuses `not:
 * null` on a field that cannot be NULL, so there the related row's existence says it all). */
export function present(key: SortKey): Where {
  if (key.path.length === 0 || key.field.nullable) return onKey(key, { not: null });
  return through(key, {});
}

function nullable(key: SortKey): boolean {
  return key.path.length > 0 || key.field.nullable;
}

export function equalTo(key: SortKey, value: QueryValue | null): Where {
  return value === null ? isNull(key) : onKey(key, { equals: value });
}

function beyond(key: SortKey, value: QueryValue | null): Where | null {
  const ascending = key.direction === "asc";
  if (value === null) return ascending ? null : present(key);
  const condition = ascending ? after(key.field, value) : before(key.field, value);
  if (condition === null) return ascending && nullable(key) ? isNull(key) : null;
  const further = onKey(key, condition);
  return ascending && nullable(key) ? { OR: [further, isNull(key)] } : further;
}

/** Prisma has no gt/lt on enums and booleans: name the later (or earlier) values instead. */
function ordered(field: FieldMeta): readonly QueryValue[] | null {
  if (field.kind === "enum") return field.enumValues; // PostgreSQL orders enums as declared
  if (field.kind === "boolean") return [false, true];
  return null;
}

function after(field: FieldMeta, value: QueryValue): Where | null {
  const values = ordered(field);
  if (values === null) return { gt: value };
  return oneOf(values.slice(values.indexOf(value) + 1));
}

function before(field: FieldMeta, value: QueryValue): Where | null {
  const values = ordered(field);
  if (values === null) return { lt: value };
  return oneOf(values.slice(0, Math.max(values.indexOf(value), 0)));
}

/** Any of ``values`` (a Boolean filter has no `in`: one value is its `equals`). */
function oneOf(values: readonly QueryValue[]): Where | null {
  if (values.length === 0) return null;
  return values.length === 1 ? { equals: values[0] } : { in: values };
}

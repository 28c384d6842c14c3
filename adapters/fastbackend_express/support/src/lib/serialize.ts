// Prisma rows -> the API's JSON representation (the same one the FastAPI runtime returns).
import { createHash } from "node:crypto";
import type { Response } from "express";
import { Prisma } from "../generated/prisma/client.js";
import type { FieldMeta, ModelMeta, ScalarKind } from "./meta.js";

/** JSON, plus bigint: 64-bit integers are written as exact JSON numbers by `jsonText`. */
export type Json = null | boolean | number | string | bigint | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

type Writer = (field: FieldMeta, value: unknown) => Json;

const WRITERS: Readonly<Partial<Record<ScalarKind, Writer>>> = {
  // A column without a time zone is returned as it is stored: without an offset.
  datetime: (field, value) => {
    const iso = (value as Date).toISOString(); // once: a list page writes many
    return `${iso.slice(0, 10)}T${clock(value as Date, iso)}${field.timezone ? "Z" : ""}`;
  },
  date: (_field, value) => (value as Date).toISOString().slice(0, 10),
  time: (_field, value) => clock(value as Date),
  decimal: (field, value) => {
    const decimal = value as Prisma.Decimal;
    return field.scale !== null ? decimal.toFixed(field.scale) : decimal.toString();
  },
  bytes: (_field, value) => Buffer.from(value as Uint8Array).toString("base64"),
};

/** HH:MM:SS, then microseconds only when there is a fraction (as Python's isoformat writes it). */
function clock(value: Date, iso = value.toISOString()): string {
  const seconds = iso.slice(11, 19);
  const millis = value.getUTCMilliseconds();
  return millis === 0 ? seconds : `${seconds}.${String(millis).padStart(3, "0")}000`;
}

export function property(row: object, name: string): unknown {
  return (row as Record<string, unknown>)[name];
}

export function serializeValue(field: FieldMeta, value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (field.list && Array.isArray(value)) return value.map((item: unknown) => serializeValue({ ...field, list: false }, item));
  const writer = WRITERS[field.kind];
  return writer !== undefined ? writer(field, value) : (value as Json);
}

/** The readable fields of a row, in declared order (`fields` narrows them). */
export function serializeRow(model: ModelMeta, row: object, fields: readonly string[] | null = null): JsonObject {
  const body: JsonObject = {};
  for (const field of model.fields) {
    if (!field.readable || (fields !== null && !fields.includes(field.name))) continue;
    body[field.name] = serializeValue(field, property(row, field.name));
  }
  return body;
}

// Text never contains NUL (refused on input; PostgreSQL cannot store it), so it marks bigints.
const BIGINT_MARK = /"\\u0000(-?\d+)\\u0000"/g;

export function jsonText(body: Json): string {
  try {
    return JSON.stringify(body); // without a replacer: the common case, a third faster
  } catch (error) {
    if (!(error instanceof TypeError)) throw error; // a bigint somewhere
  }
  const text = JSON.stringify(body, (_key, value: unknown) =>
    typeof value === "bigint" ? `\u0000${value.toString()}\u0000` : value);
  return text.replace(BIGINT_MARK, "$1");
}

/** The media type is set raw: Express's res.type() would append "; charset=utf-8". */
export function sendJson(res: Response, status: number, body: Json): void {
  sendJsonText(res, status, jsonText(body));
}

/** JSON text as the answer. A 200 or 201 to anything but HEAD is written here, the headers and
 * the body in one write (Node joins them when the body is a string; a Buffer is a second chunk
 * of a writev); HEAD and the rest go through Express's res.send (its freshness and empty bodies). */
export function sendJsonText(res: Response, status: number, text: string): void {
  res.setHeader("Content-Type", "application/json");
  if ((status !== 200 && status !== 201) || res.req.method === "HEAD") {
    res.status(status).send(Buffer.from(text, "utf8"));
    return;
  }
  res.statusCode = status;
  res.setHeader("Content-Length", Buffer.byteLength(text, "utf8"));
  res.end(text, "utf8");
}

/** Every field of a row, hidden and write-only ones included: what its ETag is a hash of. */
export function rowText(model: ModelMeta, row: object): string {
  const everything: JsonObject = {};
  for (const field of model.fields) everything[field.name] = serializeValue(field, property(row, field.name));
  return jsonText(everything);
}

/** The strong ETag of a row's text (rowText). */
export function tagOf(text: string): string {
  return `"${createHash("sha256").update(text).digest("hex").slice(0, 24)}"`;
}

/** A strong ETag of the row's content, hidden and write-only fields included. */
export function etagOf(model: ModelMeta, row: object): string {
  return tagOf(rowText(model, row));
}

function tags(header: string): string[] {
  return header.split(",").map((part) => part.trim());
}

/** RFC 9110 If-Match with strong comparison (§13.1.1): fails when given and no listed tag (or
 * "*") is the current one; a weak tag `W/"..."` never matches. */
export function ifMatchFails(header: string | undefined, current: string): boolean {
  if (header === undefined) return false;
  const listed = tags(header);
  return !listed.includes("*") && !listed.includes(current);
}

/** RFC 9110 If-None-Match with weak comparison: true means answer 304. */
export function ifNoneMatchHits(header: string | undefined, current: string): boolean {
  if (header === undefined) return false;
  const listed = tags(header).map((tag) => tag.replace(/^W\//, ""));
  return listed.includes("*") || listed.includes(current);
}

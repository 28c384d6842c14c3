// Row keys in URLs: `/{a}` or, for composite keys, `/{a},{b}`.
import type { Prisma } from "../generated/prisma/client.js";
import { live } from "./live.js";
import { fieldOf, type ModelMeta } from "./meta.js";
import { notFound, pointer, validationProblem } from "./problem.js";
import { property, serializeValue } from "./serialize.js";
import { ValueError, parseText, type QueryValue } from "./values.js";

const SEPARATOR = ",";

/** The key as a Prisma `where`; a text that cannot name a row is a 404, like a missing row. */
export function keyWhere(model: ModelMeta, keyText: string): Record<string, QueryValue> {
  const parts = splitKey(keyText, model.key.length);
  if (parts === null) throw notFound(model.name, model.key, keyText);
  const where: Record<string, QueryValue> = {};
  model.key.forEach((name, index) => {
    const field = fieldOf(model, name);
    if (field === undefined) throw new Error(`key field ${name} is not a field of ${model.name}`);
    try {
      where[name] = parseText(field, parts[index] ?? "");
    } catch (error) {
      if (error instanceof ValueError) throw notFound(model.name, model.key, keyText);
      throw error;
    }
  });
  return where;
}

/** PUT and PATCH may repeat the key the URL names, never change it: the URL names the row, and
 * a renamed row would answer at another URL (422, code `immutable`, as the FastAPI runtime). */
export function keyUnchanged<T extends object>(model: ModelMeta, keyText: string, values: T): T {
  const key = keyWhere(model, keyText);
  const changed = model.key.filter((name) => name in values
    && String((values as Record<string, unknown>)[name]) !== String(key[name]));
  if (changed.length > 0) {
    throw validationProblem(changed.map((name) => ({ pointer: pointer([name]), code: "immutable",
      message: `${name} is part of the key the URL names: it cannot be changed` })),
      "a key field cannot be changed");
  }
  return values;
}

/** Prisma's unique input: the field itself, or `a_b` for a compound key. */
export function uniqueWhere(model: ModelMeta, keyText: string): Record<string, unknown> {
  const where = keyWhere(model, keyText);
  const unique = model.key.length === 1 ? where : { [model.key.join("_")]: where };
  return { ...unique, ...live(model) }; // a soft-deleted row is no row (live.ts)
}

function splitKey(text: string, count: number): string[] | null {
  const parts = text.split(SEPARATOR);
  if (parts.length < count) return null;
  // The last key field keeps any further separators, as the FastAPI runtime does.
  return [...parts.slice(0, count - 1), parts.slice(count - 1).join(SEPARATOR)];
}

/** SELECT ... FOR UPDATE of one row: the key values travel as text, cast in the SQL. */
export async function lockRow(tx: Prisma.TransactionClient, sql: string, model: ModelMeta,
  keyText: string): Promise<void> {
  const where = keyWhere(model, keyText);
  const texts = model.key.map((name) => {
    const value = where[name];
    return value instanceof Date ? value.toISOString() : String(value);
  });
  await tx.$queryRawUnsafe(sql, ...texts);
}

export function keyText(model: ModelMeta, row: object): string {
  return model.key.map((name) => {
    const field = fieldOf(model, name);
    const value = field === undefined ? null : serializeValue(field, property(row, name));
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a key field is a scalar
    return encodeURIComponent(String(value));
  }).join(SEPARATOR);
}

export function location(model: ModelMeta, row: object): string {
  return `${model.path}/${keyText(model, row)}`;
}

// Bulk update and delete by filter: what the FastAPI runtime's routes/bulk.py does, on Prisma's
// updateManyAndReturn / deleteMany, in one interactive transaction.
import type { Request, Response } from "express";
import type { WriteAction } from "./contract.js";
import { LIMITS } from "./limits.js";
import type { ModelMeta } from "./meta.js";
import { applied, sendMinimal, wantsMinimal } from "./prefer.js";
import { Problem, pointer, validationProblem } from "./problem.js";
import { jsonText, property, serializeRow, type Json } from "./serialize.js";

/** A bulk update cannot set a key field: the rows it changes would share one key (422). */
export function bulkUpdateData<T extends object>(model: ModelMeta, data: T): T {
  const named = model.key.filter((name) => name in data);
  if (named.length > 0) {
    throw validationProblem(named.map((name) => ({
      pointer: pointer([name]), code: "immutable", message: `${name} is part of the key: a bulk update cannot change it`,
    })), "a key field cannot be changed");
  }
  return data;
}

/** Thrown inside the transaction, so the write is rolled back (limits.max_bulk_rows). */
export function checkBulkRows<T>(rows: T[]): T[] {
  const limit = LIMITS.maxBulkRows;
  if (rows.length > limit) {
    throw new Problem(400, "too-many-rows", `the filter matches ${rows.length} rows, more than the ${limit} one bulk `
      + "update or delete may touch (limits.max_bulk_rows): nothing was written");
  }
  return rows;
}

/** Prisma's `where` for exactly these rows, by their keys (none: a condition nothing meets). */
export function keysWhere(model: ModelMeta, rows: readonly object[]): Record<string, unknown> {
  if (model.key.length === 1) {
    const [name] = model.key;
    return { [name]: { in: rows.map((row) => property(row, name)) } };
  }
  return { OR: rows.map((row) => Object.fromEntries(model.key.map((name) => [name, property(row, name)]))) };
}

function compareKeys(model: ModelMeta, a: object, b: object): number {
  for (const name of model.key) {
    const [x, y] = [property(a, name), property(b, name)] as [string | number | bigint, string | number | bigint];
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/** `{"count": n}`; with `Prefer: return=representation` the rows too (`data`, in key order);
 * with `return=minimal` a 204. */
export function sendChanged(req: Request, res: Response, model: ModelMeta, rows: readonly object[],
  action: WriteAction): void {
  if (wantsMinimal(req)) {
    sendMinimal(req, res, action);
    return;
  }
  const headers = applied(req, action);
  const body: { [key: string]: Json } = { count: rows.length };
  if (Object.keys(headers).length > 0) {
    body.data = [...rows].sort((a, b) => compareKeys(model, a, b)).map((row) => serializeRow(model, row));
  }
  res.set(headers).status(200).setHeader("Content-Type", "application/json");
  res.send(Buffer.from(jsonText(body), "utf8"));
}

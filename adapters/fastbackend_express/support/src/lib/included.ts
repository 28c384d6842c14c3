// `include=` on one row's answer, as the FastAPI runtime's routes/included.py: GET of one row
// and the writes the contract names (INCLUDED_ACTIONS), as Prisma's `create({data, include})`.
// The value is read by the list's parser (query.ts: its grammar, depth, `max_names` and 400s)
// before anything is written; the written rows are read again with Prisma's `include` (and
// `_count`), in the write's own transaction, after every row it writes (a nested create's
// children are there), soft-deleted related rows left out as in a list's include; the answer is
// a list row's representation. The ETag stays the row's own; with `Prefer: return=minimal` the
// value is checked, then there is no body.
import type { Request } from "express";
import { INCLUDED_ACTIONS, INCLUDE_PARAMETER, MINIMAL_ANSWERS } from "./contract.js";
import { keysWhere } from "./bulk.js";
import type { Where } from "./filters.js";
import type { ModelMeta } from "./meta.js";
import { wantsMinimal } from "./prefer.js";
import { badParameter } from "./problem.js";
import { answerIncludes, countsArgs, includeArgs, representation, withCounts, type Includes } from "./query.js";
import { property, type JsonObject } from "./serialize.js";

export type { Includes };

/** The request's `include=` on a route of `action` whose answer takes one, checked now (400
 * naming `include`); null without one, on any other route, and when the answer has no body. */
export function parseIncluded(model: ModelMeta, req: Request, action: string): Includes | null {
  if (!INCLUDED_ACTIONS.includes(action)) return null;
  const given = new URL(req.originalUrl, "http://localhost").searchParams.getAll(INCLUDE_PARAMETER);
  if (given.length === 0) return null;
  if (given.length > 1) throw badParameter(INCLUDE_PARAMETER, "given more than once");
  const found = answerIncludes(model, given[0]);
  return action in MINIMAL_ANSWERS && wantsMinimal(req) ? null : found;
}

type FindMany = (args: { where: Where; include: Record<string, unknown> }) => Promise<object[]>;

/** The rows read again through `findMany` (the write's transaction) with what `includes` names,
 * in their order; the rows as they are without it. */
export async function readIncluded(model: ModelMeta, rows: readonly object[], includes: Includes | null,
  findMany: FindMany): Promise<object[]> {
  if (includes === null || rows.length === 0) return [...rows];
  const include = { ...includeArgs(includes.include), ...countsArgs(includes.counts) };
  const found = await findMany({ where: keysWhere(model, rows), include });
  const byKey = new Map(found.map((row) => [keyOf(model, row), row]));
  return rows.map((row) => byKey.get(keyOf(model, row)) ?? row);
}

function keyOf(model: ModelMeta, row: object): string {
  return JSON.stringify(model.key.map((name) => String(property(row, name))));
}

/** A row read by readIncluded, as the answer shows it: a list row's representation. */
export function includedBody(model: ModelMeta, row: object, includes: Includes): JsonObject {
  return withCounts(representation(model, row, { fields: null, include: includes.include }), row, includes);
}

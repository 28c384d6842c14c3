// Upsert by POST (PostgREST's form), as the FastAPI runtime serves it (routes/collection.py):
// `Prefer: resolution=merge-duplicates|ignore-duplicates` inserts each row or, when a row holds
// its conflict target's values (`on_conflict`: the primary key or one unique constraint, the
// model's `conflictTargets`), merges the fields sent into it or leaves it as it is. A conflict
// with a soft-deleted row is the 409 a create answers: a merge changes only a live row.
import type { Request } from "express";
import { ON_CONFLICT_PARAMETER } from "./contract.js";
import { isDeleted } from "./live.js";
import type { ModelMeta } from "./meta.js";
import { Problem, badParameter, pointer } from "./problem.js";

export type Outcome = "created" | "merged" | "ignored";
type Data = Record<string, unknown>;

/** The target `on_conflict` names (the primary key without it); a 400 naming the valid ones
 * when it names neither the key nor one unique constraint (fields in any order). */
export function conflictTarget(model: ModelMeta, req: Request): readonly string[] {
  const targets = model.conflictTargets ?? [];
  const named = req.query[ON_CONFLICT_PARAMETER];
  if (named === undefined && targets.length > 0) return targets[0];
  const wanted = typeof named === "string" ? new Set(named.split(",").map((part) => part.trim())) : null;
  const found = wanted === null ? undefined : targets.find((fields) =>
    fields.length === wanted.size && fields.every((name) => wanted.has(name)));
  if (found !== undefined) return found;
  const choices = targets.map((fields) => fields.join(",")).join(" | ");
  throw badParameter(ON_CONFLICT_PARAMETER,
    `names the primary key or one unique constraint of ${model.name}: ${choices}`);
}

/** Prisma's unique input of the target: the field, or `a_b` for a compound one. */
function uniqueOf(target: readonly string[], match: Data): Data {
  return target.length === 1 ? match : { [target.join("_")]: match };
}

/** The 409 a create answers when another row holds the target's values. */
export function conflictProblem(model: ModelMeta, target: readonly string[],
  prefix: readonly PropertyKey[]): Problem {
  return new Problem(409, "unique-violation", `another ${model.name} already has this ${target.join(", ")}`,
    target.map((name) => ({ pointer: pointer([...prefix, name]), code: "unique",
      message: `${name} is already taken` })));
}

/** The writes an upsert of one row needs, on the transaction of the request. */
export interface UpsertWrites {
  /** Any row holding the target's values, a soft-deleted one included. */
  find(match: Data): Promise<object | null>;
  create(): Promise<object>;
  /** Prisma's upsert (the database's own `ON CONFLICT`), for a row another request may be
   * inserting at the same instant. */
  upsert(unique: Data, update: Data): Promise<object>;
  update(unique: Data, update: Data): Promise<object>;
}

/** One row inserted, merged or left as it is; the fields the merge wrote. */
export async function upsertOne(model: ModelMeta, target: readonly string[], data: Data,
  merge: boolean, prefix: readonly PropertyKey[], writes: UpsertWrites): Promise<[object, Outcome, string[]]> {
  if (target.some((name) => !(name in data))) return [await writes.create(), "created", []];
  const match = Object.fromEntries(target.map((name) => [name, data[name]]));
  const changes = Object.fromEntries(Object.entries(data).filter(([name]) =>
    !target.includes(name) && !model.key.includes(name)));
  const changed = Object.keys(changes);
  const existing = await writes.find(match);
  if (existing !== null && isDeleted(model, existing)) throw conflictProblem(model, target, prefix);
  if (existing !== null) {
    if (!merge || changed.length === 0) return [existing, "ignored", []];
    return [await writes.update(uniqueOf(target, match), changes), "merged", changed];
  }
  // Prisma runs its upsert as the database's `INSERT ... ON CONFLICT DO UPDATE` only with a
  // non-empty update: nothing to change rewrites the target's own values (a client that loses
  // the race to a concurrent insert of the same target then gets the row, never a 409).
  const update = merge && changed.length > 0 ? changes : match;
  return [await writes.upsert(uniqueOf(target, match), update), "created", []];
}

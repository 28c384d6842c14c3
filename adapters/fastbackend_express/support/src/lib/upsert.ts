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

/** The savepoint an upsert's insert runs in (the same statements on PostgreSQL and MySQL). */
const SAVEPOINT = "fastbackend_upsert";

/** The writes an upsert of one row needs, on the transaction of the request; ``T`` is the
 * model's row type (Prisma's), kept through to the caller. */
export interface UpsertWrites<T extends object = object> {
  /** Any row holding the target's values, a soft-deleted one included. */
  find(match: Data): Promise<T | null>;
  /** Prisma's create, its refusals turned into problems (`guarded`). */
  create(): Promise<T>;
  /** One statement of the transaction's own (`$executeRawUnsafe`): the savepoint's. */
  execute(sql: string): Promise<unknown>;
  update(unique: Data, update: Data): Promise<T>;
}

/** One row inserted, merged or left as it is; the fields the merge wrote. As on the runtime
 * (store.py, `upsert`), one insert decides: it runs in a savepoint, and when the database
 * refuses it because a row holds the target's values (committed by a concurrent request
 * meanwhile: the insert waited for it), the savepoint is rolled back and that row is merged
 * or ignored. So of concurrent upserts of one new target exactly one is told "created" (and
 * records the `create` event); the insert is Prisma's create, its values converted as any
 * create's. */
export async function upsertOne(model: ModelMeta, target: readonly string[], data: Data,
  merge: boolean, prefix: readonly PropertyKey[], writes: UpsertWrites): Promise<[object, Outcome, string[]]> {
  if (target.some((name) => !(name in data))) return [await writes.create(), "created", []];
  const match = Object.fromEntries(target.map((name) => [name, data[name]]));
  const changes = Object.fromEntries(Object.entries(data).filter(([name]) =>
    !target.includes(name) && !model.key.includes(name)));
  const changed = Object.keys(changes);
  const found = await writes.find(match);
  const decided = found !== null ? { held: found } : await insertUnlessHeld(match, writes);
  if ("inserted" in decided) return [decided.inserted, "created", []];
  if (isDeleted(model, decided.held)) throw conflictProblem(model, target, prefix);
  if (!merge || changed.length === 0) return [decided.held, "ignored", []];
  return [await writes.update(uniqueOf(target, match), changes), "merged", changed];
}

/** The row inserted, or the row holding the target's values that made the database refuse
 * the insert; any other refusal is raised (a conflict on another unique constraint: 409).
 * Also a PUT's create (its target the key): one 201 among concurrent PUTs to one new key. */
export async function insertUnlessHeld<T extends object>(match: Data,
  writes: Pick<UpsertWrites<T>, "find" | "create" | "execute">): Promise<{ inserted: T } | { held: T }> {
  await writes.execute(`SAVEPOINT ${SAVEPOINT}`);
  try {
    const inserted = await writes.create();
    await writes.execute(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return { inserted };
  } catch (error) {
    if (!(error instanceof Problem) || error.type !== "unique-violation") throw error;
    await writes.execute(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    const held = await writes.find(match);
    if (held === null) throw error;
    return { held };
  }
}

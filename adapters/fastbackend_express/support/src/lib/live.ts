// Soft delete (IR 1.6): a model with `softDelete` keeps its deleted rows, its stamp field set;
// every read leaves them out through the conditions written here, and only here (the FastAPI
// runtime's `scope.live`): lists, counts, `/query`, search, aggregates and bulk writes
// (query.ts, aggregates.ts), a row by its key (keys.ts, rows.ts), relation filters (filters.ts)
// and includes (query.ts); and a write may not refer to a soft-deleted row (checked where every
// write goes through: database-errors.ts `guarded`).
import type { Where } from "./filters.js";
import type { ModelMeta } from "./meta.js";

/** `{stamp: null}` for a soft-deleting model, null for any other. */
export function live(model: ModelMeta): Where | null {
  return model.softDelete ? { [model.softDelete]: null } : null;
}

/** `where` on the model's live rows only. */
export function liveWhere(model: ModelMeta, where: Where): Where {
  const condition = live(model);
  return condition === null ? where : { AND: [condition, where] };
}

/** `deleted=` of a list request (soft delete): `only` the stamped rows, or `include` them. */
export type DeletedMode = "only" | "include" | null;

/** A list's `where`: live rows, or with `deleted=` the stamped ones only, or every row. */
export function listedWhere(model: ModelMeta, mode: DeletedMode, where: Where): Where {
  if (!model.softDelete || mode === null) return liveWhere(model, where);
  return mode === "include" ? where : { AND: [{ [model.softDelete]: { not: null } }, where] };
}

/** A relation quantifier's condition (`some`, `every`, `none`, `is`, `isNot`) over the live
 * related rows: `every` holds when every live row matches, the others look at live rows only. */
export function liveQuantified(model: ModelMeta, quantifier: string, where: Where): Where {
  const condition = live(model);
  if (condition === null) return where;
  return quantifier === "every" ? { OR: [{ NOT: condition }, where] } : { AND: [condition, where] };
}

/** Whether a row read without the condition (a to-one include) is soft-deleted. */
export function isDeleted(model: ModelMeta, row: object): boolean {
  const stamp = model.softDelete ? (row as Record<string, unknown>)[model.softDelete] : null;
  return stamp !== null && stamp !== undefined;
}

/** A unique `where` (keys.ts's, live) turned to the soft-deleted row of that key: restore's. */
export function deletedWhere(model: ModelMeta, unique: Record<string, unknown>): Record<string, unknown> {
  if (!model.softDelete) throw new Error(`${model.name} has no soft delete`);
  return { ...unique, [model.softDelete]: { not: null } };
}

/** The data of a soft delete: the stamp set to now. */
export function stamped(model: ModelMeta): Record<string, Date> {
  if (!model.softDelete) throw new Error(`${model.name} has no soft delete`);
  return { [model.softDelete]: new Date() };
}

// What the generic modules in src/lib need to know about each model, generated in src/meta.ts.

import type { ScalarKind } from "./contract.js";

export type { ScalarKind };

export interface FieldMeta {
  readonly name: string;
  readonly column: string;
  readonly kind: ScalarKind;
  readonly list: boolean;
  readonly nullable: boolean;
  /** Returned in responses: neither hidden nor write-only. */
  readonly readable: boolean;
  /** Usable in filters and `where` (the IR's roles): readable, a scalar, not JSON or bytes. */
  readonly filterable: boolean;
  /** Usable in `sort` (the IR's roles). */
  readonly sortable: boolean;
  /** The list-query operators the IR records for the field. */
  readonly operators: readonly string[];
  /** May be named in an aggregate request's group_by (the IR's roles: indexed, or declared). */
  readonly groupable: boolean;
  /** The aggregate functions the IR records for the field (none: it cannot be aggregated). */
  readonly aggregates: readonly string[];
  /** Accepted in request bodies (not read-only, not hidden); PUT resets the nullable ones. */
  readonly writable: boolean;
  readonly timezone: boolean;
  readonly scale: number | null;
  readonly enumValues: readonly string[];
}

/** The explicit join model of a many-to-many relation (absent for Prisma's implicit ones). */
export interface ThroughMeta {
  readonly model: string;
  /** The join model's relation field pointing at this side's row, and at the target's. */
  readonly sourceField: string;
  readonly targetField: string;
  readonly sourceColumns: readonly string[];
  readonly targetColumns: readonly string[];
}

export interface RelationMeta {
  readonly name: string;
  readonly path: string;
  readonly target: string;
  readonly kind: "manyToOne" | "oneToMany" | "oneToOne" | "manyToMany";
  readonly toMany: boolean;
  /** Target rows are those whose `targetFields` equal this row's `thisFields`. */
  readonly thisFields: readonly string[];
  readonly targetFields: readonly string[];
  /** The inverse relation's name on the target, used to scope the target's list. */
  readonly inverse: string | null;
  /** The target is served by the API (an entity with no operations is never included). */
  readonly exposed: boolean;
  readonly through: ThroughMeta | null;
}

export interface ModelMeta {
  readonly name: string;
  readonly path: string;
  readonly key: readonly string[];
  readonly fields: readonly FieldMeta[];
  readonly relations: readonly RelationMeta[];
  /** Soft delete (IR 1.6): the stamp field DELETE sets; reads skip stamped rows (live.ts). */
  readonly softDelete?: string | null;
  /** Its foreign keys into soft-deleting models (fastbackend_ir.contract.live_references): a
   * write setting one to a soft-deleted row is refused as one naming a missing row
   * (database-errors.ts `guarded`, which every write goes through); absent: none. */
  readonly liveReferences?: readonly LiveReference[];
  /** The field sets an upsert's `on_conflict` may name, the default (the primary key) first
   * (fastbackend_ir.contract.conflict_targets); absent: the model does not upsert. */
  readonly conflictTargets?: readonly (readonly string[])[];
  /** A realtime model's image table (the IR's events.imageTables, docs/events.md "Realtime"):
   * its Prisma model, which lib/events.ts writes and lib/realtime.ts judges events by. */
  readonly image?: ImageMeta;
  /** Database constraint name -> the fields it covers, to name fields in 409/422 answers. */
  readonly constraints: Readonly<Record<string, readonly string[]>>;
  /** The quoted table when a simple list page is one SQL statement (lib/pages.ts), else null. */
  readonly table: string | null;
  /** Full-text search (IR 1.4, lib/search.ts), or null: `search=` is a 400. */
  readonly search: SearchMeta | null;
  /** A row by its key is one SQL statement too (lib/rows.ts): every field, hidden ones included,
   * reads alike from raw SQL (the ETag covers them all); `table` is then set. */
  readonly rawRows: boolean;
}

/** A realtime model's image model (the emitter's images.py): `model` and its `delegate` on the Prisma client,
 * its key `feedField` (the feed row's id), `row` its relation to the model's row of its key, and
 * `own` the model's relations it has itself (a foreign key of the model's own); `table` quoted. */
export interface ImageMeta {
  readonly model: string;
  readonly delegate: string;
  readonly feedField: string;
  readonly row: string;
  readonly own: readonly string[];
  readonly table: string;
}

/** A foreign key (`fields`) into a soft-deleting model: that model's Prisma delegate, the
 * fields the key refers to, and its stamp field. */
export interface LiveReference {
  readonly fields: readonly string[];
  readonly delegate: string;
  readonly targetFields: readonly string[];
  readonly stamp: string;
}

/** How lib/search.ts reads a model's search index: SQL spelled by the emitter from the IR. */
export interface SearchMeta {
  /** The quoted table, and the index's expression: PostgreSQL's `to_tsvector(...)` over its
   * columns (the GIN index's), MySQL's `MATCH (...) AGAINST (? IN NATURAL LANGUAGE MODE)`. */
  readonly table: string;
  readonly vector: string;
  /** The text search configuration (the compiler admits only `[a-z_]` names). */
  readonly language: string;
  /** The key's field and its quoted column; null when the key has several fields. */
  readonly key: string | null;
  readonly keyColumn: string;
}

export function fieldOf(model: ModelMeta, name: string): FieldMeta | undefined {
  return model.fields.find((field) => field.name === name);
}

export function relationOf(model: ModelMeta, name: string): RelationMeta | undefined {
  return model.relations.find((relation) => relation.name === name);
}

const IMAGE_COLUMN = "fastbackend_feed_id"; // the image table's key column

/** The image model `name` of one of `models` (ImageMeta) as a model of its own, for what reads
 * a model's meta by its Prisma name (MySQL's case folding, lib/insensitive.ts): the model's
 * fields and its feed id as its key, its own to-one relations, and its row relation. */
export function imageModelOf(models: Readonly<Record<string, ModelMeta>>, name: string): ModelMeta | undefined {
  const model = Object.values(models).find((candidate) => candidate.image?.model === name);
  const image = model?.image;
  const first = model?.fields[0];
  if (model === undefined || image === undefined || first === undefined) return undefined;
  const feed: FieldMeta = { ...first, name: image.feedField, column: IMAGE_COLUMN, list: false, nullable: false };
  const row: RelationMeta = { name: image.row, path: image.row, target: model.name, kind: "manyToOne", toMany: false,
    thisFields: model.key, targetFields: model.key, inverse: null, exposed: false, through: null };
  return { ...model, name, key: [image.feedField], fields: [...model.fields, feed], softDelete: null,
    relations: [...model.relations.filter((relation) => image.own.includes(relation.name)), row],
    table: null, search: null, rawRows: false, image: undefined };
}

export function readableFields(model: ModelMeta): readonly FieldMeta[] {
  return model.fields.filter((field) => field.readable);
}

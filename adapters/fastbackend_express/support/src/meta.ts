// A test fixture: the blog example's src/meta.ts as the emitter renders it (the IR-dependent
// module src/lib/ imports), for the library's type-check and unit tests.
// What the list query language, the serializer and the error mapping know about each model.
import type { ModelMeta } from "./lib/meta.js";

/** A comment on a post, optionally replying to another comment. */
const comment: ModelMeta = {
  name: "Comment",
  path: "/comments",
  key: ["id"],
  fields: [
    { name: "id", column: "id", kind: "integer", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: true, aggregates: ["count", "count_distinct", "sum", "avg", "min", "max"], writable: false, timezone: false, scale: null, enumValues: [] },
    { name: "body", column: "body", kind: "string", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "contains", "icontains", "startswith", "endswith", "isnull"], groupable: false, aggregates: [], writable: true, timezone: false, scale: null, enumValues: [] },
    { name: "post_id", column: "post_id", kind: "integer", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: false, aggregates: [], writable: true, timezone: false, scale: null, enumValues: [] },
    { name: "author_id", column: "author_id", kind: "integer", list: false, nullable: true, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: false, aggregates: [], writable: true, timezone: false, scale: null, enumValues: [] },
    { name: "parent_id", column: "parent_id", kind: "integer", list: false, nullable: true, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: false, aggregates: [], writable: true, timezone: false, scale: null, enumValues: [] },
    { name: "created_at", column: "created_at", kind: "datetime", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: false, aggregates: [], writable: false, timezone: true, scale: null, enumValues: [] },
  ],
  relations: [
    { name: "post", path: "post", target: "Post", kind: "manyToOne", toMany: false, thisFields: ["post_id"], targetFields: ["id"], inverse: "comments", exposed: true, through: null },
    { name: "author", path: "author", target: "User", kind: "manyToOne", toMany: false, thisFields: ["author_id"], targetFields: ["id"], inverse: "comments", exposed: true, through: null },
    { name: "parent", path: "parent", target: "Comment", kind: "manyToOne", toMany: false, thisFields: ["parent_id"], targetFields: ["id"], inverse: "replies", exposed: true, through: null },
    { name: "replies", path: "replies", target: "Comment", kind: "oneToMany", toMany: true, thisFields: ["id"], targetFields: ["parent_id"], inverse: "parent", exposed: true, through: null },
  ],
  constraints: {
    "comments_author_id_fkey": ["author_id"],
    "comments_parent_id_fkey": ["parent_id"],
    "comments_pkey": ["id"],
    "comments_post_id_fkey": ["post_id"],
  },
  table: "\"comments\"",
  search: null,
  rawRows: true,
  conflictTargets: [["id"]],
};

/** A blog post written by one user. */
const post: ModelMeta = {
  name: "Post",
  path: "/posts",
  key: ["id"],
  fields: [
    { name: "id", column: "id", kind: "integer", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: true, aggregates: ["count", "count_distinct", "sum", "avg", "min", "max"], writable: false, timezone: false, scale: null, enumValues: [] },
    { name: "title", column: "title", kind: "string", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "contains", "icontains", "startswith", "endswith", "isnull"], groupable: false, aggregates: [], writable: true, timezone: false, scale: null, enumValues: [] },
    { name: "body", column: "body", kind: "string", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "contains", "icontains", "startswith", "endswith", "isnull"], groupable: false, aggregates: [], writable: true, timezone: false, scale: null, enumValues: [] },
    { name: "status", column: "status", kind: "enum", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "in", "notin", "isnull"], groupable: true, aggregates: ["count", "count_distinct"], writable: true, timezone: false, scale: null, enumValues: ["draft", "published", "archived"] },
    { name: "author_id", column: "author_id", kind: "integer", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: true, aggregates: ["count", "count_distinct", "sum", "avg", "min", "max"], writable: true, timezone: false, scale: null, enumValues: [] },
    { name: "published_at", column: "published_at", kind: "datetime", list: false, nullable: true, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: false, aggregates: [], writable: true, timezone: true, scale: null, enumValues: [] },
    { name: "created_at", column: "created_at", kind: "datetime", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: false, aggregates: [], writable: false, timezone: true, scale: null, enumValues: [] },
    { name: "updated_at", column: "updated_at", kind: "datetime", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: false, aggregates: [], writable: false, timezone: true, scale: null, enumValues: [] },
  ],
  relations: [
    { name: "author", path: "author", target: "User", kind: "manyToOne", toMany: false, thisFields: ["author_id"], targetFields: ["id"], inverse: "posts", exposed: true, through: null },
    { name: "comments", path: "comments", target: "Comment", kind: "oneToMany", toMany: true, thisFields: ["id"], targetFields: ["post_id"], inverse: "post", exposed: true, through: null },
    { name: "tags", path: "tags", target: "Tag", kind: "manyToMany", toMany: true, thisFields: ["id"], targetFields: ["id"], inverse: "posts", exposed: true, through: { model: "PostTags", sourceField: "post", targetField: "tag", sourceColumns: ["post_id"], targetColumns: ["tag_id"] } },
  ],
  constraints: {
    "posts_author_id_fkey": ["author_id"],
    "posts_pkey": ["id"],
    "uq_posts_author_id_title": ["author_id", "title"],
  },
  table: "\"posts\"",
  search: null,
  rawRows: true,
  conflictTargets: [["id"], ["author_id", "title"]],
};

const tag: ModelMeta = {
  name: "Tag",
  path: "/tags",
  key: ["id"],
  fields: [
    { name: "id", column: "id", kind: "integer", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: true, aggregates: ["count", "count_distinct", "sum", "avg", "min", "max"], writable: false, timezone: false, scale: null, enumValues: [] },
    { name: "name", column: "name", kind: "string", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "contains", "icontains", "startswith", "endswith", "isnull"], groupable: true, aggregates: ["count", "count_distinct", "min", "max"], writable: true, timezone: false, scale: null, enumValues: [] },
  ],
  relations: [
    { name: "posts", path: "posts", target: "Post", kind: "manyToMany", toMany: true, thisFields: ["id"], targetFields: ["id"], inverse: "tags", exposed: true, through: { model: "PostTags", sourceField: "tag", targetField: "post", sourceColumns: ["tag_id"], targetColumns: ["post_id"] } },
  ],
  constraints: {
    "tags_pkey": ["id"],
    "uq_tags_name": ["name"],
  },
  table: "\"tags\"",
  search: null,
  rawRows: true,
  conflictTargets: [["id"], ["name"]],
};

/** Someone who writes posts and comments. */
const user: ModelMeta = {
  name: "User",
  path: "/users",
  key: ["id"],
  fields: [
    { name: "id", column: "id", kind: "integer", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: true, aggregates: ["count", "count_distinct", "sum", "avg", "min", "max"], writable: false, timezone: false, scale: null, enumValues: [] },
    { name: "email", column: "email", kind: "string", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "contains", "icontains", "startswith", "endswith", "isnull"], groupable: true, aggregates: ["count", "count_distinct", "min", "max"], writable: true, timezone: false, scale: null, enumValues: [] },
    { name: "name", column: "name", kind: "string", list: false, nullable: true, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "contains", "icontains", "startswith", "endswith", "isnull"], groupable: false, aggregates: [], writable: true, timezone: false, scale: null, enumValues: [] },
    { name: "created_at", column: "created_at", kind: "datetime", list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "isnull"], groupable: false, aggregates: [], writable: false, timezone: true, scale: null, enumValues: [] },
  ],
  relations: [
    { name: "posts", path: "posts", target: "Post", kind: "oneToMany", toMany: true, thisFields: ["id"], targetFields: ["author_id"], inverse: "author", exposed: true, through: null },
    { name: "comments", path: "comments", target: "Comment", kind: "oneToMany", toMany: true, thisFields: ["id"], targetFields: ["author_id"], inverse: "author", exposed: true, through: null },
  ],
  constraints: {
    "uq_users_email": ["email"],
    "users_pkey": ["id"],
  },
  table: "\"users\"",
  search: null,
  rawRows: true,
  conflictTargets: [["id"], ["email"]],
};

/** The database family this project's Prisma Client was generated for (its schema's provider):
 * the SQL the server writes itself follows it (lib/sql.ts). */
export const DATABASE: "postgresql" | "mysql" = "postgresql";

/** Each model's quoted table, for the SQL the server writes itself (lib/insensitive.ts). */
export const TABLES: Readonly<Record<string, string>> = {
  Comment: "\"comments\"",
  Post: "\"posts\"",
  Tag: "\"tags\"",
  User: "\"users\"",
};

/** The key of list cursors when FASTBACKEND_CURSOR_SECRET is not set: BLAKE2b-256 of the IR's
 * canonical JSON, as the FastAPI runtime derives it (tamper-evident, not a secret). */
export const CURSOR_KEY_FROM_IR = "4d8803029091a1bb8c802f436e34a2c06264cea9ee96c3f55dd4d939b3dd4f97";

export const models = {
  Comment: comment,
  Post: post,
  Tag: tag,
  User: user,
} as const satisfies Record<string, ModelMeta>;

export type ModelName = keyof typeof models;

export function modelNamed(name: string): ModelMeta {
  const model = (models as Record<string, ModelMeta>)[name];
  if (model === undefined) throw new Error(`no model named ${name}`);
  return model;
}

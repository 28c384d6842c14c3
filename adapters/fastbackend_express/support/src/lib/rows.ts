// A row by its key, in one prepared statement written here (issue #21: Prisma's findUnique cost
// read-by-id 0.94x the FastAPI runtime's requests per second). For a model whose every field
// Prisma reads alike from raw SQL (`rawRows` in src/meta.ts), and a key whose values PostgreSQL
// reads as the columns' types from their text; any other row goes through Prisma.
import type { PrismaClient } from "../generated/prisma/client.js";
import { keyWhere } from "./keys.js";
import type { ModelMeta } from "./meta.js";
import { notFound } from "./problem.js";
import { placeholder, quoted, selected } from "./sql.js";

const PARAMETER_TYPES = new Set(["string", "number", "boolean", "bigint"]);
const statements = new WeakMap<ModelMeta, string>();

/** The row `keyText` names (every field, for its ETag), or a 404; `find` reads it with Prisma. */
export async function readRow(prisma: PrismaClient, model: ModelMeta, keyText: string,
  find: () => Promise<object>): Promise<object> {
  if (!model.rawRows || model.table === null) return find();
  const where = keyWhere(model, keyText); // a text that names no row is a 404 here too
  const params = model.key.map((name) => where[name]);
  if (!params.every((value) => PARAMETER_TYPES.has(typeof value))) return find();
  const [row] = await prisma.$queryRawUnsafe<object[]>(rowStatement(model, model.table), ...params);
  if (row === undefined) throw notFound(model.name, model.key, keyText);
  return row;
}

/** SELECT every field (an enum as its text, as Prisma returns it) WHERE the key is $1, $2, ... */
export function rowStatement(model: ModelMeta, table: string): string {
  let sql = statements.get(model);
  if (sql === undefined) {
    const columns = model.fields.map((field) => selected(field.column, field.name, field.kind));
    const condition = model.key.map((name, index) => {
      const field = model.fields.find((candidate) => candidate.name === name);
      if (field === undefined) throw new Error(`key field ${name} is not a field of ${model.name}`);
      return `${table}.${quoted(field.column)} = ${placeholder(index + 1)}`;
    });
    const stamp = model.fields.find((field) => field.name === model.softDelete);
    if (stamp !== undefined) condition.push(`${table}.${quoted(stamp.column)} IS NULL`); // live.ts
    sql = `SELECT ${columns.join(", ")} FROM ${table} WHERE ${condition.join(" AND ")}`;
    statements.set(model, sql);
  }
  return sql;
}

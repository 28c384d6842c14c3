// `mode: "insensitive"` (`icontains`, and `where=`'s mode) on MySQL. Prisma's mysql connector has
// no `mode`: its comparisons follow the column's collation, and the tables `fastbackend migrate`
// creates there are utf8mb4_bin (case-sensitive, as on PostgreSQL: docs/dialects.md). The FastAPI
// runtime compares `lower()` of both sides; so does this: each field condition with the mode
// becomes `key in (the keys of the rows whose lower(column) matches)`, read by one raw statement,
// before Prisma sees the `where`. Its cost grows with the number of matching rows (PostgreSQL's
// ILIKE is one statement). src/db.ts applies it to every model operation on MySQL only.
import { fieldOf, type FieldMeta, type ModelMeta, type RelationMeta } from "./meta.js";
import { placeholder, quoted } from "./sql.js";

export type RawQuery = (sql: string, ...params: unknown[]) => Promise<Record<string, unknown>[]>;
type Where = Record<string, unknown>;

const COMBINATORS = new Set(["AND", "OR", "NOT"]);
const QUANTIFIERS = new Set(["some", "every", "none", "is", "isNot"]);
const PATTERNS: Readonly<Record<string, (value: string) => string>> = {
  contains: (value) => `%${value}%`, startsWith: (value) => `${value}%`, endsWith: (value) => `%${value}`,
  equals: (value) => value, not: (value) => value,
};
const ORDER: Readonly<Record<string, string>> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

/** `where` of `model` with every case-insensitive field condition replaced by its rows' keys. */
export async function foldCase(query: RawQuery, models: (name: string) => ModelMeta | undefined,
  tables: Readonly<Record<string, string>>, model: ModelMeta, where: unknown): Promise<unknown> {
  const walk = async (current: ModelMeta, value: unknown): Promise<unknown> => {
    if (!isWhere(value)) return value;
    const kept: Where = {};
    const replaced: Where[] = [];
    for (const [key, inner] of Object.entries(value)) {
      const field = fieldOf(current, key);
      const relation = current.relations.find((candidate) => candidate.name === key);
      if (COMBINATORS.has(key)) {
        kept[key] = Array.isArray(inner) ? await Promise.all(inner.map((item) => walk(current, item))) : await walk(current, inner);
      } else if (field !== undefined && isWhere(inner) && inner["mode"] === "insensitive") {
        const keys = await matchingKeys(query, current, tables[current.name], field, inner);
        if (keys === null) kept[key] = inner; else replaced.push(keys);
      } else if (relation !== undefined) {
        kept[key] = await related(relation, inner);
      } else {
        kept[key] = inner;
      }
    }
    return replaced.length === 0 ? kept : { AND: [kept, ...replaced] };
  };
  const related = async (relation: RelationMeta, value: unknown): Promise<unknown> => {
    const target = models(relation.target);
    if (target === undefined || !isWhere(value)) return value;
    const through = relation.through;
    const onTarget = async (inner: unknown): Promise<unknown> => {
      if (through === null) return walk(target, inner);
      // a join model's row: {targetField: {is: <where on the target>}}
      if (!isWhere(inner) || !isWhere(inner[through.targetField])) return inner;
      const link = inner[through.targetField] as Where;
      return { ...inner, [through.targetField]: { ...link, is: await walk(target, link["is"]) } };
    };
    const keys = Object.keys(value);
    if (keys.length === 0 || !keys.every((key) => QUANTIFIERS.has(key))) return onTarget(value); // to-one `is`
    const out: Where = {};
    for (const [quantifier, inner] of Object.entries(value)) out[quantifier] = await onTarget(inner);
    return out;
  };
  return walk(model, where);
}

/** The condition `key in (...)` for the rows matching `condition` case-insensitively, or null for
 * a condition this does not read (left to Prisma, which refuses it as a 400). */
async function matchingKeys(query: RawQuery, model: ModelMeta, table: string | undefined, field: FieldMeta,
  condition: Where): Promise<Where | null> {
  if (table === undefined) return null;
  const params: unknown[] = [];
  const column = `lower(${quoted(field.column)})`;
  const parameter = (value: unknown): string => {
    params.push(value);
    return `lower(${placeholder(params.length)})`;
  };
  const parts: string[] = [];
  for (const [operator, value] of Object.entries(condition)) {
    if (operator === "mode") continue;
    const pattern = PATTERNS[operator];
    if (pattern !== undefined && typeof value === "string") {
      parts.push(`${column} ${operator === "not" ? "NOT LIKE" : "LIKE"} ${parameter(pattern(value))}`);
    } else if ((operator === "in" || operator === "notIn") && Array.isArray(value)) {
      const listed = value.map(parameter);
      const none = operator === "in" ? "FALSE" : "TRUE";
      parts.push(listed.length === 0 ? none : `${column} ${operator === "in" ? "IN" : "NOT IN"} (${listed.join(", ")})`);
    } else if (ORDER[operator] !== undefined && typeof value === "string") {
      parts.push(`${column} ${ORDER[operator]} ${parameter(value)}`);
    } else {
      return null;
    }
  }
  const key = model.key.map((name) => fieldOf(model, name));
  if (key.some((part) => part === undefined)) return null;
  const columns = key.map((part) => `${quoted(part?.column ?? "")} AS ${quoted(part?.name ?? "")}`);
  const rows = await query(`SELECT ${columns.join(", ")} FROM ${table} WHERE ${parts.join(" AND ") || "TRUE"}`, ...params);
  const [first] = model.key;
  if (model.key.length === 1 && first !== undefined) return { [first]: { in: rows.map((row) => row[first]) } };
  if (rows.length === 0 && first !== undefined) return { [first]: { in: [] } }; // Prisma reads an empty OR as no condition
  return { OR: rows.map((row) => Object.fromEntries(model.key.map((name) => [name, row[name]]))) };
}

function isWhere(value: unknown): value is Where {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

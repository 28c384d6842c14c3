// A list page and its total, in as few statements as the FastAPI runtime sends (listing.py:
// one, the total a scalar subquery beside the rows). Prisma sends two (findMany, then count);
// issue #21 measured 0.4x the runtime's requests per second on a filtered list. So the simple
// lists (conditions on the model's own fields: equality, order, NULL tests, ANDed; sort on its
// own fields; no cursor, no include) of a model whose fields Prisma reads alike from raw SQL
// (`table` in src/meta.ts) are one SQL statement written here, its values as parameters;
// every other list goes through Prisma, whose count is skipped when the page tells the total.
import type { PrismaClient } from "../generated/prisma/client.js";
import { ESTIMATED_EXACT_UP_TO, type CountMethod } from "./contract.js";
import type { Where } from "./filters.js";
import { fieldOf, type FieldMeta, type ModelMeta } from "./meta.js";
import type { ListQuery } from "./query.js";
import { equalTo, hasValue, hidden, isNull, present, sortValue, type SortKey } from "./cursor.js";
import type { QueryValue } from "./values.js";
import { DIALECT, orderTerm, placeholder, quoted, selected } from "./sql.js";

/** The column that carries the total beside each row of a one-statement page. */
const TOTAL = "__fastbackend_total";
const COMPARISONS: Readonly<Record<string, string>> = { equals: "=", gt: ">", gte: ">=", lt: "<", lte: "<=" };

export interface PageStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Prisma's rows of a list query (findManyArgs), and its count of the rows it filters. */
export type Rows = (query: ListQuery) => Promise<object[]>;
export type Count = (query: ListQuery) => Promise<number>;

/** The rows of `query` (one more than `limit` when another page follows), its total and how the
 * total was counted (null: not counted). `planned` and `estimated` ask PostgreSQL's planner
 * first (the runtime's listing.py); where this server does not write the filters' SQL (Prisma
 * reads them) the count is exact, and says so. */
export async function readPage(prisma: PrismaClient, model: ModelMeta, query: ListQuery,
  findMany: Rows, count: Count): Promise<[object[], number | null, CountMethod | null]> {
  let method: CountMethod | null = query.count ? query.countMethod : null;
  let planned: number | null = null;
  if (method === "planned" || method === "estimated") {
    planned = await plannedRows(prisma, model, query);
    if (planned === null) method = "exact";
    else if (method === "estimated" && planned <= ESTIMATED_EXACT_UP_TO) planned = null;
  }
  const exact = method !== null && planned === null;
  const [rows, total] = await readCounted(prisma, model, { ...query, count: exact }, findMany, count);
  return [rows, exact ? total : planned, method];
}

/** The planner's estimate of the rows `query`'s filters match (`EXPLAIN`'s `Plan Rows`), or
 * null where the filters are left to Prisma. */
async function plannedRows(prisma: PrismaClient, model: ModelMeta, query: ListQuery): Promise<number | null> {
  if (model.table === null || !DIALECT.plannedCounts) return null;
  const params: unknown[] = [];
  const condition = conditionSql(model, query.where, params);
  if (condition === null) return null;
  const sql = `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${model.table} WHERE ${condition}`;
  const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...params);
  const found = rows[0]?.["QUERY PLAN"];
  const plan = (typeof found === "string" ? JSON.parse(found) : found) as { Plan: { "Plan Rows": number } }[];
  return Number(plan[0].Plan["Plan Rows"]);
}

async function readCounted(prisma: PrismaClient, model: ModelMeta, query: ListQuery,
  findMany: Rows, count: Count): Promise<[object[], number | null]> {
  const statement = pageStatement(model, query);
  if (statement !== null) {
    const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(statement.sql, ...statement.params);
    if (!query.count) return [rows, null];
    const first = rows[0];
    // An empty page past the first: the total is not on any row, so it is counted (the runtime too).
    return [rows, first !== undefined ? Number(first[TOTAL]) : query.offset === 0 ? 0 : await count(query)];
  }
  const rows = await readSorted(query, 0, 0, findMany, count);
  return [rows, query.count ? totalOfPage(query, rows) ?? await count(query) : null];
}

/**
 * Prisma's page of `query` in the contract's NULL order. A sort key through a soft-deleting
 * model (`sort=author.name`, the author deleted) is one Prisma orders by the deleted row's value,
 * where the contract reads the row as missing (the runtime's subquery reads live rows): the same
 * split as below reads the rows whose key has a live value apart from those without, on every
 * database, and orders the latter without the key. Where the database sorts NULLs first
 * (MySQL: lib/sql.ts), a sort key through to-one relations to a field that cannot be NULL
 * (`sort=manager.name`) is one Prisma cannot place a missing related row for (its `nulls` is for
 * a field that can be NULL, where it places a missing row with the NULLs): the rows whose key has
 * a value and those whose key has none are read apart and the page joined from both. The first
 * such key from `from` on, when every key before it has no value in these rows (`nulled` of
 * them: none at first), splits the rows in two blocks (`readSplit`); after a key that varies
 * (`sort=name,manager.name`), the blocks interleave (`readMerged`).
 */
async function readSorted(query: ListQuery, from: number, nulled: number, findMany: Rows, count: Count): Promise<object[]> {
  const index = query.sort.findIndex((key, i) => i >= from && unplaced(key));
  if (index < 0) return findMany(query);
  return index === nulled ? readSplit(query, index, findMany, count) : readMerged(query, index, nulled, findMany, count);
}

/** A key through a soft-deleting model, or (MySQL) through to-one relations to a field that
 * cannot be NULL (see readSorted). */
function unplaced(key: SortKey): boolean {
  return hidden(key) || (DIALECT.nullsFirst && key.path.length > 0 && !key.field.nullable);
}

/** `query`'s rows whose key at `index` has a value (or has none), from `offset`, `size` of
 * them, in the contract's order; `nulled`: the leading keys without a value in those rows. */
function part(query: ListQuery, index: number, valued: boolean, nulled: number, offset: number, size: number,
  findMany: Rows, count: Count): Promise<object[]> {
  if (size <= 0) return Promise.resolve([]);
  const key = query.sort[index];
  const where = { AND: [query.where, valued ? present(key) : isNull(key)] };
  // Rows without a value tie on the key: the keys after it order them.
  const sort = valued ? query.sort : query.sort.map((other, i) => i === index ? { ...other, unordered: true } : other);
  // findManyArgs reads one row more than the page: `size` rows are a page of size - 1
  return readSorted({ ...query, where, sort, offset, limit: size - 1 }, index + 1, nulled, findMany, count);
}

/** Every key before `index` has no value: ascending the rows with a value first, descending
 * those without; among the rows without one the next key decides, so it is the first key
 * again. One more statement when the page reaches the second block, and a count when it
 * starts past the first. */
async function readSplit(query: ListQuery, index: number, findMany: Rows, count: Count): Promise<object[]> {
  const key = query.sort[index];
  const ascending = key.direction === "asc";
  const size = query.limit + 1;
  const rows = await part(query, index, ascending, ascending ? index : index + 1, query.offset, size, findMany, count);
  if (rows.length >= size) return rows;
  // The first block's rows: up to this page's, unless the page starts past its last row.
  const first = { ...query, where: { AND: [query.where, ascending ? present(key) : isNull(key)] } };
  const counted = rows.length > 0 || query.offset === 0 ? query.offset + rows.length
    : await count(query.after === null ? first : { ...first, where: { AND: [first.where, query.after] } });
  return [...rows, ...await part(query, index, !ascending, ascending ? index + 1 : index,
    Math.max(query.offset - counted, 0), size - rows.length, findMany, count)];
}

/**
 * A key after keys that vary: among the rows equal on the keys before it, ascending those with a
 * value come first. Prisma reads the rows up to the page's end in the order of the keys before
 * it, then the key itself in the other direction with the database's own NULL order (NULLs
 * first ascending, so last when the key ascends): within each group the rows with a value
 * come first ascending, last descending, as in the contract's order, though not in their own
 * order. Which rows have a value at each position is all this read tells; the page's rows are
 * then read from each block in the contract's order, from the number of its rows before the
 * page. Three statements; the first reads the rows before the page too (an offset's cost).
 */
async function readMerged(query: ListQuery, index: number, nulled: number, findMany: Rows, count: Count): Promise<object[]> {
  const key = query.sort[index];
  const flipped: SortKey = { ...key, direction: key.direction === "asc" ? "desc" : "asc", field: { ...key.field, nullable: false } };
  const grouped = { ...query, sort: [...query.sort.slice(0, index), flipped], include: [], counts: [],
    offset: 0, limit: query.offset + query.limit };
  const read = await findMany(grouped);
  const valued = hidden(key) ? await regrouped(query, index, read, count) : read.map((row) => hasValue(key, row));
  const page = valued.slice(query.offset);
  const valuedBefore = valued.slice(0, query.offset).filter(Boolean).length;
  const amount = (value: boolean): number => page.filter((has) => has === value).length;
  const withValue = await part(query, index, true, nulled, valuedBefore, amount(true), findMany, count);
  const without = await part(query, index, false, nulled, query.offset - valuedBefore, amount(false), findMany, count);
  let [v, n] = [0, 0];
  // a row written between the reads may leave a block short: the page ends there
  return page.map((has) => has ? withValue[v++] : without[n++]).filter((row) => row !== undefined);
}

/**
 * readMerged's flags for a key through a soft-deleting model, which Prisma orders by a deleted
 * row's value: `rows` (in the order of the keys before it) grouped by those keys, each group's
 * rows with a value first ascending, last descending. The last group may go on past the rows
 * read: its rows with a value are counted (two counts), so the read part holds as many of them
 * as the contract's order puts there.
 */
async function regrouped(query: ListQuery, index: number, rows: readonly object[], count: Count): Promise<boolean[]> {
  const key = query.sort[index];
  const before = query.sort.slice(0, index);
  const groupOf = (row: object): string => JSON.stringify(before.map((other) => String(sortValue(other, row))));
  const flags: boolean[] = [];
  let start = 0;
  while (start < rows.length) {
    const group = groupOf(rows[start]);
    let end = start;
    while (end < rows.length && groupOf(rows[end]) === group) end++;
    let valued = rows.slice(start, end).filter((row) => hasValue(key, row)).length;
    let size = end - start;
    if (end === rows.length) {
      const last = rows[start];
      const equal = before.map((other) => equalTo(other, (sortValue(other, last) ?? null) as QueryValue | null));
      const inGroup = { ...query, where: { AND: [query.where, ...(query.after === null ? [] : [query.after]), ...equal] } };
      const [all, withValue] = await Promise.all([count(inGroup),
        count({ ...inGroup, where: { AND: [inGroup.where, present(key)] } })]);
      const read = end - start;
      // ascending, the group's valued rows come first; descending, its rows without one do
      valued = key.direction === "asc" ? Math.min(withValue, read) : Math.max(read - (all - withValue), 0);
      size = read;
    }
    const ordered = key.direction === "asc" ? [true, false] : [false, true];
    const amounts = key.direction === "asc" ? [valued, size - valued] : [size - valued, valued];
    flags.push(...ordered.flatMap((flag, i) => Array<boolean>(amounts[i]).fill(flag)));
    start = end;
  }
  return flags;
}

/** A page of an offset list that is not full tells its total: no count statement. */
function totalOfPage(query: ListQuery, rows: readonly object[]): number | null {
  const last = query.after === null && rows.length <= query.limit && (rows.length > 0 || query.offset === 0);
  return last ? query.offset + rows.length : null;
}

/** The one statement of a simple list, or null when Prisma must read it. */
export function pageStatement(model: ModelMeta, query: ListQuery): PageStatement | null {
  if (model.table === null || query.after !== null || query.include.length > 0 || query.counts.length > 0) return null;
  if (query.sort.some((key) => key.path.length > 0)) return null;
  const params: unknown[] = [];
  const condition = conditionSql(model, query.where, params);
  if (condition === null) return null;
  const columns = model.fields.filter((field) => field.readable).map((field) =>
    selected(field.column, field.name, field.kind));
  if (query.count) {
    columns.push(`(SELECT count(*) FROM ${model.table} WHERE ${condition}) AS ${quoted(TOTAL)}`);
    // MySQL's parameters are positional: the condition's values again, for the outer WHERE.
    if (!DIALECT.numberedParameters) params.push(...params);
  }
  // Qualified: a bare name in ORDER BY is the output column first (an enum's `::text` alias).
  const order = query.sort.map((key) =>
    orderTerm(`${model.table}.${quoted(key.field.column)}`, key.direction === "desc", key.field.nullable));
  params.push(query.limit + 1, query.offset);
  const sql = `SELECT ${columns.join(", ")} FROM ${model.table} WHERE ${condition}`
    + (order.length > 0 ? ` ORDER BY ${order.join(", ")}` : "")
    + ` LIMIT ${placeholder(params.length - 1)} OFFSET ${placeholder(params.length)}`;
  return { sql, params };
}

/** `where` (as filters.ts writes it for Prisma) as SQL, or null for a shape left to Prisma. */
function conditionSql(model: ModelMeta, where: Where, params: unknown[]): string | null {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(where)) {
    let part: string | null;
    if (key === "AND" && Array.isArray(value)) {
      const inner = value.map((item: unknown) => isWhere(item) ? conditionSql(model, item, params) : null);
      part = inner.includes(null) ? null : inner.map((sql) => `(${sql})`).join(" AND ") || "TRUE";
    } else {
      const field = fieldOf(model, key);
      part = field !== undefined && field.filterable && !field.list ? comparison(field, value, params) : null;
    }
    if (part === null) return null;
    parts.push(part);
  }
  return parts.length > 0 ? parts.join(" AND ") : "TRUE";
}

function comparison(field: FieldMeta, condition: unknown, params: unknown[]): string | null {
  const column = quoted(field.column);
  if (condition === null) return `${column} IS NULL`;
  if (!isWhere(condition)) return null;
  const entries = Object.entries(condition);
  const [operator, value] = entries[0] ?? [];
  if (entries.length !== 1 || operator === undefined) return null;
  if (operator === "not" && value === null) return `${column} IS NOT NULL`;
  if (operator === "in" && Array.isArray(value) && value.length === 0) return "FALSE";
  const sqlOperator = COMPARISONS[operator];
  // Values PostgreSQL reads as the column's type from their text (the parameter's type is
  // inferred from the column); dates, decimals and bytes stay with Prisma.
  if (sqlOperator === undefined || !["string", "number", "boolean", "bigint"].includes(typeof value)) return null;
  params.push(value);
  return `${column} ${sqlOperator} ${placeholder(params.length)}`;
}

function isWhere(value: unknown): value is Where {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

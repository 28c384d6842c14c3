// `search=`: full-text search (IR 1.4; docs/query-language.md, "Search"), read as the FastAPI
// runtime reads it: on PostgreSQL the GIN index's own expression `@@ websearch_to_tsquery(...)`,
// ranked by `ts_rank`; on MySQL/MariaDB the FULLTEXT index's `MATCH ... AGAINST` in natural
// language mode, ranked by its relevance; then by the key. Prisma cannot order by a rank, so the matching keys come
// from one raw statement (src/meta.ts spells the index's expression, `ModelMeta.search`) and
// the page from Prisma, with the request's filters ANDed with `key in (those keys)`:
//   - with `sort`, the search only filters: the usual page (cursor, count, include) follows;
//   - without it, the rows of every filtered match are read and ordered by rank here, then
//     `offset`/`limit` cut the page (no cursor: a 400, as on the runtime). Its cost grows with
//     the number of matches, where the runtime's single statement stops at the page.
import type { PrismaClient } from "../generated/prisma/client.js";
import type { CountMethod } from "./contract.js";
import type { Where } from "./filters.js";
import type { ModelMeta, SearchMeta } from "./meta.js";
import { readPage, type Count, type Rows } from "./pages.js";
import { badParameter } from "./problem.js";
import type { ListQuery } from "./query.js";
import { DATABASE_NAME, DIALECT } from "./sql.js";

export const SEARCH_PARAMETER = "search";
const WORD = /[\p{L}\p{N}_]/u; // Python's \w: a search needs one word

export interface SearchQuery {
  readonly text: string;
  /** No `sort`: ordered by rank (best first), then by the key. */
  readonly ranked: boolean;
}

/** `search=` of a list request, checked as the runtime checks it (query/search.py). */
export function parseSearch(model: ModelMeta, params: ReadonlyMap<string, string>): SearchQuery | null {
  const text = params.get(SEARCH_PARAMETER);
  if (text === undefined) return null;
  checkSearch(model, text);
  const ranked = !params.has("sort");
  if (ranked && params.has("cursor")) {
    throw badParameter("cursor", "a search ordered by rank pages by offset, not cursor "
      + "(give sort= to page a search by cursor)");
  }
  if (!DIALECT.fullText) {
    throw badParameter(SEARCH_PARAMETER, `full-text search is not supported on this database (${DATABASE_NAME})`);
  }
  return { text, ranked };
}

/** `search=` on a model with full-text search and at least one word (an aggregate takes it too). */
export function checkSearch(model: ModelMeta, text: string): string {
  if (model.search === null) {
    throw badParameter(SEARCH_PARAMETER, `${model.name} has no full-text search; declare its searched fields `
      + `in fastbackend.yaml (models.${model.name}.search)`);
  }
  if (!WORD.test(text)) throw badParameter(SEARCH_PARAMETER, "needs at least one word to search for");
  return text;
}

/** `where` ANDed with "the row's key is one the search matches" (the aggregate's rows). */
export async function searchedWhere(prisma: PrismaClient, model: ModelMeta, where: Where, text: string): Promise<Where> {
  const search = model.search;
  if (search === null) return where;
  if (search.key === null) {
    throw badParameter(SEARCH_PARAMETER, "full-text search of a model with a composite key is not served "
      + "by the Express server");
  }
  const keys = await matchingKeys(prisma, search, text);
  return { AND: [where, { [search.key]: { in: keys } }] };
}

/** The page of `query`, its total and how it was counted: lib/pages.ts's, with the search's
 * keys when it has one. */
export async function readListPage(prisma: PrismaClient, model: ModelMeta, query: ListQuery,
  findMany: Rows, count: Count): Promise<[object[], number | null, CountMethod | null]> {
  const search = model.search;
  if (query.search === null || search === null) {
    return readPage(prisma, model, query, findMany, count);
  }
  if (search.key === null) {
    throw badParameter(SEARCH_PARAMETER, "full-text search of a model with a composite key is not served "
      + "by the Express server");
  }
  const keys = await matchingKeys(prisma, search, query.search.text);
  const where: Where = { AND: [query.where, { [search.key]: { in: keys } }] };
  if (!query.search.ranked) {
    const filtered = { ...query, where };
    return readPage(prisma, model, filtered, findMany, count);
  }
  const rows = await findMany({ ...query, where, after: null, limit: keys.length, offset: 0 });
  const rank = new Map(keys.map((key, i) => [String(key), i]));
  const position = (row: object): number => rank.get(String((row as Record<string, unknown>)[search.key ?? ""])) ?? 0;
  rows.sort((a, b) => position(a) - position(b));
  return [rows.slice(query.offset, query.offset + query.limit), query.count ? rows.length : null,
    query.count ? "exact" : null];
}

/** Every matching row's key, best match first (ties by the key). */
async function matchingKeys(prisma: PrismaClient, search: SearchMeta, text: string): Promise<unknown[]> {
  if (DATABASE_NAME === "mysql") { // the FULLTEXT index: relevance first, then the key
    const sql = `SELECT ${search.keyColumn} AS \`key\` FROM ${search.table} WHERE ${search.vector} > 0 `
      + `ORDER BY ${search.vector} DESC, ${search.keyColumn} ASC`;
    const rows = await prisma.$queryRawUnsafe<{ key: unknown }[]>(sql, text, text);
    return rows.map((row) => row.key);
  }
  const tsquery = `websearch_to_tsquery('${search.language}'::regconfig, $1)`;
  const sql = `SELECT ${search.keyColumn} AS "key" FROM ${search.table} WHERE ${search.vector} @@ ${tsquery} `
    + `ORDER BY ts_rank(${search.vector}, ${tsquery}) DESC, ${search.keyColumn} ASC`;
  const rows = await prisma.$queryRawUnsafe<{ key: unknown }[]>(sql, text);
  return rows.map((row) => row.key);
}

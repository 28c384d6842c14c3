// The list query language -> Prisma `findMany` arguments, and the page it answers with.
//   filters  field=value, field__op=value (ANDed); a dot walks relations: author.email__endswith=@x.io
//   where    JSON in Prisma's `where` shape, checked against the model
//   sort     sort=-created_at,author.name; the key is always the last tiebreaker
//   paging   limit (default 50, at most 200), offset, or cursor (keyset over sort key + key)
//   count    exact (the default on offset pages), planned, estimated or none (the default on
//            cursor pages); also `Prefer: count=...`, which the parameter overrides
//   shape    fields=id,title  include=author,comments  count=none
import type { Request } from "express";
import { modelNamed } from "../meta.js";
import { afterCursor, cursorOf, orderByOf, parseSort, type SortKey } from "./cursor.js";
import { checkWhere, filter, parseWhere, type Where } from "./filters.js";
import {
  BULK_ALL_PARAMETER, BULK_PARAMETERS, COUNT_METHODS, MAX_INCLUDE_DEPTH, RESERVED_PARAMETERS, type CountMethod,
} from "./contract.js";
import { Budget, LIMITS } from "./limits.js";
import { isDeleted, listedWhere, live, type DeletedMode } from "./live.js";
import { fieldOf, relationOf, type ModelMeta, type RelationMeta } from "./meta.js";
import { preferredCount } from "./prefer.js";
import { Problem, badParameter, quoted } from "./problem.js";
import { parseSearch, type SearchQuery } from "./search.js";
import { property, serializeRow, type Json, type JsonObject } from "./serialize.js";

export const DEFAULT_LIMIT = LIMITS.defaultLimit;
export const MAX_LIMIT = LIMITS.maxPageSize;
const NAME_LISTS = new Set(["sort", "fields", "include"]);
const RESERVED = new Set(RESERVED_PARAMETERS);

export interface ListQuery {
  /** The filters (`field__op=value` and `where`), ANDed. */
  readonly where: Where;
  /** The keyset condition of a page reached by cursor: rows after the cursor's. */
  readonly after: Where | null;
  readonly sort: readonly SortKey[];
  readonly limit: number;
  readonly offset: number;
  /** Whether `meta.total` is counted, and how (`countMethod`: never `none`). */
  readonly count: boolean;
  readonly countMethod: CountMethod;
  /** `Prefer: count=...` was read (no `count` parameter): the answer says how it counted. */
  readonly countPreferred: boolean;
  readonly fields: readonly string[] | null;
  readonly include: readonly IncludeNode[];
  /** `include=_count.posts`: to-many relations whose rows are counted, under `_count`. */
  readonly counts: readonly RelationMeta[];
  /** `search=` (lib/search.ts), or null. */
  readonly search: SearchQuery | null;
}

/** One included relation and the relations included under it (`include=comments.author`). */
export interface IncludeNode {
  readonly relation: RelationMeta;
  readonly children: IncludeNode[];
}

export interface FindManyArgs {
  where: Where;
  orderBy: Record<string, unknown>[];
  take: number;
  skip: number;
  include?: Record<string, unknown>;
}

export function parseListQuery(model: ModelMeta, req: Request): ListQuery {
  return listQuery(model, queryParams(req), undefined, preferredCount(req));
}

/** GET {path}/changes (lib/realtime.ts): the list's filters and `where`, parsed by the list's
 * parser; the list's other parameters are refused, as on the runtime (routes/changes.py). */
export function parseFeedFilter(model: ModelMeta, req: Request): Where {
  const params = queryParams(req);
  for (const name of params.keys()) {
    if (RESERVED.has(name) && name !== "where") {
      throw badParameter(name, "the feed takes the list's filters and `where` only");
    }
  }
  return listQuery(model, params).where;
}

/** PATCH and DELETE {path}?filters: the filters of a bulk update or delete, by the runtime's
 * rule (fastbackend_fastapi/routes/bulk.py): `all` is `true` or `false`; no list parameter but
 * `where`; no filter (nor `where`, or `where={}`) without `all=true` is `filter-required`. */
export function parseBulkFilter(model: ModelMeta, req: Request): Where {
  const params = queryParams(req);
  const all = params.get(BULK_ALL_PARAMETER) ?? "false";
  params.delete(BULK_ALL_PARAMETER);
  if (all !== "true" && all !== "false") {
    throw badParameter(BULK_ALL_PARAMETER, "must be true or false (true lets a bulk write name no filter)");
  }
  for (const name of params.keys()) {
    if (RESERVED.has(name) && !BULK_PARAMETERS.includes(name)) {
      throw badParameter(name, "a bulk update or delete takes filters and where only");
    }
  }
  const query = listQuery(model, params);
  if (all === "false" && namesNoFilter(params)) {
    throw new Problem(400, "filter-required",
      "a bulk update or delete needs a filter: add one, or all=true to change every row");
  }
  return query.where;
}

/** No filter parameter, and no `where` or an empty one (`where={}`, already checked). */
function namesNoFilter(params: Map<string, string>): boolean {
  if ([...params.keys()].some((name) => !RESERVED.has(name))) return false;
  const where = params.get("where");
  if (where === undefined) return true;
  const parsed: unknown = JSON.parse(where);
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) && Object.keys(parsed).length === 0;
}

/** POST {path}/query: the list parameters as one JSON object, for filters too long for a URL
 * (`where` as a document or as its JSON text; other values as strings or numbers). */
export function parseQueryBody(model: ModelMeta, body: unknown, preferred: CountMethod | null = null): ListQuery {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new Problem(400, "invalid-parameter", "the body is a JSON object of list parameters");
  }
  const params = new Map<string, string>();
  let where: unknown;
  for (const [name, value] of Object.entries(body)) {
    if (name === "where" && typeof value !== "string") where = value;
    else if (["string", "number", "bigint", "boolean"].includes(typeof value)) params.set(name, String(value));
    // `sort`, `fields` and `include` may be lists of names, as on the runtime
    else if (NAME_LISTS.has(name) && Array.isArray(value) && value.every((item) => typeof item === "string")) {
      params.set(name, value.join(","));
    } else throw badParameter(name, "expected text");
  }
  return listQuery(model, params, where, preferred);
}

function listQuery(model: ModelMeta, params: Map<string, string>, document?: unknown,
  preferred: CountMethod | null = null): ListQuery {
  const budget = new Budget(); // the query limits, spent in the runtime's order
  const conditions = [...params].filter(([name]) => !RESERVED.has(name))
    .map(([name, text]) => filter(model, name, text, budget));
  const whereText = params.get("where");
  const where = document !== undefined ? document : whereText !== undefined ? parseWhere(whereText) : undefined;
  if (where !== undefined) conditions.push(checkWhere(model, where, "", { budget, depth: 0, steps: 0 }));
  const sort = parseSort(model, params.get("sort"), budget);
  const search = parseSearch(model, params);
  const cursor = params.get("cursor");
  if (cursor !== undefined && params.has("offset")) throw badParameter("cursor", "cannot be combined with offset");
  const count = parseCount(params.get("count") ?? preferred ?? undefined, cursor !== undefined);
  return {
    where: listedWhere(model, parseDeleted(model, params.get("deleted")), conditions.length > 0 ? { AND: conditions } : {}),
    after: cursor !== undefined ? afterCursor(model, sort, cursor) : null,
    sort,
    limit: parseLimit(params.get("limit")),
    offset: parseOffset(params.get("offset")),
    count: count !== "none",
    countMethod: count === "none" ? "exact" : count,
    countPreferred: preferred !== null && !params.has("count"),
    ...fieldsAndInclude(model, params, budget),
    search,
  };
}

/** What `include=` names: relations to nest, and to-many relations whose rows are counted. */
export type Includes = Pick<ListQuery, "include" | "counts">;

/** `include=<text>` alone, by the list's grammar, limits and 400s: a single row's answer (GET of
 * one row, and a write's: lib/included.ts). */
export function answerIncludes(model: ModelMeta, text: string): Includes {
  const { include, counts } = fieldsAndInclude(model, new Map([["include", text]]), new Budget());
  return { include, counts };
}

/** `fields` may name relations beside fields (JSON:API's sparse fieldsets and PostgREST's select
 * do): they are included. */
function fieldsAndInclude(model: ModelMeta, params: Map<string, string>, budget: Budget): Pick<ListQuery, "fields" | "include" | "counts"> {
  const named = parseFields(model, params.get("fields"), budget);
  const related = named?.filter((name) => fieldOf(model, name)?.readable !== true) ?? [];
  const fields = named?.filter((name) => !related.includes(name)) ?? null;
  const text = params.get("include");
  const names = text === undefined ? [] : text.split(",").map((name) => name.trim());
  const counted = names.filter((name) => name.split(".")[0] === COUNT);
  const included = names.filter((name) => !counted.includes(name));
  if (text !== undefined && counted.length > 0) budget.names(names.length, "include");
  return {
    fields,
    include: parseInclude(model, text === undefined || counted.length > 0 && included.length === 0 ? undefined : included.join(","), budget, related),
    counts: parseCounts(model, counted),
  };
}

const COUNT = "_count"; // include=_count.posts: related rows counted, not nested (Prisma's _count)

/** `_count.posts`: a to-many relation of this model, one level (the runtime's query/parse.py). */
function parseCounts(model: ModelMeta, spelled: readonly string[]): RelationMeta[] {
  const found: RelationMeta[] = [];
  for (const name of spelled) {
    const dot = name.indexOf(".");
    const relationName = dot < 0 ? "" : name.slice(dot + 1);
    const relation = relationName.includes(".") ? undefined : relationOf(model, relationName);
    if (dot < 0 || relation === undefined || !relation.exposed || !relation.toMany) {
      throw badParameter("include", `${quoted(name)}: write ${COUNT}.<relation>, a to-many relation of ${model.name}`);
    }
    if (!found.includes(relation)) found.push(relation);
  }
  return found;
}

function queryParams(req: Request): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of new URL(req.originalUrl, "http://localhost").searchParams) {
    if (params.has(name)) throw badParameter(name, "given more than once");
    params.set(name, value);
  }
  return params;
}

/** Prisma's arguments for one page; `scope` restricts the rows to one relation's. One row more
 * than `limit` is read: its presence says whether another page follows. */
export function findManyArgs(query: ListQuery, scope: Where | null = null): FindManyArgs {
  const where = countWhere(query, scope);
  const args: FindManyArgs = {
    where: query.after === null ? where : { AND: [where, query.after] },
    orderBy: query.sort.filter((key) => key.unordered !== true).map(orderByOf),
    take: query.limit + 1,
    skip: query.offset,
  };
  // The related rows a sort key walks to are loaded too, for the cursor to carry their values.
  const loaded = query.sort.reduce((nodes, key) => withPath(nodes, key.path), query.include);
  if (loaded.length > 0) args.include = includeArgs(loaded);
  if (query.counts.length > 0) args.include = { ...args.include, ...countsArgs(query.counts) };
  return args;
}

/** Prisma's `_count` selection of the relations `include=_count.<relation>` names (one
 * statement: Prisma counts in the rows' query); none: nothing. */
export function countsArgs(counts: readonly RelationMeta[]): Record<string, unknown> {
  if (counts.length === 0) return {};
  return { _count: { select: Object.fromEntries(counts.map((r) => [r.name, counted(r)])) } };
}

/** Prisma's `_count` selection of one relation: its live rows only (soft delete, live.ts), as
 * the runtime's count subquery carries the related entity's conditions. */
function counted(relation: RelationMeta): true | { where: Where } {
  const condition = live(modelNamed(relation.target));
  return condition === null ? true : { where: condition };
}

/** The rows `meta.total` counts: the filters, whatever the cursor, limit and offset. */
export function countWhere(query: ListQuery, scope: Where | null = null): Where {
  return scope === null ? query.where : { AND: [scope, query.where] };
}

/** `nodes` with the relations of `path` included (a copy; the response's include is unchanged). */
function withPath(nodes: readonly IncludeNode[], path: readonly RelationMeta[]): readonly IncludeNode[] {
  const [first, ...rest] = path;
  if (first === undefined) return nodes;
  const found = nodes.find((node) => node.relation.name === first.name);
  const others = nodes.filter((node) => node !== found);
  return [...others, { relation: first, children: [...withPath(found?.children ?? [], rest)] }];
}

/** The target rows of one relation of `owner`, as a condition on the target model. */
export function relationScope(model: ModelMeta, name: string, owner: object): Where {
  const relation = relationOf(model, name);
  if (relation === undefined) throw new Error(`${model.name} has no relation ${name}`);
  const values = relation.thisFields.map((field) => property(owner, field));
  if (relation.kind !== "manyToMany") {
    return Object.fromEntries(relation.targetFields.map((field, index) => [field, values[index]]));
  }
  if (relation.inverse === null) throw new Error(`${model.name}.${name} has no inverse relation`);
  const columns = relation.through?.sourceColumns ?? relation.thisFields;
  return { [relation.inverse]: { some: Object.fromEntries(columns.map((column, index) => [column, values[index]])) } };
}

/** `deleted=only|include` on a soft-deleting model, as the runtime reads it (query/parse.py). */
function parseDeleted(model: ModelMeta, text: string | undefined): DeletedMode {
  if (text === undefined) return null;
  if (!model.softDelete) {
    throw badParameter("deleted", `${model.name} has no soft delete; declare its stamp field in `
      + `fastbackend.yaml (models.${model.name}.soft_delete)`);
  }
  if (text !== "only" && text !== "include") throw badParameter("deleted", "must be only or include");
  return text;
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const value = integer("limit", text);
  if (value < 1 || value > MAX_LIMIT) throw badParameter("limit", `must be between 1 and ${MAX_LIMIT}`);
  return value;
}

function parseOffset(text: string | undefined): number {
  const value = text === undefined ? 0 : integer("offset", text);
  if (value < 0) throw badParameter("offset", "must be a non-negative integer");
  return value;
}

function integer(name: string, text: string): number {
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw badParameter(name, "must be an integer");
  return Number(text);
}

/** How `meta.total` is counted (the contract's "Prefer: count"). Counting is cheap next to an
 * offset scan, not next to a seek: cursor pages count on request. */
function parseCount(text: string | undefined, byCursor: boolean): CountMethod {
  if (text === undefined) return byCursor ? "none" : "exact";
  const method = COUNT_METHODS.find((name) => name === text);
  if (method === undefined) throw badParameter("count", `must be one of ${COUNT_METHODS.join(", ")}`);
  return method;
}

function parseFields(model: ModelMeta, text: string | undefined, budget: Budget): string[] | null {
  if (text === undefined) return null;
  const names = text.split(",").map((name) => name.trim());
  budget.names(names.length, "fields");
  for (const name of names) {
    if (fieldOf(model, name)?.readable !== true && relationOf(model, name)?.exposed !== true) {
      throw badParameter("fields", `${model.name} has no field or relation ${quoted(name)}`);
    }
  }
  return [...new Set(names)];
}

function parseInclude(model: ModelMeta, text: string | undefined, budget: Budget, related: readonly string[]): IncludeNode[] {
  if (text === undefined && related.length === 0) return [];
  const roots: IncludeNode[] = [];
  const names = text === undefined ? [] : text.split(",").map((name) => name.trim());
  if (text !== undefined) budget.names(names.length, "include");
  for (const spelled of [...names, ...related]) {
    const steps = spelled.split(".");
    if (steps.length > MAX_INCLUDE_DEPTH) throw badParameter("include", `${quoted(spelled)} is deeper than ${MAX_INCLUDE_DEPTH}`);
    let current = model;
    let level = roots;
    for (const step of steps) {
      const relation = relationOf(current, step);
      if (relation === undefined || !relation.exposed) throw badParameter("include", `${current.name} has no relation ${quoted(step)}`);
      let node = level.find((candidate) => candidate.relation.name === relation.name);
      if (node === undefined) {
        node = { relation, children: [] };
        level.push(node);
      }
      level = node.children;
      current = modelNamed(relation.target);
    }
  }
  return roots;
}

export function includeArgs(nodes: readonly IncludeNode[]): Record<string, unknown> {
  const include: Record<string, unknown> = {};
  for (const { relation, children } of nodes) {
    const nested = children.length > 0 ? { include: includeArgs(children) } : {};
    const target = modelNamed(relation.target);
    // A to-many's soft-deleted rows are left out here (live.ts); a deleted to-one is null (representation).
    const condition = relation.toMany ? live(target) : null;
    // A to-many's rows in the order of their key, as the runtime's include reads them.
    const byKey = target.key.map((name) => ({ [name]: "asc" }));
    if (relation.through !== null) {
      const field = relation.through.targetField;
      include[relation.name] = { ...(condition === null ? {} : { where: { [field]: { is: condition } } }),
        orderBy: byKey.map((order) => ({ [field]: order })),
        include: { [field]: Object.keys(nested).length > 0 ? nested : true } };
    } else {
      const args = { ...nested, ...(condition === null ? {} : { where: condition }),
        ...(relation.toMany ? { orderBy: byKey } : {}) };
      include[relation.name] = Object.keys(args).length > 0 ? args : true;
    }
  }
  return include;
}

// ---- responses -----------------------------------------------------------------------------

/** One row with its included relations as nested objects (join rows unwrapped). */
export function representation(model: ModelMeta, row: object, query: Pick<ListQuery, "fields" | "include">): JsonObject {
  const body = serializeRow(model, row, query.fields);
  for (const { relation, children } of query.include) {
    const target = modelNamed(relation.target);
    const nested = { fields: null, include: children };
    const value = property(row, relation.name);
    if (Array.isArray(value)) {
      const rows = relation.through !== null ? value.map((link: object) => property(link, relation.through?.targetField ?? "") as object) : value;
      body[relation.name] = rows.map((item: object) => representation(target, item, nested));
    } else {
      body[relation.name] = value === null || value === undefined || isDeleted(target, value) ? null
        : representation(target, value, nested);
    }
  }
  return body;
}

/** `_count` of the row as Prisma read it, for the relations `include=_count.<relation>` named. */
export function withCounts(body: JsonObject, row: object, query: Pick<ListQuery, "counts">): JsonObject {
  if (query.counts.length === 0) return body;
  const counted = property(row, COUNT) as Record<string, number> | undefined;
  body[COUNT] = Object.fromEntries(query.counts.map((r) => [r.name, Number(counted?.[r.name] ?? 0)]));
  return body;
}

/** The page of `rows` (read with findManyArgs: one more than `limit` when another page follows). */
export function listPage(model: ModelMeta, query: ListQuery, rows: readonly object[], total: number | null): Json {
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const next = rows.length > query.limit && last !== undefined ? cursorOf(model, query.sort, last) : null;
  return {
    data: page.map((row) => withCounts(representation(model, row, query), row, query)),
    meta: { total, limit: query.limit, offset: query.after === null ? query.offset : null, next_cursor: next },
  };
}

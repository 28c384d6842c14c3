// GET {path}/aggregate: what the FastAPI runtime's routes/aggregates.py answers (docs/query-language.md,
// "Aggregates"), on Prisma. Prisma's groupBy can neither group through a relation nor count distinct
// values, so this server reads the matching rows' aggregated columns (only those, relations as nested
// selects) in one findMany, in a transaction bounded by limits.aggregate_timeout_seconds, and folds
// them here. The same parameters, checks, problems and numbers as the runtime; the cost is the
// matching rows', not the groups' (docs/express.md).
import { createHash } from "node:crypto";
import type { Request } from "express";
import { Prisma, type PrismaClient } from "../generated/prisma/client.js";
import { modelNamed } from "../meta.js";
import { AGGREGATE_FUNCTIONS, AGGREGATE_ROWS, HAVING_OPERATORS, RESERVED_PARAMETERS } from "./contract.js";
import { cursorDocument, signCursor } from "./cursor.js";
import { checkWhere, filter, parseWhere, type Where } from "./filters.js";
import { Budget, LIMITS } from "./limits.js";
import { isDeleted, liveWhere } from "./live.js";
import { fieldOf, relationOf, type FieldMeta, type ModelMeta, type RelationMeta } from "./meta.js";
import { Problem, badParameter, quoted } from "./problem.js";
import { SEARCH_PARAMETER, checkSearch, searchedWhere } from "./search.js";
import { jsonText, serializeValue, type Json, type JsonObject } from "./serialize.js";
import { ValueError, parseText } from "./values.js";

const OWN = new Set(["group_by", "having", "sort", "limit", "offset", "cursor", SEARCH_PARAMETER, ...AGGREGATE_FUNCTIONS]);
const PAGING = new Set(["limit", "offset", "cursor"]); // what may change from one page to the next
const NOT_ISSUED = "not a cursor this API issued";
const RESERVED = new Set(RESERVED_PARAMETERS);

interface Target { readonly name: string; readonly path: readonly RelationMeta[]; readonly field: FieldMeta }
interface Measure { readonly fn: string; readonly target: Target | null; readonly name: string }
interface Having { readonly measure: Measure; readonly op: string; readonly value: unknown }
type Term = { readonly measure: Measure; readonly group?: undefined } | { readonly group: number; readonly measure?: undefined };

export interface AggregateQuery {
  readonly where: Where;
  readonly groupBy: readonly Target[];
  readonly measures: readonly Measure[];
  readonly having: readonly Having[];
  readonly sort: readonly { readonly term: Term; readonly descending: boolean }[];
  readonly limit: number | null;
  readonly offset: number;
  /** `search=`: aggregate the rows the full-text search matches (lib/search.ts), or null. */
  readonly search: string | null;
  readonly model: ModelMeta;
  /** What a cursor of this query is bound to: its keys and a digest of its other parameters. */
  readonly spelled: string;
  /** The last group's key values (keys() order), parsed, or null. */
  readonly cursor: readonly unknown[] | null;
}

interface Key { readonly term: Term; readonly descending: boolean }

/** The keyset order: the sort terms, then every group field not sorted on, ascending (groups
 * differ in their group fields, so the order is total); the runtime's AggregateQuery.keys. */
function keys(query: Pick<AggregateQuery, "sort" | "groupBy">): Key[] {
  const tiebreakers: Key[] = query.groupBy.map((_, group) => ({ term: { group }, descending: false }));
  return [...query.sort, ...tiebreakers.filter(({ term }) => !query.sort.some((s) => s.term.group === term.group))];
}

function termName(query: Pick<AggregateQuery, "groupBy">, term: Term): string {
  return term.measure !== undefined ? term.measure.name : query.groupBy[term.group].name;
}

/** `-count.*,author.name@` and the first 16 hex digits of a SHA-256 of every parameter but the
 * page's own (query/aggregate.py's spelled_keys). */
function spelledKeys(query: Pick<AggregateQuery, "sort" | "groupBy">, given: Map<string, string>): string {
  const order = keys(query).map(({ term, descending }) => (descending ? "-" : "") + termName(query, term)).join(",");
  const text = [...given.keys()].filter((name) => !PAGING.has(name)).sort()
    .map((name) => `${name}\0${given.get(name) ?? ""}\0`).join("");
  return `${order}@${createHash("sha256").update(text, "utf8").digest("hex").slice(0, 16)}`;
}

/** A cursor's key value: the group field's value, or the aggregate's number (query/aggregate.py's _key_value). */
function keyValue(query: Pick<AggregateQuery, "groupBy">, term: Term, value: unknown): unknown {
  if (value === null) return null;
  let field: FieldMeta | undefined;
  if (term.measure !== undefined) {
    const m = term.measure;
    const kind = m.target?.field.kind;
    if (m.fn !== "min" && m.fn !== "max" && !(m.fn === "sum" && kind === "decimal")) {
      const integral = m.fn.startsWith("count") || (m.fn === "sum" && (kind === "integer" || kind === "bigint"));
      if (typeof value !== "number" || (integral && !Number.isInteger(value))) throw badParameter("cursor", NOT_ISSUED);
      return m.fn === "sum" && kind === "bigint" ? BigInt(value) : value;
    }
    field = m.target?.field;
  } else {
    field = query.groupBy[term.group].field;
  }
  if (field === undefined || (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean")) {
    throw badParameter("cursor", NOT_ISSUED);
  }
  try {
    return parseText(field, String(value));
  } catch (error) {
    if (error instanceof ValueError) throw badParameter("cursor", NOT_ISSUED);
    throw error;
  }
}

function decodeCursor(model: ModelMeta, query: Pick<AggregateQuery, "sort" | "groupBy">, spelled: string, token: string): unknown[] {
  const document = cursorDocument(model, token);
  const issued = typeof document === "object" && document !== null && !Array.isArray(document)
    ? (document as Record<string, unknown>).s : undefined;
  if (issued !== spelled) {
    throw badParameter("cursor", "the cursor was issued for another query: send the same filters, group_by, having, sort and search with it");
  }
  const values = (document as Record<string, unknown>).v;
  const order = keys(query);
  if (!Array.isArray(values) || values.length !== order.length) throw badParameter("cursor", NOT_ISSUED);
  return order.map(({ term }, i) => keyValue(query, term, values[i]));
}

function split(text: string | undefined): string[] {
  return (text ?? "").split(",").map((part) => part.trim()).filter((part) => part !== "");
}

function params(req: Request): Map<string, string> {
  const found = new Map<string, string>();
  for (const [name, value] of new URL(req.originalUrl, "http://localhost").searchParams) {
    if (found.has(name)) throw badParameter(name, "given more than once");
    found.set(name, value);
  }
  return found;
}

function target(model: ModelMeta, parameter: string, name: string, group: boolean, fn: string | null): Target {
  const steps = name.split(".");
  const last = steps.pop() ?? "";
  if (steps.length > LIMITS.maxRelationDepth) throw badParameter(parameter, `walks more than ${LIMITS.maxRelationDepth} relations`);
  let current = model;
  const path: RelationMeta[] = [];
  for (const step of steps) {
    const relation = relationOf(current, step);
    if (relation === undefined || !relation.exposed) throw badParameter(parameter, `${current.name} has no relation ${quoted(step)}`);
    if (relation.toMany) throw badParameter(parameter, `${quoted(step)} is a to-many relation`);
    path.push(relation);
    current = modelNamed(relation.target);
  }
  const field = fieldOf(current, last);
  if (field === undefined || !field.filterable) {
    throw badParameter(parameter, `${current.name} has no field ${quoted(last)} that can be aggregated`);
  }
  const declared = "neither indexed nor declared in fastbackend.yaml's `aggregate`";
  if (group && !field.groupable) throw badParameter(parameter, `cannot group by ${quoted(name)}: ${declared}`);
  if (fn !== null && field.aggregates.length === 0) throw badParameter(parameter, `cannot aggregate ${quoted(name)}: ${declared}`);
  if (fn !== null && !field.aggregates.includes(fn)) {
    throw badParameter(parameter, `cannot take ${fn} of ${quoted(name)}: ${fn} does not apply to ${field.kind} fields`);
  }
  return { name, path, field };
}

function measure(model: ModelMeta, parameter: string, fn: string, name: string): Measure {
  if (name === AGGREGATE_ROWS) {
    if (fn !== "count") throw badParameter(parameter, `'${AGGREGATE_ROWS}' (every row) is for count only`);
    return { fn, target: null, name: `${fn}.${AGGREGATE_ROWS}` };
  }
  return { fn, target: target(model, parameter, name, false, fn), name: `${fn}.${name}` };
}

function namedMeasure(model: ModelMeta, parameter: string, text: string): Measure {
  const dot = text.indexOf(".");
  const fn = dot < 0 ? "" : text.slice(0, dot);
  if (!AGGREGATE_FUNCTIONS.includes(fn)) {
    throw badParameter(parameter, `${quoted(text)} is not an aggregate such as count.* or sum.views (functions: ${AGGREGATE_FUNCTIONS.join(", ")})`);
  }
  return measure(model, parameter, fn, text.slice(dot + 1));
}

function havingValue(m: Measure, raw: string): unknown {
  if (m.fn === "count" || m.fn === "count_distinct") {
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw badParameter("having", `${m.name} takes an integer, not ${quoted(raw)}`);
    return Number(raw);
  }
  const field = m.target?.field;
  if (field === undefined) throw badParameter("having", `${m.name} is not an aggregate`);
  if (m.fn === "sum" || m.fn === "avg") {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value)) throw badParameter("having", `${m.name} takes a number, not ${quoted(raw)}`);
    return value;
  }
  try {
    return parseText(field, raw); // min and max: a value of the field, parsed as a filter's is
  } catch (error) {
    if (error instanceof ValueError) throw badParameter("having", `${m.name}: ${quoted(raw)} is not a value of ${field.kind}: ${error.message}`);
    throw error;
  }
}

function having(model: ModelMeta, term: string): Having {
  const equals = term.indexOf("=");
  const left = equals < 0 ? term : term.slice(0, equals);
  const cut = left.lastIndexOf("__");
  const op = cut < 0 ? "" : left.slice(cut + 2);
  if (equals < 0 || !HAVING_OPERATORS.includes(op)) {
    throw badParameter("having", `${quoted(term)}: write aggregate__op=value, op one of ${HAVING_OPERATORS.join(", ")}`);
  }
  const m = namedMeasure(model, "having", left.slice(0, cut));
  return { measure: m, op, value: havingValue(m, term.slice(equals + 1)) };
}

function whole(name: string, text: string | undefined, minimum: number, maximum: number, message: string): number | null {
  if (text === undefined) return null;
  if (!/^\d+$/.test(text) || Number(text) < minimum || Number(text) > maximum) throw badParameter(name, message);
  return Number(text);
}

/** The request's aggregate query; every mistake is the runtime's 400 (query/aggregate.py). */
export function parseAggregate(model: ModelMeta, req: Request): AggregateQuery {
  const given = params(req);
  for (const name of given.keys()) {
    if (RESERVED.has(name) && !OWN.has(name) && name !== "where") {
      throw badParameter(name, `an aggregate request takes filters, where, search, group_by, having, sort, limit, offset and ${AGGREGATE_FUNCTIONS.join(", ")}`);
    }
  }
  const budget = new Budget();
  const conditions = [...given].filter(([name]) => !RESERVED.has(name) && !OWN.has(name))
    .map(([name, text]) => filter(model, name, text, budget));
  const whereText = given.get("where");
  if (whereText !== undefined) conditions.push(checkWhere(model, parseWhere(whereText), "", { budget, depth: 0, steps: 0 }));
  const groupBy = split(given.get("group_by")).map((name) => target(model, "group_by", name, true, null));
  if (new Set(groupBy.map((t) => t.name)).size !== groupBy.length) throw badParameter("group_by", "a field is named twice");
  const measures: Measure[] = [];
  for (const fn of AGGREGATE_FUNCTIONS) {
    for (const name of split(given.get(fn))) {
      const m = measure(model, fn, fn, name);
      if (!measures.some((found) => found.name === m.name)) measures.push(m);
    }
  }
  if (measures.length > LIMITS.maxNames) throw badParameter("aggregates", `more than ${LIMITS.maxNames} aggregates`);
  if (measures.length === 0) measures.push({ fn: "count", target: null, name: `count.${AGGREGATE_ROWS}` });
  const havings = split(given.get("having")).map((term) => having(model, term));
  const sort: { term: Term; descending: boolean }[] = [];
  const named = new Set<string>();
  for (const part of split(given.get("sort"))) {
    const descending = part.startsWith("-");
    const name = descending ? part.slice(1) : part;
    const group = groupBy.findIndex((t) => t.name === name);
    let term: Term;
    let key: string;
    if (group >= 0) {
      term = { group };
      key = `group:${name}`;
    } else {
      const m = namedMeasure(model, "sort", name); // answered or not
      term = { measure: m };
      key = m.name;
    }
    if (named.has(key)) throw badParameter("sort", `${quoted(name)} is named twice`);
    named.add(key);
    sort.push({ term, descending });
  }
  const limit = whole("limit", given.get("limit"), 1, LIMITS.maxGroups, `must be between 1 and ${LIMITS.maxGroups} (limits.max_groups)`);
  const offset = whole("offset", given.get("offset"), 0, Number.MAX_SAFE_INTEGER, "must be a non-negative integer") ?? 0;
  const search = given.has(SEARCH_PARAMETER) ? checkSearch(model, given.get(SEARCH_PARAMETER) ?? "") : null;
  const spelled = spelledKeys({ sort, groupBy }, given);
  const token = given.get("cursor");
  if (token !== undefined && given.has("offset")) throw badParameter("cursor", "cannot be combined with offset");
  return {
    where: conditions.length > 0 ? { AND: conditions } : {},
    groupBy, measures, having: havings, sort, limit, offset, search, model, spelled,
    cursor: token === undefined ? null : decodeCursor(model, { sort, groupBy }, spelled, token),
  };
}

// -- reading -------------------------------------------------------------------------------

type Select = Record<string, unknown>;

/** Selects `t`'s column through its relations, and the soft-delete stamp of every soft-deleting
 * model on the way: valueOf reads a stamped row as missing, as the runtime's joins of live rows. */
function addSelect(select: Select, t: Target): void {
  let current = select;
  for (const relation of t.path) {
    const nested = (current[relation.name] ??= { select: {} }) as { select: Select };
    current = nested.select;
    const stamp = modelNamed(relation.target).softDelete;
    if (stamp) current[stamp] = true;
  }
  current[t.field.name] = true;
}

/** What the groups need: the answered aggregates, and those `having` and `sort` name. */
function computed(query: AggregateQuery): Measure[] {
  const found = new Map<string, Measure>();
  const sorted = query.sort.flatMap(({ term }) => term.measure !== undefined ? [term.measure] : []);
  for (const m of [...query.measures, ...query.having.map((h) => h.measure), ...sorted]) found.set(m.name, m);
  return [...found.values()];
}

/** Prisma's findMany arguments: the filters (and the search's matching keys), and only the
 * columns the aggregates read. */
export async function aggregateArgs(prisma: PrismaClient, model: ModelMeta, query: AggregateQuery): Promise<{ where: Where; select: Select }> {
  const select: Select = {};
  for (const name of model.key) select[name] = true; // Prisma needs one scalar at least
  for (const t of query.groupBy) addSelect(select, t);
  for (const m of computed(query)) if (m.target !== null) addSelect(select, m.target);
  const where = query.search === null ? query.where : await searchedWhere(prisma, model, query.where, query.search);
  return { where: liveWhere(model, where), select };
}

/** The interactive transaction the rows are read in: bounded by limits.aggregate_timeout_seconds
 * (past it, Prisma's P2028: a 503 database-timeout). */
export const AGGREGATE_TRANSACTION = {
  timeout: Math.round(LIMITS.aggregateTimeoutSeconds * 1000),
  maxWait: Math.round(LIMITS.aggregateTimeoutSeconds * 1000),
} as const;

/** `t`'s value in a row read with addSelect's select: null through a missing or soft-deleted
 * related row (the runtime's LEFT JOIN of live rows: docs/rest-api.md "Soft delete"). */
function valueOf(row: unknown, t: Target): unknown {
  let current = row as Record<string, unknown> | null;
  for (const relation of t.path) {
    if (current === null || current === undefined) return null;
    current = current[relation.name] as Record<string, unknown> | null;
    if (current !== null && current !== undefined && isDeleted(modelNamed(relation.target), current)) return null;
  }
  return current === null || current === undefined ? null : current[t.field.name] ?? null;
}

function isDecimal(value: unknown): value is Prisma.Decimal {
  return Prisma.Decimal.isDecimal(value);
}

/** Order of two non-null values of one field, as the database orders them (text by code point). */
function compare(a: unknown, b: unknown): number {
  if (isDecimal(a) || isDecimal(b)) return new Prisma.Decimal(String(a)).cmp(new Prisma.Decimal(String(b)));
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === "bigint" || typeof b === "bigint") return Number(BigInt(a as bigint) - BigInt(b as bigint));
  if (typeof a === "number" && typeof b === "number") return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

function nullsLast(a: unknown, b: unknown, descending: boolean): number {
  if (a === null && b === null) return 0;
  if (a === null) return descending ? -1 : 1;
  if (b === null) return descending ? 1 : -1;
  const order = compare(a, b);
  return descending ? -order : order;
}

class Accumulator {
  rows = 0;
  count = 0;
  sum: unknown = null;
  min: unknown = null;
  max: unknown = null;
  distinct = new Set<string>();

  constructor(readonly m: Measure) {}

  add(row: unknown): void {
    this.rows += 1;
    if (this.m.target === null) return;
    const value = valueOf(row, this.m.target);
    if (value === null) return;
    this.count += 1;
    const fn = this.m.fn;
    if (fn === "count_distinct") this.distinct.add(jsonText(serializeValue(this.m.target.field, value)));
    else if (fn === "sum" || fn === "avg") this.sum = plus(this.sum, value);
    else if (fn === "min" && (this.min === null || compare(value, this.min) < 0)) this.min = value;
    else if (fn === "max" && (this.max === null || compare(value, this.max) > 0)) this.max = value;
  }

  /** The value `having` and `sort` compare (numbers, or the field's own values for min/max). */
  raw(): unknown {
    switch (this.m.fn) {
      case "count": return this.m.target === null ? this.rows : this.count;
      case "count_distinct": return this.distinct.size;
      case "sum": return this.sum;
      case "avg": return this.sum === null ? null : Number(isDecimal(this.sum) ? this.sum.toString() : this.sum) / this.count;
      case "min": return this.min;
      default: return this.max;
    }
  }

  json(): Json {
    const value = this.raw();
    if (value === null || this.m.target === null || this.m.fn.startsWith("count") || this.m.fn === "avg") return value as Json;
    const field = this.m.target.field;
    if (this.m.fn === "sum" && !isDecimal(value)) return value as Json;
    return serializeValue(field, value);
  }
}

function plus(total: unknown, value: unknown): unknown {
  if (total === null) return value;
  if (isDecimal(total)) return total.plus(value as Prisma.Decimal);
  if (typeof total === "bigint") return total + BigInt(value as bigint);
  return (total as number) + (value as number);
}

function holds(h: Having, value: unknown): boolean {
  if (value === null) return false; // a comparison with NULL is false
  const order = compare(value, h.value);
  switch (h.op) {
    case "eq": return order === 0;
    case "ne": return order !== 0;
    case "gt": return order > 0;
    case "gte": return order >= 0;
    case "lt": return order < 0;
    default: return order <= 0;
  }
}

interface Group { readonly values: unknown[]; readonly measures: Map<string, Accumulator> }

/** `{"data": [groups], "meta": {limit, offset}}`, as the runtime answers; a 400 too-many-groups
 * without a limit past limits.max_groups. */
export function aggregateAnswer(query: AggregateQuery, rows: readonly unknown[]): Json {
  const groups = new Map<string, Group>();
  const every = computed(query);
  const open = (values: unknown[]): Group => {
    const key = jsonText(values.map((value, i) => serializeValue(query.groupBy[i].field, value)));
    let group = groups.get(key);
    if (group === undefined) {
      group = { values, measures: new Map(every.map((m) => [m.name, new Accumulator(m)])) };
      groups.set(key, group);
    }
    return group;
  };
  if (query.groupBy.length === 0) open([]); // one row of the whole set, even of no rows
  for (const row of rows) {
    const group = open(query.groupBy.map((t) => valueOf(row, t)));
    for (const accumulator of group.measures.values()) accumulator.add(row);
  }
  const kept = [...groups.values()].filter((g) => query.having.every((h) => holds(h, g.measures.get(h.measure.name)?.raw() ?? null)));
  const terms = keys(query);
  const valueFor = (g: Group, term: Term): unknown => term.measure !== undefined ? g.measures.get(term.measure.name)?.raw() ?? null : g.values[term.group];
  const order = (a: readonly unknown[], b: readonly unknown[]): number => {
    for (const [i, { descending }] of terms.entries()) {
      const found = nullsLast(a[i], b[i], descending);
      if (found !== 0) return found;
    }
    return 0;
  };
  const keyOf = (g: Group): unknown[] => terms.map(({ term }) => valueFor(g, term));
  kept.sort((a, b) => order(keyOf(a), keyOf(b)));
  const cursor = query.cursor;
  const after = cursor === null ? kept : kept.filter((g) => order(keyOf(g), cursor) > 0);
  if (query.limit === null && query.groupBy.length > 0 && after.length - query.offset > LIMITS.maxGroups) {
    throw new Problem(400, "too-many-groups",
      `more than ${LIMITS.maxGroups} groups (limits.max_groups): give a limit, or filters that leave fewer groups`);
  }
  const page = after.slice(query.offset, query.limit === null ? undefined : query.offset + query.limit);
  const more = query.limit !== null && query.groupBy.length > 0 && after.length > query.offset + query.limit;
  const last = page.at(-1);
  const nextCursor = more && last !== undefined ? signCursor(query.model, query.spelled, keyJson(query, last)) : null;
  return {
    data: page.map((g) => groupJson(query, g)),
    meta: { limit: query.limit, offset: cursor === null ? query.offset : null, next_cursor: nextCursor },
  };
}

/** A group's key values in their JSON form, as the runtime's Answer.key writes them. */
function keyJson(query: AggregateQuery, g: Group): Json[] {
  return keys(query).map(({ term }) => {
    if (term.measure === undefined) return serializeValue(query.groupBy[term.group].field, g.values[term.group]);
    return g.measures.get(term.measure.name)?.json() ?? null;
  });
}

function groupJson(query: AggregateQuery, g: Group): JsonObject {
  const body: JsonObject = {};
  if (query.groupBy.length > 0) {
    body.group = Object.fromEntries(query.groupBy.map((t, i) => [t.name, serializeValue(t.field, g.values[i])]));
  }
  for (const m of query.measures) {
    const byField = (body[m.fn] ??= {}) as JsonObject;
    byField[m.target === null ? AGGREGATE_ROWS : m.target.name] = g.measures.get(m.name)?.json() ?? null;
  }
  return body;
}

// Query-string filters (`field=value`, `field__op=value`, dotted relation walks) and `where=`
// JSON, both as Prisma `where` conditions over readable, filterable fields only.
import { modelNamed } from "../meta.js";
import { OPERATORS as OPERATOR_ROWS, type OperatorName } from "./contract.js";
import { parseJson } from "./json.js";
import type { Budget } from "./limits.js";
import { liveQuantified, liveWhere } from "./live.js";
import { fieldOf, relationOf, type FieldMeta, type ModelMeta, type RelationMeta } from "./meta.js";
import { type Problem, badParameter, quoted } from "./problem.js";
import { ValueError, parseText } from "./values.js";

export type Where = Record<string, unknown>;

type Operator = (field: FieldMeta, text: string) => unknown;

// Which operators apply to a field is the IR's record (FieldMeta.operators, checked by
// notApplicable before a builder runs), never worked out here from its kind again.
// The operator whose presence says a field is text, so `"mode": "insensitive"` applies to it.
const CASE_FOLDING = "icontains";
const KNOWN = OPERATOR_ROWS.map((row) => row.name).join(", ");

function ordered(name: "gt" | "gte" | "lt" | "lte"): Operator {
  return (field, text) => ({ [name]: parseText(field, text) });
}

// Each operator of the contract as Prisma spellings of one field's condition (made two-valued by
// fieldCondition); the type makes tsc refuse a missing or unknown one.
const BUILDERS: Readonly<Record<OperatorName, Operator>> = {
  eq: (field, text) => ({ equals: parseText(field, text) }),
  ne: (field, text) => ({ not: parseText(field, text) }),
  gt: ordered("gt"),
  gte: ordered("gte"),
  lt: ordered("lt"),
  lte: ordered("lte"),
  in: (field, text) => ({ in: listed(field, text) }),
  notin: (field, text) => ({ notIn: listed(field, text) }),
  contains: (field, text) => ({ contains: parseText(field, text) }),
  icontains: (field, text) => ({ contains: parseText(field, text), mode: "insensitive" }),
  startswith: (field, text) => ({ startsWith: parseText(field, text) }),
  endswith: (field, text) => ({ endsWith: parseText(field, text) }),
  isnull: (field, text) => ({ isnull: parseText({ ...field, kind: "boolean" }, text) }),
};
const OPERATORS: Readonly<Record<string, Operator>> = BUILDERS;

/** `id__in=1,2,3`; an empty value is an empty list (docs/query-language.md). */
function listed(field: FieldMeta, text: string): unknown[] {
  return text === "" ? [] : text.split(",").map((part) => parseText(field, part));
}

const LISTED = new Set(OPERATOR_ROWS.filter((row) => row.listed).flatMap((row) => [row.name, row.prisma ?? row.name]));

/** One `field__op=value` parameter as a Prisma condition; a dot walks relations. */
export function filter(model: ModelMeta, name: string, text: string, budget: Budget): Where {
  budget.condition(name);
  const [path, operatorName = "eq"] = splitOperator(name);
  const steps = path.split(".");
  const fieldName = steps.pop() ?? "";
  budget.steps(steps.length, name);
  const operator = OPERATORS[operatorName];
  if (operator === undefined) {
    throw badParameter(name, `unknown operator ${quoted(operatorName)} (known: ${KNOWN})`);
  }
  if (LISTED.has(operatorName)) budget.values(text === "" ? 0 : text.split(",").length, name);
  let current = model;
  const relations: RelationMeta[] = [];
  for (const step of steps) {
    const relation = relationOf(current, step);
    if (relation === undefined) throw badParameter(name, `${current.name} has no relation ${quoted(step)}`);
    relations.push(relation);
    current = modelNamed(relation.target);
  }
  const field = fieldOf(current, fieldName);
  if (field === undefined || !field.filterable) {
    throw badParameter(name, "not a field that can be filtered on");
  }
  const refusal = notApplicable(operatorName, field);
  if (refusal !== null) throw badParameter(name, refusal);
  let condition: Where;
  try {
    condition = fieldCondition(field, operator(field, text) as Where);
  } catch (error) {
    if (error instanceof ValueError) throw badParameter(name, error.message);
    throw error;
  }
  return relations.reduceRight((inner, relation) =>
    throughRelation(relation, liveWhere(modelNamed(relation.target), inner)), condition);
}

function splitOperator(name: string): [string, string?] {
  const at = name.lastIndexOf("__");
  return at < 0 ? [name] : [name.slice(0, at), name.slice(at + 2)];
}

/** A condition on the target's rows as a condition on this row ("some" for to-many). */
function throughRelation(relation: RelationMeta, inner: Where): Where {
  if (relation.through !== null) {
    return { [relation.name]: { some: { [relation.through.targetField]: { is: inner } } } };
  }
  return { [relation.name]: relation.toMany ? { some: inner } : { is: inner } };
}

const COMBINATORS = new Set(["AND", "OR", "NOT"]);
const TO_MANY = new Set(["some", "every", "none"]);
const TO_ONE = new Set(["is", "isNot"]);

export function parseWhere(text: string): unknown {
  try {
    return parseJson(text);
  } catch (error) {
    throw badParameter("where", `not valid JSON: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A where= problem named as the runtime names it: `where at /OR/0/title` (a JSON Pointer). */
function whereError(at: string, message: string): Problem {
  return badParameter(`where at ${at || "/"}`, message);
}

/** Where a where= document is, and what reading it has spent: `depth` levels of AND / OR / NOT
 * and relations, `steps` relations, within the query's limits. */
export interface WhereContext {
  readonly budget: Budget;
  readonly depth: number;
  readonly steps: number;
}

/** Only readable, filterable fields and known relations; many-to-many through join models. */
export function checkWhere(model: ModelMeta, node: unknown, at: string, context: WhereContext): Where {
  if (!isObject(node)) throw whereError(at, "expected an object");
  context.budget.depth(context.depth, at);
  const parts: Where[] = [];
  for (const [name, value] of Object.entries(node)) {
    context.budget.condition("where", `${at}/${name}`);
    parts.push(checkEntry(model, name, value, `${at}/${name}`, context));
  }
  return parts.length === 1 ? parts[0] : { AND: parts };
}

function checkEntry(model: ModelMeta, name: string, value: unknown, at: string, context: WhereContext): Where {
  const deeper = { ...context, depth: context.depth + 1 };
  if (COMBINATORS.has(name)) {
    const items = Array.isArray(value) ? value.map((item, index) => checkWhere(model, item, `${at}/${index}`, deeper))
      : [checkWhere(model, value, at, deeper)];
    // AND / OR take a list or one object; NOT of a list is NOT of their AND (Prisma's would be
    // the AND of each NOT); an empty OR matches nothing, as in SQL (Prisma's matches everything).
    if (name === "OR") return items.length > 0 ? { OR: items } : nothing(model);
    return name === "NOT" ? { NOT: { AND: items } } : { AND: items };
  }
  const field = fieldOf(model, name);
  if (field !== undefined && field.filterable) return fieldCondition(field, prismaCondition(field, value, at, context.budget));
  if (field !== undefined && field.readable && isObject(value)) {
    // the runtime's rule: operators of a readable field that takes none (json, bytes) are
    // refused, each at its pointer
    const operator = Object.keys(value)[0];
    if (operator !== undefined) throw whereError(`${at}/${operator}`, `operator ${quoted(operator)} does not apply to ${quoted(name)} (${field.kind})`);
  }
  const relation = relationOf(model, name);
  if (relation === undefined) throw whereError(at, `${model.name} has no field or relation ${quoted(name)}`);
  const target = modelNamed(relation.target);
  // A to-one relation compared with null: the rows that have no related row (none, when every
  // row must have one: Prisma refuses `is: null` on a required relation).
  if (value === null && !relation.toMany && relation.through === null) return noRelated(model, relation, true);
  const allowed = relation.toMany ? TO_MANY : TO_ONE;
  if (!isObject(value)) throw whereError(at, `expected an object with ${[...allowed].join(" / ")}`);
  context.budget.steps(context.steps + 1, "where", at);
  const nested = { ...deeper, steps: context.steps + 1 };
  // A plain object on a to-one relation is its `is`, as in Prisma.
  const implicit = !relation.toMany && !Object.keys(value).some((key) => TO_ONE.has(key));
  const quantified = implicit ? { is: value } : value;
  const parts: Where[] = [];
  for (const [key, inner] of Object.entries(quantified)) {
    if (!allowed.has(key)) throw whereError(`${at}/${key}`, `${name} takes ${[...allowed].join(" / ")}`);
    if (inner === null && TO_ONE.has(key) && relation.through === null) {
      parts.push(noRelated(model, relation, key === "is")); // `is: null`: has no related row
      continue;
    }
    const condition = liveQuantified(target, key, checkWhere(target, inner, implicit ? at : `${at}/${key}`, nested));
    const quantifier = relation.through !== null ? { [relation.through.targetField]: { is: condition } } : condition;
    parts.push({ [name]: { [key]: quantifier } });
  }
  return parts.length === 1 ? parts[0] : { AND: parts };
}

// The query language's operator names, accepted in where= beside Prisma's own spellings.
const SPELLINGS: Readonly<Record<string, string>> = Object.fromEntries(
  OPERATOR_ROWS.flatMap((row) => (row.prisma !== null && row.prisma !== row.name ? [[row.name, row.prisma]] : [])));

function prismaCondition(field: FieldMeta, value: unknown, at: string, budget: Budget): Where {
  if (!isObject(value)) return { equals: jsonValue(field, value, at) };
  if ("mode" in value) checkMode(field, value["mode"], `${at}/mode`);
  const condition: Where = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === "mode") {
      condition["mode"] = inner;
      continue;
    }
    const name = QUERY_NAMES[key] ?? key;
    const operator = OPERATORS[name];
    if (operator === undefined) throw whereError(`${at}/${key}`, `unknown operator ${quoted(key)} (known: ${KNOWN})`);
    const refusal = notApplicable(name, field);
    if (refusal !== null) throw whereError(`${at}/${key}`, refusal);
    if (LISTED.has(name)) {
      if (!Array.isArray(inner)) throw whereError(`${at}/${key}`, `${name} takes a list of values`);
      budget.values(inner.length, "where", `${at}/${key}`);
    }
    const operand = LISTED.has(name) ? (inner as unknown[]).map((item, index) => jsonValue(field, item, `${at}/${key}/${index}`))
      : name === "isnull" ? checkedBoolean(inner, `${at}/${key}`) : inner === null ? null : jsonValue(field, inner, `${at}/${key}`);
    if (name === "icontains") {
      condition["contains"] = operand;
      condition["mode"] = "insensitive";
    } else {
      condition[SPELLINGS[name] ?? name] = operand;
    }
  }
  return condition;
}

// Prisma's spellings -> the query language's operator names.
const QUERY_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SPELLINGS).map(([name, prisma]) => [prisma, name]));
/** The operators the IR records for the field (its roles, in src/meta.ts); checked before the
 * value is read, so the answer names the operator, as the runtime's does. */
function notApplicable(name: string, field: FieldMeta): string | null {
  return field.operators.includes(name) ? null : `operator ${quoted(name)} does not apply to ${quoted(field.name)} (${field.kind})`;
}

function checkedBoolean(value: unknown, at: string): boolean {
  if (typeof value !== "boolean") throw whereError(at, "isnull takes true or false");
  return value;
}

/** A where= value, of the JSON type the field's values have in a body, parsed as a filter's. */
function jsonValue(field: FieldMeta, value: unknown, at: string): unknown {
  if (value === null) return null;
  const numeric = ["integer", "bigint", "float"].includes(field.kind);
  const fits = numeric ? typeof value === "number" || typeof value === "bigint"
    : field.kind === "boolean" ? typeof value === "boolean"
      : field.kind === "decimal" ? typeof value === "number" || typeof value === "string" || typeof value === "bigint"
        : typeof value === "string";
  if (!fits) throw whereError(at, `Input should be a valid ${field.kind}`);
  if (field.kind !== "float" && typeof value === "number" && !Number.isInteger(value) && numeric) {
    throw whereError(at, "Input should be a valid integer, got a number with a fractional part");
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- `fits` let scalars through only
    return parseText(field, String(value));
  } catch (error) {
    if (error instanceof ValueError) throw whereError(at, error.message);
    throw error;
  }
}

/** Prisma's `"mode": "insensitive"` applies to every text operator beside it; on another type it
 * is refused, as the runtime refuses it (never ignored). */
function checkMode(field: FieldMeta, mode: unknown, at: string): void {
  if (mode !== "insensitive" && mode !== "default") throw whereError(at, "mode is 'default' or 'insensitive'");
  if (!field.operators.includes(CASE_FOLDING)) throw whereError(at, `mode applies to text fields, not to ${quoted(field.name)} (${field.kind})`);
}

// Operators that hold for a NULL (a NULL differs from every value); the others never match one.
const NEGATIVE = new Set(["not", "notIn"]);

/** One field's operators (Prisma spellings, ANDed) as a condition that is never NULL: a
 * comparison with a NULL field is false, except `not` and `notIn`, which a NULL matches (the
 * runtime's rule, docs/query-language.md); so `NOT` and `every` negate "matches", whatever the
 * NULLs. `equals: null` / `not: null` / `isnull` test for NULL; on a field that cannot be NULL
 * they are simply false / true (Prisma would refuse them). */
export function fieldCondition(field: FieldMeta, operators: Where): Where {
  const { mode, ...rest } = operators;
  const parts = Object.entries(rest).map(([key, value]) => leaf(field, key, value, mode));
  return parts.length === 1 ? parts[0] : { AND: parts };
}

function leaf(field: FieldMeta, key: string, value: unknown, mode: unknown): Where {
  if (key === "isnull" && typeof value === "boolean") return nullTest(field, value);
  if (value === null && (key === "equals" || key === "not")) return nullTest(field, key === "equals");
  if (field.kind === "boolean" && LISTED.has(key) && Array.isArray(value)) return booleanList(field, key, value);
  const pattern = LIKE.has(key) || (mode === "insensitive" && INSENSITIVE_LIKE.has(key));
  const operand = pattern && typeof value === "string" ? likeEscaped(value) : value;
  const condition: Where = mode === undefined ? { [key]: operand } : { [key]: operand, mode };
  if (!field.nullable) return { [field.name]: condition };
  if (NEGATIVE.has(key)) return { OR: [{ [field.name]: condition }, { [field.name]: null }] };
  return { AND: [{ [field.name]: condition }, { [field.name]: { not: null } }] };
}

// Prisma writes these as LIKE / ILIKE patterns without escaping the value (prisma/prisma#19506),
// so `%` and `_` would be wildcards; the query language's are plain characters. With `mode:
// "insensitive"`, `equals` and `not` are ILIKE patterns too (`in` is lower() = lower()).
const LIKE = new Set(["contains", "startsWith", "endsWith"]);
const INSENSITIVE_LIKE = new Set(["equals", "not"]);

function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&"); // PostgreSQL's default LIKE escape is the backslash
}

/** Prisma's Boolean filter has no `in` / `notIn`: the OR of `equals`, the AND of `not`. */
function booleanList(field: FieldMeta, key: string, values: unknown[]): Where {
  if (key === "in") return values.length === 0 ? never(field) : { OR: values.map((value) => leaf(field, "equals", value, undefined)) };
  return { AND: values.map((value) => leaf(field, "not", value, undefined)) };
}

/** A condition on ``field`` no row meets (a Boolean filter has no `in: []`). */
function never(field: FieldMeta): Where {
  return field.kind === "boolean" ? { AND: [{ [field.name]: true }, { [field.name]: false }] } : { [field.name]: { in: [] } };
}

function nullTest(field: FieldMeta, isNull: boolean): Where {
  if (!field.nullable) return isNull ? never(field) : {};
  return { [field.name]: isNull ? null : { not: null } };
}

/** A condition no row meets (Prisma reads an empty `OR` as no condition at all). */
function nothing(model: ModelMeta): Where {
  return { [model.key[0] ?? ""]: { in: [] } };
}

/** Every row has a related row: the relation's foreign key is on this side, and not nullable. */
function required(model: ModelMeta, relation: RelationMeta): boolean {
  const own = relation.thisFields.join(",") !== model.key.join(",");
  return own && relation.thisFields.every((name) => fieldOf(model, name)?.nullable === false);
}

/** "Has no related row" (or, with `none` false, "has one") on a to-one relation. */
function noRelated(model: ModelMeta, relation: RelationMeta, none: boolean): Where {
  if (required(model, relation)) return none ? nothing(model) : {};
  return { [relation.name]: none ? { is: null } : { isNot: null } };
}

// Nested writes (docs/rest-api.md "Nested writes"): a create whose body names relation fields
// with Prisma's operations, written in the create's one transaction, as the FastAPI runtime's
// routes/nested.py does, step for step, so the answers and their pointers are the same:
//
// 1. `planNested`: the whole body checked before anything is written (`planNestedMany`: each
//    element of a bulk create's array, pointers `/<index>/...`), each nested row by its
//    model's Create schema (the linking fields its place sets left out), each `where` by the
//    target's key or one unique field; every error in one 422, pointers into the body. Past
//    limits.max_nested_depth, a 422 `nested_depth` at the relation.
// 2. `writeNested`: to-one rows first (their key goes into the row), the row, then its to-many
//    rows and links; a `connect` reads the target's live rows (a soft-deleted row is not found);
//    every row written and link made records its events. Any failure rolls it all back.
// 3. An update (PATCH, PUT) plans its body the same way, its relations taking `set` and
//    `disconnect` too (`set`, then `disconnect`, then the rest as sent); `writeNestedUpdate`
//    writes the to-one rows, the row by the route's own save (If-Match, PUT's create), then
//    its to-many rows. Unlinking never deletes a row: a one-to-many child's key is set to null,
//    a many-to-many link is deleted; each unlink, move and link records its events.
//
// Which relation takes which operation is the contract's (fastbackend_ir.contract
// .nested_operations, nested_update_operations), written into src/nested.ts by the emitter.
import type { z } from "zod";
import type { Prisma } from "../generated/prisma/client.js";
import { check, checkBatchLength } from "./body.js";
import { guarded } from "./database-errors.js";
import { recordEvents } from "./events.js";
import { LIMITS } from "./limits.js";
import { live } from "./live.js";
import type { ModelMeta } from "./meta.js";
import { pointer, validationProblem, type FieldError } from "./problem.js";
import { relationScope } from "./query.js";
import { property } from "./serialize.js";

type Location = readonly PropertyKey[];
type Row = Record<string, unknown>;
type Delegate = {
  create(args: { data: Row }): Promise<Row>;
  update(args: { where: Row; data: Row }): Promise<Row>;
  findFirst(args: { where: Row }): Promise<Row | null>;
  findMany(args: { where: Row; orderBy?: Row[] }): Promise<Row[]>;
  count(args: { where: Row }): Promise<number>;
};

/** One relation a create may nest, as the emitter decided it from the IR. */
export interface NestedEdge {
  readonly operations: readonly string[];
  /** This row holds the foreign key: the related row is written first. */
  readonly holdsKey: boolean;
  readonly toMany: boolean;
  readonly manyToMany: boolean;
  readonly target: string;
  readonly thisFields: readonly string[];
  readonly targetFields: readonly string[];
  /** The target's fields a row created under this relation takes from the owner. */
  readonly childFields: readonly string[];
  /** Many-to-many: the explicit join model's delegate and columns (null: Prisma's implicit). */
  readonly through: { readonly delegate: string; readonly columns: readonly (readonly [string, string])[];
    readonly targetColumns: readonly (readonly [string, string])[] } | null;
  /** Many-to-many, implicit: the relation's field on the target back to the owner. */
  readonly inverse: string | null;
  /** The required key fields (`Comment.post_id`) that keep `set`/`disconnect` off this relation. */
  readonly orphaned: readonly string[];
}

/** What a nested write needs of one model. */
export interface NestedModel {
  readonly model: ModelMeta;
  readonly delegate: string;
  readonly create: z.ZodObject;
  readonly readOnly: readonly string[];
  readonly generated: (() => Row) | null;
  /** Unique selectors of a `where` (the key's fields, then each unique field) and their types. */
  readonly selectors: readonly (readonly string[])[];
  readonly where: z.ZodObject;
  readonly edges: Readonly<Record<string, NestedEdge>>;
  /** The relations its update (PATCH, PUT) may nest. */
  readonly updateEdges: Readonly<Record<string, NestedEdge>>;
  /** Destinations of this model's change events, by operation. */
  readonly events: Readonly<Record<string, readonly string[]>>;
}

export type NestedModels = Readonly<Record<string, NestedModel>>;

interface Connect {
  readonly kind: "connect";
  readonly values: Row;
  readonly location: Location;
  readonly shown: string;
  readonly create: Node | null;
}

/** A `disconnect`: of the to-one row (`values` null: `true`), or of one to-many row. */
interface Unlink {
  readonly kind: "unlink";
  readonly values: Row | null;
  readonly location: Location;
  readonly shown: string;
}

/** A `set`: the to-many relation's members become exactly these rows. */
interface Replace {
  readonly kind: "replace";
  readonly members: Connect[];
  readonly location: Location;
}

type Item = Connect | Node | Unlink | Replace;

interface Node {
  readonly kind: "node";
  readonly name: string;
  values: Row;
  readonly location: Location;
  readonly before: [string, NestedEdge, Item][];
  readonly after: [string, NestedEdge, Item][];
}

const UNLINKS = ["set", "disconnect"];

/** `set`, then `disconnect`, then the rest as sent (Prisma's order on update). */
function order(operation: string): number {
  const index = UNLINKS.indexOf(operation);
  return index < 0 ? UNLINKS.length : index;
}

function isObject(value: unknown): value is Row {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a create's (an update's: `update`) body names a relation this model may nest (else
 * the flat route serves it). */
export function nests(models: NestedModels, name: string, body: unknown, update = false): boolean {
  const model = models[name];
  const edges = (update ? model?.updateEdges : model?.edges) ?? {};
  return isObject(body) && Object.keys(body).some((key) => key in edges);
}

/** The checked plan of a create's body; of an update's with `update`, the schema its own fields
 * are checked by (PATCH: the Update schema; PUT: the Create schema). `given`: the fields a create
 * under a relation's URL takes from its owner, which its body may not name, nor the relation
 * back to the owner (the runtime's `excluded`). */
export function planNested(models: NestedModels, name: string, body: unknown, update: z.ZodObject | null = null,
  given: ReadonlySet<string> = new Set()): Node {
  const errors: FieldError[] = [];
  const node = new Planner(models, LIMITS.maxNestedDepth, errors).node(name, body, [], 0, given, update);
  if (errors.length > 0 || node === null) throw validationProblem(errors);
  return node;
}

/** Whether an element of a bulk create's array names a relation this model may nest (else the
 * flat bulk route serves it). */
export function nestsMany(models: NestedModels, name: string, body: unknown): boolean {
  return Array.isArray(body) && body.some((item) => nests(models, name, item));
}

/** The checked plans of a bulk create's array, each element as a create's body; every error of
 * every element in one 422 (pointers `/<index>/...`). The array holds at most MAX_BATCH elements;
 * the rows they nest do not count (depth bounds them, as in one create). */
export function planNestedMany(models: NestedModels, name: string, body: readonly unknown[]): Node[] {
  checkBatchLength(body);
  const errors: FieldError[] = [];
  const planner = new Planner(models, LIMITS.maxNestedDepth, errors);
  const nodes = body.map((item, index) => planner.node(name, item, [index], 0, new Set()));
  if (errors.length > 0 || nodes.some((node) => node === null)) throw validationProblem(errors);
  return nodes as Node[];
}

class Planner {
  constructor(readonly models: NestedModels, readonly maxDepth: number, readonly errors: FieldError[]) {}

  error(location: Location, code: string, message: string): void {
    this.errors.push({ pointer: pointer(location), code, message });
  }

  node(name: string, document: unknown, location: Location, depth: number, given: ReadonlySet<string>,
    update: z.ZodObject | null = null): Node | null {
    if (!isObject(document)) {
      this.error(location, "dict_type", "Input should be an object");
      return null;
    }
    const model = this.models[name];
    if (model === undefined) throw new Error(`${name} has no nested writes`);
    // A row created under a relation takes its key from the owner: the relation back to it is
    // not nestable here (its field is unknown, as under the relation's URL).
    const edges = Object.entries(update === null ? model.edges : model.updateEdges).filter(([, edge]) => !edge.thisFields.some((f) => given.has(f)));
    const byName = new Map(edges);
    const excluded = new Set(given);
    const node: Node = { kind: "node", name, values: {}, location, before: [], after: [] };
    const scalars: Row = {};
    for (const [key, value] of Object.entries(document)) {
      const edge = byName.get(key);
      if (edge === undefined) {
        scalars[key] = value;
        continue;
      }
      const here = [...location, key];
      if (edge.holdsKey) edge.thisFields.forEach((f) => excluded.add(f));
      if (depth >= this.maxDepth) {
        this.error(here, "nested_depth",
          `nested writes go ${this.maxDepth} relation levels deep at most (limits.max_nested_depth)`);
        continue;
      }
      for (const item of this.operations(key, edge, value, here, depth + 1)) {
        (edge.holdsKey ? node.before : node.after).push([key, edge, item]);
      }
    }
    const own = update ?? model.create;
    const omitted = Object.fromEntries([...excluded].filter((f) => f in own.shape).map((f) => [f, true]));
    const schema = Object.keys(omitted).length > 0 ? own.omit(omitted as never) : own;
    node.values = (check(schema, scalars, model.readOnly, this.errors, location) ?? {});
    return node;
  }

  operations(name: string, edge: NestedEdge, value: unknown, location: Location, depth: number): Item[] {
    const allowed = edge.operations.join(", ");
    if (isObject(value)) { // `set` then `disconnect`, then the rest as sent
      value = Object.fromEntries(Object.entries(value).sort(([a], [b]) => order(a) - order(b)));
    }
    if (!isObject(value) || Object.keys(value).length === 0) {
      this.error(location, "nested_operation", `${name} takes an object naming one of: ${allowed}`);
      return [];
    }
    if (!edge.toMany && Object.keys(value).length > 1) {
      this.error(location, "nested_operation", `${name} is one row: name one of ${allowed}`);
      return [];
    }
    const found: Item[] = [];
    for (const [operation, argument] of Object.entries(value)) {
      const here = [...location, operation];
      if (!edge.operations.includes(operation)) {
        this.error(here, "nested_operation", refused(name, edge, operation));
        continue;
      }
      if (operation === "set") {
        found.push(this.set(edge, argument, here));
        continue;
      }
      const items: [unknown, Location][] = edge.toMany && Array.isArray(argument)
        ? argument.map((item, i) => [item, [...here, i]]) : [[argument, here]];
      for (const [item, place] of items) {
        const made = this.operation(name, edge, operation, item, place, depth);
        if (made !== null) found.push(made);
      }
    }
    return found;
  }

  set(edge: NestedEdge, argument: unknown, location: Location): Replace {
    const items: [unknown, Location][] = Array.isArray(argument)
      ? argument.map((item, i) => [item, [...location, i]]) : [[argument, location]];
    const members: Connect[] = [];
    for (const [item, place] of items) {
      const where = this.where(edge.target, item, place);
      if (where !== null) members.push({ kind: "connect", values: where, location: place, shown: shown(item as Row), create: null });
    }
    return { kind: "replace", members, location };
  }

  operation(name: string, edge: NestedEdge, operation: string, argument: unknown, location: Location,
    depth: number): Item | null {
    const given = new Set(edge.holdsKey ? [] : edge.childFields);
    if (operation === "disconnect" && !edge.toMany) {
      if (typeof argument !== "boolean") {
        this.error(location, "nested_operation", `${name} is one row: disconnect takes true`);
        return null;
      }
      return argument ? { kind: "unlink", values: null, location, shown: "" } : null;
    }
    if (operation === "disconnect") {
      const where = this.where(edge.target, argument, location);
      return where === null ? null : { kind: "unlink", values: where, location, shown: shown(argument as Row) };
    }
    if (operation === "create") return this.node(edge.target, argument, location, depth, given);
    if (operation === "connect") {
      const where = this.where(edge.target, argument, location);
      return where === null ? null : { kind: "connect", values: where, location, shown: shown(argument as Row), create: null };
    }
    if (!isObject(argument) || Object.keys(argument).length !== 2 || !("where" in argument) || !("create" in argument)) {
      this.error(location, "nested_operation", "connectOrCreate takes an object of `where` and `create`");
      return null;
    }
    const where = this.where(edge.target, argument.where, [...location, "where"]);
    const create = this.node(edge.target, argument.create, [...location, "create"], depth, given);
    if (where === null || create === null) return null;
    return { kind: "connect", values: where, location, shown: shown(argument.where as Row), create };
  }

  where(name: string, argument: unknown, location: Location): Row | null {
    const model = this.models[name];
    if (model === undefined) throw new Error(`${name} has no nested writes`);
    const names = isObject(argument) ? Object.keys(argument).sort() : null;
    const matches = names !== null && model.selectors.some((s) => s.length === names.length
      && [...s].sort().every((f, i) => f === names[i]));
    if (!matches) {
      const spelled = model.selectors.map((s) => [...s].sort().join("+")).join(" or ");
      this.error(location, "invalid_where", `name one ${name} by ${spelled}`);
      return null;
    }
    const before = this.errors.length;
    const values = check(model.where, argument, [], this.errors, location);
    return this.errors.length > before || values === undefined ? null : values;
  }
}

/** Why `edge` does not take `operation`: a `set`/`disconnect` that would leave rows without their
 * required key names it (the runtime's words). */
function refused(name: string, edge: NestedEdge, operation: string): string {
  const message = `${name} takes ${edge.operations.join(", ")}, not ${operation}`;
  if (!UNLINKS.includes(operation) || edge.orphaned.length === 0) return message;
  return `${message}: ${edge.orphaned.join(", ")} is required, so a row cannot be taken out of `
    + `${name} (delete it, or connect it to another row)`;
}

/** The where as the client sent it: `id 3`, `name "a"` (the runtime's words). */
function shown(where: Row): string {
  return Object.entries(where).map(([name, value]) => `${name} ${JSON.stringify(value)}`).join(", ");
}

// -- the writes ------------------------------------------------------------------------------

function delegateOf(tx: Prisma.TransactionClient, model: NestedModel): Delegate {
  return (tx as unknown as Record<string, Delegate>)[model.delegate];
}

function uniqueOf(model: ModelMeta, row: Row): Row {
  const pairs = Object.fromEntries(model.key.map((name) => [name, property(row, name)]));
  return model.key.length === 1 ? pairs : { [model.key.join("_")]: pairs };
}

export async function writeNested(tx: Prisma.TransactionClient, models: NestedModels, node: Node,
  fixed: Row = {}): Promise<Row> {
  const model = models[node.name];
  const values: Row = { ...(model.generated?.() ?? {}), ...node.values, ...fixed };
  for (const [, edge, item] of node.before) {
    const related = await one(tx, models, edge, item as Connect | Node); // a create's plan has no set, disconnect
    edge.thisFields.forEach((field, i) => { values[field] = related[edge.targetFields[i]]; });
  }
  const context = { model: model.model, operation: "insert", prefix: node.location, client: tx, values } as const;
  const row = await guarded(context, () => delegateOf(tx, model).create({ data: values }));
  await recordEvents(tx, model.model, "create", model.events["create"] ?? [], [row]);
  for (const [name, edge, item] of node.after) await many(tx, models, model, name, edge, item as Connect | Node, row);
  return row;
}

/** An update's plan: the to-one rows its key takes (or none: `disconnect`), the row saved by the
 * route's own `save` (If-Match, PUT's create), then its to-many rows. */
export async function writeNestedUpdate(tx: Prisma.TransactionClient, models: NestedModels, node: Node,
  save: (values: Row) => Promise<Row>): Promise<Row> {
  const model = models[node.name];
  const values: Row = { ...node.values };
  for (const [, edge, item] of node.before) {
    if (item.kind === "unlink") {
      edge.thisFields.forEach((field) => { values[field] = null; });
      continue;
    }
    const related = await one(tx, models, edge, item as Connect | Node);
    edge.thisFields.forEach((field, i) => { values[field] = related[edge.targetFields[i]]; });
  }
  const row = await save(values);
  for (const [name, edge, item] of node.after) {
    if (item.kind === "replace") await replace(tx, models, model, name, edge, item, row);
    else if (item.kind === "unlink") await unlink(tx, models, model, name, edge, item, row);
    else await many(tx, models, model, name, edge, item, row);
  }
  return row;
}

async function one(tx: Prisma.TransactionClient, models: NestedModels, edge: NestedEdge,
  item: Connect | Node): Promise<Row> {
  if (item.kind === "node") return writeNested(tx, models, item);
  const found = await find(tx, models, edge.target, item);
  return found ?? writeNested(tx, models, item.create as Node);
}

async function find(tx: Prisma.TransactionClient, models: NestedModels, name: string,
  item: Connect): Promise<Row | null> {
  const target = models[name];
  const row = await delegateOf(tx, target).findFirst({ where: { ...item.values, ...live(target.model) } });
  if (row === null && item.create === null) {
    throw validationProblem([{ pointer: pointer(item.location), code: "not_found",
      message: `no ${name} with ${item.shown}` }], "a row to connect does not exist");
  }
  return row;
}

async function many(tx: Prisma.TransactionClient, models: NestedModels, owner: NestedModel, name: string,
  edge: NestedEdge, item: Connect | Node, ownerRow: Row): Promise<void> {
  const target = models[edge.target];
  if (!edge.manyToMany) { // one-to-many: the child's key is the owner's
    const fixed = Object.fromEntries(edge.targetFields.map((field, i) => [field, ownerRow[edge.thisFields[i]]]));
    if (item.kind === "node") {
      await writeNested(tx, models, item, fixed);
      return;
    }
    const found = await find(tx, models, edge.target, item);
    if (found === null) {
      await writeNested(tx, models, item.create as Node, fixed);
      return;
    }
    if (edge.targetFields.every((field) => same(found[field], fixed[field]))) return; // in the relation already
    const moved = await guarded({ model: target.model, operation: "update", prefix: item.location, client: tx, values: fixed },
      () => delegateOf(tx, target).update({ where: uniqueOf(target.model, found), data: fixed }));
    await recordEvents(tx, target.model, "update", target.events["update"] ?? [], [moved], Object.keys(fixed));
    return;
  }
  const row = item.kind === "node" ? await writeNested(tx, models, item)
    : (await find(tx, models, edge.target, item)) ?? await writeNested(tx, models, item.create as Node);
  if (await link(tx, owner, target, name, edge, item.location, ownerRow, row)) {
    await recordEvents(tx, owner.model, "link", owner.events["link"] ?? [], [ownerRow], null,
      { relation: name, target: target.model, targetRow: row });
  }
}

/** Links two rows unless they are linked already (the same row named twice: one link). */
async function link(tx: Prisma.TransactionClient, owner: NestedModel, target: NestedModel, name: string,
  edge: NestedEdge, location: Location, ownerRow: Row, row: Row): Promise<boolean> {
  const context = { model: owner.model, operation: "link", prefix: location } as const;
  if (edge.through !== null) {
    const pairs: [string, unknown][] = [
      ...edge.through.columns.map(([column, field]): [string, unknown] => [column, ownerRow[field]]),
      ...edge.through.targetColumns.map(([column, field]): [string, unknown] => [column, row[field]])];
    const data: Row = Object.fromEntries(pairs);
    const join = (tx as unknown as Record<string, { createMany(args: object): Promise<{ count: number }> }>)[edge.through.delegate];
    const made = await guarded(context, () => join.createMany({ data: [data], skipDuplicates: true }));
    return made.count > 0;
  }
  const ownerFields = Object.fromEntries(edge.thisFields.map((field) => [field, ownerRow[field]]));
  const targetFields = Object.fromEntries(edge.targetFields.map((field) => [field, row[field]]));
  const linked = await delegateOf(tx, target).count({ where: { ...targetFields, [edge.inverse as string]: { some: ownerFields } } });
  if (linked > 0) return false;
  await guarded(context, () => delegateOf(tx, owner).update({ where: uniqueOf(owner.model, ownerRow),
    data: { [name]: { connect: uniqueOf(target.model, row) } } }));
  return true;
}

type KeyValue = string | number | bigint;

function isKeyValue(value: unknown): value is KeyValue {
  return typeof value === "string" || typeof value === "number" || typeof value === "bigint";
}

/** Two key values alike (a BigInt key and its number compare equal). */
function same(a: unknown, b: unknown): boolean {
  return a === b || (isKeyValue(a) && isKeyValue(b) && String(a) === String(b));
}

/** A to-many row taken out of the relation (a `disconnect`): a where naming no row is a 422
 * `not_found`; a row that is not in the relation is left as it is. */
async function unlink(tx: Prisma.TransactionClient, models: NestedModels, owner: NestedModel, name: string,
  edge: NestedEdge, item: Unlink, ownerRow: Row): Promise<void> {
  const found = await find(tx, models, edge.target,
    { kind: "connect", values: item.values ?? {}, location: item.location, shown: item.shown, create: null });
  await takeOut(tx, models, owner, name, edge, found as Row, ownerRow, item.location);
}

/** Its key set to null (one-to-many), its link deleted (many-to-many); never a delete. */
async function takeOut(tx: Prisma.TransactionClient, models: NestedModels, owner: NestedModel, name: string,
  edge: NestedEdge, row: Row, ownerRow: Row, location: Location): Promise<void> {
  const target = models[edge.target];
  if (!edge.manyToMany) {
    if (!edge.targetFields.every((field, i) => same(row[field], ownerRow[edge.thisFields[i]]))) return;
    const cleared: Row = Object.fromEntries(edge.targetFields.map((field) => [field, null]));
    const updated = await guarded({ model: target.model, operation: "update", prefix: location, client: tx, values: cleared },
      () => delegateOf(tx, target).update({ where: uniqueOf(target.model, row), data: cleared }));
    await recordEvents(tx, target.model, "update", target.events["update"] ?? [], [updated], Object.keys(cleared));
    return;
  }
  let removed: boolean;
  if (edge.through !== null) {
    const pairs: [string, unknown][] = [
      ...edge.through.columns.map(([column, field]): [string, unknown] => [column, ownerRow[field]]),
      ...edge.through.targetColumns.map(([column, field]): [string, unknown] => [column, row[field]])];
    const join = (tx as unknown as Record<string, { deleteMany(args: object): Promise<{ count: number }> }>)[edge.through.delegate];
    removed = (await join.deleteMany({ where: Object.fromEntries(pairs) })).count > 0;
  } else {
    const ownerFields = Object.fromEntries(edge.thisFields.map((field) => [field, ownerRow[field]]));
    const targetFields = Object.fromEntries(edge.targetFields.map((field) => [field, row[field]]));
    removed = await delegateOf(tx, target).count({ where: { ...targetFields, [edge.inverse as string]: { some: ownerFields } } }) > 0;
    if (removed) {
      await delegateOf(tx, owner).update({ where: uniqueOf(owner.model, ownerRow),
        data: { [name]: { disconnect: uniqueOf(target.model, row) } } });
    }
  }
  if (removed) {
    await recordEvents(tx, owner.model, "unlink", owner.events["unlink"] ?? [], [ownerRow], null,
      { relation: name, target: target.model, targetRow: row });
  }
}

/** A `set`: every member found first (a 422 `not_found` for none), the rows in the relation the
 * caller sees that are not members taken out, then the members put in. */
async function replace(tx: Prisma.TransactionClient, models: NestedModels, owner: NestedModel, name: string,
  edge: NestedEdge, item: Replace, ownerRow: Row): Promise<void> {
  const target = models[edge.target];
  const members: (Row | null)[] = [];
  for (const member of item.members) members.push(await find(tx, models, edge.target, member));
  const keyOf = (row: Row): string => JSON.stringify(target.model.key.map((field) => String(property(row, field))));
  const kept = new Set(members.filter((row): row is Row => row !== null).map(keyOf));
  const current = await delegateOf(tx, target).findMany({
    where: { ...relationScope(owner.model, name, ownerRow), ...live(target.model) },
    orderBy: target.model.key.map((field) => ({ [field]: "asc" })) });
  for (const row of current) {
    if (!kept.has(keyOf(row))) await takeOut(tx, models, owner, name, edge, row, ownerRow, item.location);
  }
  for (const member of item.members) await many(tx, models, owner, name, edge, member, ownerRow);
}

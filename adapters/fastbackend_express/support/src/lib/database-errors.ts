// The database's real errors (through Prisma's error codes) -> problems naming the fields.
// Nothing is checked beforehand, so concurrent requests get the same answers as sequential ones,
// but for what the database cannot refuse: a foreign key to a soft-deleted row (below).
import { Prisma } from "../generated/prisma/client.js";
import type { Where } from "./filters.js";
import type { ModelMeta } from "./meta.js";
import { Problem, pointer, validationProblem, type FieldError } from "./problem.js";
import { constraintInMessage } from "./sql.js";

export type Operation = "insert" | "update" | "delete" | "link";

export interface WriteContext {
  readonly model: ModelMeta;
  readonly operation: Operation;
  /** Where the item sits in the request body (its index when an array was posted). */
  readonly prefix?: readonly PropertyKey[];
}

/** A write that sets fields: the values it writes, and the client it runs on (its transaction,
 * where it has one), through which its foreign keys into soft-deleting models are checked. */
export interface SettingWrite extends WriteContext {
  readonly operation: "insert" | "update";
  readonly client: object;
  readonly values: object;
}

/** Every write's context: an insert or an update says what it sets (tsc refuses one that does
 * not, so no write path can skip the soft-delete reference check). */
export type GuardedWrite = SettingWrite | (WriteContext & { readonly operation: "delete" | "link" });

/** Runs one write and turns a database refusal into the problem the REST contract names. The
 * one place every write of the routers and of lib/ goes through, so the soft-delete reference
 * check (the runtime's scope.ReferenceCheck, run by its store on every insert and update) is
 * made here, before the write, in the write's transaction. */
export async function guarded<T>(context: GuardedWrite, write: () => Promise<T>): Promise<T> {
  if ("values" in context) await refuseDeletedReferences(context.client, context, context.values);
  try {
    return await write();
  } catch (error) {
    throw toProblem(error, context);
  }
}

type Finder = { findFirst(args: { where: Where; select: Record<string, true> }): Promise<unknown> };

/** Refuses a write whose `values` set a foreign key into a soft-deleting model (the model's
 * `liveReferences`) to a row that is not live, as the database refuses one naming a missing row
 * (422 `foreign_key` at the fields, under `context.prefix`): the database cannot, the row being
 * there. A key not set, or set to null, is not checked. */
async function refuseDeletedReferences(client: object, context: WriteContext, values: object): Promise<void> {
  for (const reference of context.model.liveReferences ?? []) {
    const key = reference.fields.map((name) => (values as Record<string, unknown>)[name]);
    if (key.some((value) => value === undefined || value === null)) continue;
    const where: Where = { [reference.stamp]: null };
    reference.targetFields.forEach((name, i) => { where[name] = key[i]; });
    const target = (client as Record<string, Finder>)[reference.delegate];
    const found = await target.findFirst({ where, select: { [reference.targetFields[0]]: true } });
    if (found === null) throw missingReferenceProblem(context, reference.fields);
  }
}

type Mapper = (error: Prisma.PrismaClientKnownRequestError, context: WriteContext) => Problem;

const MAPPERS: Readonly<Record<string, Mapper>> = {
  P2002: unique,
  P2003: foreignKey,
  P2011: notNull,
  P2000: (error, context) => validationProblem(fieldErrors(error, context, "too_long", "{field} is too long"),
    "a value is too long for its column"),
  P2007: () => validationProblem([], "the database refused a value"),
  P2020: () => validationProblem([], "a value is out of range for its column"),
  P2025: () => new Problem(404, "not-found", "the row does not exist (any more)"),
  P2034: () => new Problem(503, "database-busy", "the database is busy; retry the request", [],
    { "Retry-After": "1" }),
  // A transaction that could not start within maxWait, or ran past its timeout (db.ts).
  P2028: (error) => error.message.includes("Unable to start a transaction")
    ? new Problem(503, "database-busy", "the database is busy; retry the request", [], { "Retry-After": "1" })
    : new Problem(503, "database-timeout", "the database took too long; the change was not made", [],
      { "Retry-After": "5" }),
};

export function toProblem(error: unknown, context: WriteContext): unknown {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || isUnavailable(error)) return error;
  const mapper = MAPPERS[error.code];
  if (mapper !== undefined) return mapper(error, context);
  if (refusedForGood(error)) return error; // the error handler's 500 database-error, logged
  return new Problem(409, "conflict", `the database refused the change (${error.code})`);
}

/** PostgreSQL's SQLSTATE outside class 23 (integrity) and 22 (data): SQL it cannot run (a
 * function or type it lacks, a trigger's error), which the runtime answers as a 500
 * database-error, not as a conflict with the row. */
function refusedForGood(error: Prisma.PrismaClientKnownRequestError): boolean {
  const cause = adapterCause(error.meta);
  const state = cause?.kind === "postgres" ? cause["code"] : undefined;
  return typeof state === "string" && !state.startsWith("23") && !state.startsWith("22");
}

function unique(error: Prisma.PrismaClientKnownRequestError, context: WriteContext): Problem {
  const fields = violatedFields(error, context.model);
  const names = fields.length > 0 ? fields.join(", ") : "a unique field";
  return new Problem(409, "unique-violation", `another ${context.model.name} already has this ${names}`,
    fieldErrors(error, context, "unique", "{field} is already taken"));
}

const MISSING_REFERENCE = "{field} refers to a row that does not exist";

function foreignKey(error: Prisma.PrismaClientKnownRequestError, context: WriteContext): Problem {
  if (context.operation === "delete") {
    return new Problem(409, "dependent-rows", `this ${context.model.name} is still referenced by other rows`);
  }
  return missingReference(fieldErrors(error, context, "foreign_key", MISSING_REFERENCE));
}

function missingReference(errors: FieldError[]): Problem {
  return validationProblem(errors, "a referenced row does not exist");
}

/** The problem of a write whose foreign key `fields` name a row the database holds but the
 * caller may not reference (a soft-deleted one: live.ts): the database's own refusal of a
 * missing row, as the runtime's database.errors.MissingReference. */
export function missingReferenceProblem(context: WriteContext, fields: readonly string[]): Problem {
  return missingReference(fields.map((field) => ({
    pointer: pointer([...(context.prefix ?? []), field]), code: "foreign_key",
    message: MISSING_REFERENCE.replace("{field}", field),
  })));
}

function notNull(error: Prisma.PrismaClientKnownRequestError, context: WriteContext): Problem {
  return validationProblem(fieldErrors(error, context, "missing", "{field} is required"),
    "a required value is missing");
}

function fieldErrors(error: Prisma.PrismaClientKnownRequestError, context: WriteContext, code: string,
  message: string): FieldError[] {
  return violatedFields(error, context.model).map((field) => ({
    pointer: pointer([...(context.prefix ?? []), field]),
    code,
    message: message.replace("{field}", field),
  }));
}

// The driver adapter's kinds (and Prisma's codes) for a database that cannot be reached.
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "DatabaseDoesNotExist", "DatabaseAccessDenied",
  "AuthenticationFailed", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TlsConnectionError"]);
const UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1003", "P1008", "P1017"]);

export function isUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  const kind = adapterCause(error.meta)?.kind;
  return UNAVAILABLE_CODES.has(error.code) || (typeof kind === "string" && UNAVAILABLE_KINDS.has(kind));
}

interface AdapterConstraint {
  readonly fields?: readonly string[];
  readonly index?: string;
}

/** The driver adapter names either the columns or the constraint (or the database's message
 * does, lib/sql.ts: all of a composite foreign key's columns); each maps back to fields. */
function violatedFields(error: Prisma.PrismaClientKnownRequestError, model: ModelMeta): readonly string[] {
  const constraint = adapterConstraint(error.meta);
  if (constraint?.index !== undefined) return model.constraints[constraint.index] ?? [];
  const named = constraintInMessage(adapterCause(error.meta)?.originalMessage);
  const fields = named !== undefined ? model.constraints[named] : undefined;
  if (fields !== undefined) return fields;
  const columns = constraint?.fields ?? [];
  return columns.flatMap((column) => model.fields.filter((f) => f.column === column).map((f) => f.name));
}

/** What the driver adapter said: `{kind, constraint?, ...}` under `meta.driverAdapterError.cause`. */
function adapterCause(meta: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const adapterError = meta?.driverAdapterError;
  if (typeof adapterError !== "object" || adapterError === null || !("cause" in adapterError)) return undefined;
  const cause = adapterError.cause;
  return typeof cause === "object" && cause !== null ? (cause as Record<string, unknown>) : undefined;
}

function adapterConstraint(meta: Record<string, unknown> | undefined): AdapterConstraint | undefined {
  const constraint = adapterCause(meta)?.constraint;
  return typeof constraint === "object" && constraint !== null ? constraint : undefined;
}

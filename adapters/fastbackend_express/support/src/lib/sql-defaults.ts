// SQL defaults at start-up: the database must be able to run those the server relies on.
// Which ones the application makes itself (a uuid function's uuid) and which are the database's
// is decided once, for both servers, in fastbackend_ir/sqldefaults.py; src/defaults.ts lists them.
import type { PrismaClient } from "../generated/prisma/client.js";
import { isUnavailable } from "./database-errors.js";
import { log } from "./logs.js";
import { DATABASE_NAME } from "./sql.js";

export interface DatabaseDefault {
  readonly table: string;
  readonly column: string;
  readonly expression: string;
}

/** The schema holds SQL this database cannot run: the server refuses to start (exit 2). */
export class UnsupportedSql extends Error {}

/** Evaluates each default once, as the FastAPI runtime does at start-up: EXPLAIN prepares the
 * expression without running it (a nextval() default must not advance its sequence). A schema
 * written for another database (SQLite's randomblob(), MySQL's functions) is refused here,
 * naming its columns, rather than failing every insert. A database that does not answer is not
 * a refusal: the server starts, and answers 503 until it does. */
export async function checkDatabaseDefaults(prisma: PrismaClient, defaults: readonly DatabaseDefault[]):
  Promise<void> {
  const failures: string[] = [];
  for (const { table, column, expression } of defaults) {
    try {
      await prisma.$queryRawUnsafe(`EXPLAIN SELECT ${expression}`);
    } catch (error) {
      if (isUnavailable(error)) {
        log("warning", `the SQL defaults were not checked: the database is unavailable (${databaseReason(error)})`);
        return;
      }
      failures.push(`${table}.${column} DEFAULT ${expression}: ${databaseReason(error)}`);
    }
  }
  if (failures.length > 0) {
    throw new UnsupportedSql(`the schema's SQL defaults do not run on ${DATABASE_NAME}: ${failures.join("; ")}. `
      + "Serve it on the database it was written for (DATABASE_URL), or give these fields a default the "
      + "application makes (a uuid(), cuid() or now() default, or a literal).");
  }
}

/** What the database said (the driver adapter's message), else the error's first line. */
function databaseReason(error: unknown): string {
  const meta = (error as { meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } }).meta;
  const cause = meta?.driverAdapterError?.cause;
  const said = cause?.["message"] ?? cause?.["originalMessage"] ?? cause?.["kind"];
  if (typeof said === "string") return said;
  return String(error instanceof Error ? error.message : error).trim().split("\n").pop() ?? "";
}

// The SQL the server writes itself (lib/pages.ts, lib/rows.ts, lib/search.ts, lib/sql-defaults.ts),
// in the dialect of the database this project's Prisma Client was generated for. The emitter
// decides it once, from the IR (fastbackend_express/dialect.py), and src/meta.ts names it:
// nothing else in the library reads DATABASE. Prisma's own statements are its query compiler's.
import { DATABASE } from "../meta.js";

export type Database = "postgresql" | "mysql";

interface Dialect {
  /** An identifier's quote character. */
  readonly quote: string;
  /** The n-th parameter (1-based): PostgreSQL's `$n`, MySQL's positional `?`. */
  placeholder(index: number): string;
  /** Whether a parameter is named by its number (and can be used twice), or by its position. */
  readonly numberedParameters: boolean;
  /** A column selected as Prisma returns it: an enum as its text (MySQL's ENUM reads as text). */
  readonly enumAsText: string;
  /** Whether `search=` has a full-text index to read (the FastAPI runtime's dialect table). */
  readonly fullText: boolean;
  /** Whether the planner's row estimate can be read (`Prefer: count=planned`); without it a
   * planned or estimated count is exact, as on the runtime's MySQL dialect. */
  readonly plannedCounts: boolean;
  /** Whether NULLs sort first ascending (MySQL), where the contract sorts them last ascending
   * and first descending (PostgreSQL's order, which the runtime emulates on MySQL too). */
  readonly nullsFirst: boolean;
  /** A statement answering `present`: whether the table `$1`/`?` names exists. */
  readonly tableExists: string;
  /** The constraint a refused write's message names, where the driver adapter passes on less
   * (MySQL's foreign key error: the adapter keeps the first column of a composite key, the
   * message names the constraint), or null. */
  readonly constraintInMessage: RegExp | null;
}

const DIALECTS: Readonly<Record<Database, Dialect>> = {
  postgresql: {
    quote: '"', placeholder: (index) => `$${index}`, numberedParameters: true, enumAsText: "::text",
    fullText: true, plannedCounts: true, nullsFirst: false, tableExists: "SELECT to_regclass($1) IS NOT NULL AS present",
    constraintInMessage: null,
  },
  mysql: {
    quote: "`", placeholder: () => "?", numberedParameters: false, enumAsText: "",
    fullText: true, plannedCounts: false, nullsFirst: true,
    tableExists: "SELECT count(*) > 0 AS present FROM information_schema.tables "
      + "WHERE table_schema = DATABASE() AND table_name = ?",
    constraintInMessage: /\bCONSTRAINT `((?:[^`]|``)+)`/,
  },
};

export const DIALECT: Dialect = DIALECTS[DATABASE];
export const DATABASE_NAME: Database = DATABASE;

export function quoted(name: string): string {
  const quote = DIALECT.quote;
  return `${quote}${name.replaceAll(quote, quote + quote)}${quote}`;
}

export function placeholder(index: number): string {
  return DIALECT.placeholder(index);
}

/** A column read under its API name, as Prisma would read it. */
export function selected(column: string, name: string, kind: string): string {
  return `${quoted(column)}${kind === "enum" ? DIALECT.enumAsText : ""} AS ${quoted(name)}`;
}

/** An ORDER BY term with the contract's NULL order (last ascending, first descending); a column
 * that cannot be NULL is sorted as it is (an `IS NULL` term would cost MySQL its index order:
 * a sort of every matching row). */
export function orderTerm(column: string, descending: boolean, nullable: boolean): string {
  const direction = descending ? "DESC" : "ASC";
  if (!DIALECT.nullsFirst || !nullable) return `${column} ${direction}`;
  return `${column} IS NULL ${direction}, ${column} ${direction}`;
}

/** Prisma's `orderBy` value of a field: where the database's own NULL order is not the
 * contract's, a field that can be NULL says where its NULLs go. */
export function prismaOrder(direction: "asc" | "desc", nullable: boolean): unknown {
  if (!DIALECT.nullsFirst || !nullable) return direction;
  return { sort: direction, nulls: direction === "asc" ? "last" : "first" };
}

/** The name of the constraint the database's message `message` names, where the dialect reads
 * one from it (constraintInMessage). */
export function constraintInMessage(message: unknown): string | undefined {
  const found = typeof message === "string" ? DIALECT.constraintInMessage?.exec(message) : null;
  return found?.[1]?.replaceAll(DIALECT.quote + DIALECT.quote, DIALECT.quote);
}

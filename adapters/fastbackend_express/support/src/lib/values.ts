// Query-string texts -> typed values for Prisma, by the field's logical type.
import type { FieldMeta, ScalarKind } from "./meta.js";

export type QueryValue = string | number | bigint | boolean | Date;

/** A text that does not fit the field's type; the caller names the parameter. */
export class ValueError extends Error {}

const INT32 = [-(2 ** 31), 2 ** 31 - 1] as const;
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const TRUE = new Set(["true", "1", "yes", "on", "t", "y"]);
const FALSE = new Set(["false", "0", "no", "off", "f", "n"]);

type Parser = (field: FieldMeta, text: string) => QueryValue;

const PARSERS: Readonly<Record<ScalarKind, Parser>> = {
  string: (_field, text) => {
    if (text.includes("\u0000")) throw new ValueError("text may not contain the NUL character");
    return text;
  },
  // Messages in pydantic's words where the runtime's come from pydantic (the same parameter, the
  // same explanation).
  integer: (_field, text) => {
    const value = INTEGER.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(value)) throw new ValueError("Input should be a valid integer, unable to parse string as an integer");
    if (value < INT32[0]) throw new ValueError(`Input should be greater than or equal to ${INT32[0]}`);
    if (value > INT32[1]) throw new ValueError(`Input should be less than or equal to ${INT32[1]}`);
    return value;
  },
  bigint: (_field, text) => {
    const value = INTEGER.test(text) ? BigInt(text) : null;
    if (value === null || value < INT64[0] || value > INT64[1]) throw new ValueError("must be a 64-bit integer");
    return value;
  },
  float: (_field, text) => {
    const value = text.trim() === "" ? NaN : Number(text);
    if (!Number.isFinite(value)) throw new ValueError("must be a finite number");
    return value;
  },
  decimal: (field, text) => {
    if (!DECIMAL.test(text)) throw new ValueError("must be a decimal number");
    if (field.scale !== null && decimalPlaces(text) > field.scale) {
      throw new ValueError(`must have at most ${field.scale} decimal places`);
    }
    return text;
  },
  boolean: (_field, text) => {
    const lowered = text.toLowerCase();
    if (TRUE.has(lowered)) return true;
    if (FALSE.has(lowered)) return false;
    throw new ValueError("must be a boolean (true or false)");
  },
  datetime: (field, text) => parseDatetime(field, text),
  date: (_field, text) => {
    const value = checkedDate(DATE.test(text) ? new Date(`${text}T00:00:00Z`) : null, "a date (YYYY-MM-DD)");
    // Date rolls 2024-02-30 over to March 1st: a day the month does not have is refused.
    if (!value.toISOString().startsWith(text)) throw new ValueError("must be a date (YYYY-MM-DD) that exists");
    return value;
  },
  time: (_field, text) => checkedDate(TIME.test(text) ? new Date(`1970-01-01T${text}Z`) : null, "a time (HH:MM:SS)"),
  uuid: (_field, text) => {
    if (!UUID.test(text)) throw new ValueError("must be a UUID");
    const hex = text.replace(/-/g, "").toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
  enum: (field, text) => {
    if (!field.enumValues.includes(text)) throw new ValueError(`Input should be ${alternatives(field.enumValues)}`);
    return text;
  },
  json: () => {
    throw new ValueError("JSON fields cannot be compared in a query string; use where=");
  },
  bytes: () => {
    throw new ValueError("bytes fields cannot be compared in a query string");
  },
};

/** pydantic's list of literals: `'a', 'b' or 'c'`. */
function alternatives(values: readonly string[]): string {
  const quoted = values.map((value) => `'${value}'`);
  return quoted.length < 2 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

/** Significant places after the point (trailing zeros and the exponent accounted for). */
function decimalPlaces(text: string): number {
  const [mantissa = "", exponent = "0"] = text.toLowerCase().split("e");
  const fraction = (mantissa.split(".")[1] ?? "").replace(/0+$/, "");
  return Math.max(0, fraction.length - Number(exponent));
}

function parseDatetime(field: FieldMeta, text: string): Date {
  if (!DATETIME.test(text)) throw new ValueError("must be an RFC 3339 date-time");
  const hasOffset = OFFSET.test(text);
  if (field.timezone && !hasOffset) throw new ValueError("Input should have timezone info");
  // A column without a time zone holds UTC wall-clock time: read a text without offset as UTC.
  const value = checkedDate(new Date(hasOffset ? text : `${text}Z`), "an RFC 3339 date-time");
  if (!inUtcYears(value)) throw new ValueError(UTC_YEARS_MESSAGE);
  return value;
}

export const UTC_YEARS_MESSAGE = "must be a datetime that is between years 1 and 9999 in UTC";

/** Both servers store UTC and the FastAPI runtime's datetimes hold years 1-9999 only. */
export function inUtcYears(value: Date): boolean {
  const year = value.getUTCFullYear();
  return year >= 1 && year <= 9999;
}

function checkedDate(value: Date | null, what: string): Date {
  if (value === null || Number.isNaN(value.getTime())) throw new ValueError(`must be ${what}`);
  return value;
}

export function parseText(field: FieldMeta, text: string): QueryValue {
  return PARSERS[field.kind](field, text);
}

// zod builders for each logical type: request JSON in, values Prisma Client accepts out.
// The rules match the FastAPI runtime's: exact types (no "1" for 1), text without NUL,
// decimals and 64-bit integers exact, bytes as base64, date-times per their time zone.
import { z } from "zod";
import { Prisma } from "../generated/prisma/client.js";
import { withoutBigInts } from "./json.js";
import { inUtcYears, UTC_YEARS_MESSAGE } from "./values.js";

const INT32 = [-(2 ** 31), 2 ** 31 - 1] as const;
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

export function text(maxLength?: number) {
  // a text too long is that one error, as pydantic stops at a field's first failed constraint
  const base = maxLength === undefined ? z.string() : z.string().max(maxLength, { abort: true });
  return base.refine((value) => !value.includes("\u0000"), "text may not contain the NUL character");
}

/** The messages of a value of the wrong JSON type (body.ts maps each to pydantic's code). */
export const INT_TYPE = "Input should be a valid integer";
export const FLOAT_TYPE = "Input should be a valid number";
export const DECIMAL_TYPE = "Decimal input should be an integer, float, string or Decimal object";
export const UUID_TYPE = "UUID input should be a string, bytes or UUID object";
export const BYTES_TYPE = "Input should be a valid bytes";
export const DATETIME_TYPE = "Input should be a valid datetime";
export const DATE_TYPE = "Input should be a valid date";
export const TIME_TYPE = "Input should be a valid time";

/** zod's `error` option: ``message`` for a present value of the wrong type. */
function wrongType(message: string) {
  return { error: (issue: z.core.$ZodRawIssue) =>
    (issue.code === "invalid_type" || issue.code === "invalid_union") && issue.input !== undefined ? message : undefined };
}

/** A refusal with pydantic's code for it (body.ts reads `params.code`). */
function refuse(context: z.core.$RefinementCtx, code: string, message: string): typeof z.NEVER {
  context.addIssue({ code: "custom", message, params: { code } });
  return z.NEVER;
}

export function int32() {
  return z.number(wrongType(INT_TYPE)).int().min(INT32[0]).max(INT32[1]);
}

/** Exact: lib/json.ts reads integer literals beyond 2^53 as BigInt. Text is refused, as for any
 * integer (docs/rest-api.md: `"3"` is not a number). */
export function int64() {
  return z.union([z.number(), z.bigint()], wrongType(INT_TYPE)).transform((value, context) => {
    if (typeof value === "number" && !Number.isInteger(value)) {
      return refuse(context, "int_from_float", "Input should be a valid integer, got a number with a fractional part");
    }
    const parsed = BigInt(value); // a number here is integral: written in full, or read as BigInt
    if (parsed > INT64[1]) return refuse(context, "less_than_equal", `Input should be less than or equal to ${INT64[1]}`);
    if (parsed < INT64[0]) return refuse(context, "greater_than_equal", `Input should be greater than or equal to ${INT64[0]}`);
    return parsed;
  });
}

export function float() {
  return z.union([z.number(), z.bigint().transform(Number)], wrongType(FLOAT_TYPE));
}

/** Decimals travel as text (or a JSON number) and reach Prisma as plain text, so nothing is
 * rounded; refused with pydantic's codes, in its order. */
export function decimal(precision?: number, scale?: number) {
  return z.union([z.string(), z.number(), z.bigint()], wrongType(DECIMAL_TYPE)).transform((value, context) => {
    const text = String(value).trim();
    if (/^[+-]?(s?nan|inf(inity)?)$/i.test(text)) return refuse(context, "finite_number", "Input should be a finite number");
    const plain = plainDecimal(text);
    if (plain === null) return refuse(context, "decimal_parsing", "Input should be a valid decimal");
    const problem = decimalProblem(plain, precision, scale);
    return problem === null ? plain : refuse(context, problem[0], problem[1]);
  });
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d{1,6}))?$/i;

/** ``1.5E+2`` as ``150``: the exponent moved into the digits; null for what is not a decimal. */
function plainDecimal(text: string): string | null {
  const match = DECIMAL.exec(text);
  if (match === null) return null;
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
  if (whole === "" && fraction === "") return null;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  const padded = point < 0 ? "0".repeat(-point) + digits : digits.padEnd(point, "0");
  const at = Math.max(point, 0);
  const after = padded.slice(at);
  return `${sign}${padded.slice(0, at) || "0"}${after === "" ? "" : `.${after}`}`;
}

function decimalProblem(plain: string, precision?: number, scale?: number): [string, string] | null {
  const [whole = "", fraction = ""] = plain.replace(/^[+-]/, "").split(".");
  const wholeDigits = whole.replace(/^0+/, "").length;
  const places = fraction.replace(/0+$/, "").length;
  if (precision !== undefined && wholeDigits + places > precision) {
    return ["decimal_max_digits", `Decimal input should have no more than ${precision} digits in total`];
  }
  if (scale !== undefined && places > scale) {
    return ["decimal_max_places", `Decimal input should have no more than ${scale} decimal places`];
  }
  if (precision !== undefined && wholeDigits > precision - (scale ?? 0)) {
    return ["decimal_whole_digits", `Decimal input should have no more than ${precision - (scale ?? 0)} digits before the decimal point`];
  }
  return null;
}

export function boolean() {
  return z.boolean();
}

/** A column without a time zone stores UTC wall-clock time; an offset, if given, converts to it.
 * An offset that carries the time past year 9999 or before year 1 in UTC is refused, as the
 * FastAPI runtime refuses it (Python's datetime holds years 1-9999). */
export function datetime(timezone: boolean) {
  const format = z.iso.datetime({ offset: true, local: !timezone, ...wrongType(DATETIME_TYPE) });
  return format
    .transform((value) => new Date(OFFSET.test(value) ? value : `${value}Z`))
    .refine(inUtcYears, UTC_YEARS_MESSAGE);
}

export function date() {
  return z.iso.date(wrongType(DATE_TYPE)).transform((value) => new Date(`${value}T00:00:00Z`));
}

export function time() {
  return z.iso.time(wrongType(TIME_TYPE)).transform((value) => new Date(`1970-01-01T${value}Z`));
}

export function uuid() {
  return z.guid(wrongType(UUID_TYPE)).transform((value) => value.toLowerCase());
}

/** A JSON column: a top-level null is stored as JSON null (the column cannot be NULL). */
export function json() {
  return z.preprocess(withoutBigInts, z.json())
    .transform((value) => (value === null ? Prisma.JsonNull : (value as Prisma.InputJsonValue)));
}

/** A nullable JSON column: a top-level null is SQL NULL, as in the FastAPI runtime. */
export function nullableJson() {
  return z.preprocess(withoutBigInts, z.json())
    .transform((value) => (value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue)));
}

export function bytes() {
  return z.base64(wrongType(BYTES_TYPE)).transform((value) => Uint8Array.from(Buffer.from(value, "base64")));
}

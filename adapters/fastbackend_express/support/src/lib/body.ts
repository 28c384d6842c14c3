// Request bodies: JSON only, validated by the generated zod schemas, errors as RFC 9457 pointers.
import type { Request, RequestHandler } from "express";
import { z } from "zod";
import { MAX_BATCH } from "./contract.js";
import { parseJson } from "./json.js";
import { LIMITS, payloadTooLarge, requestTimeout } from "./limits.js";
import { log } from "./logs.js";
import { Problem, pointer, validationProblem, type FieldError } from "./problem.js";
import {
  BYTES_TYPE, DATE_TYPE, DATETIME_TYPE, DECIMAL_TYPE, FLOAT_TYPE, INT_TYPE, TIME_TYPE, UUID_TYPE,
} from "./types.js";

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A body without a Content-Type is not known to be JSON: 415, as the FastAPI runtime answers. */
export function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || type.endsWith("+json");
}

/** A JSON request's body as text in `req.body`, counted as it streams in (chunked bodies have
 * no Content-Length): past the body limit a 413 at once, and nothing more is read (the answer
 * closes the connection). A body not in full within the body timeout is a 408, the same way.
 * A body that is not UTF-8 is malformed JSON. */
export const readJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
  if (!hasBody || !isJsonType(req.headers["content-type"])) return next();
  const chunks: Buffer[] = [];
  let received = 0;
  let done = false;
  const timer = setTimeout(() => {
    req.pause();
    finish(requestTimeout());
  }, LIMITS.bodyTimeoutSeconds * 1000);
  const finish = (error?: unknown): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.off("data", onData);
    next(error);
  };
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received <= LIMITS.maxBodyBytes) {
      chunks.push(chunk);
      return;
    }
    req.pause();
    finish(payloadTooLarge());
  };
  req.on("data", onData);
  req.once("end", () => {
    try {
      req.body = UTF8.decode(Buffer.concat(chunks));
    } catch {
      return finish(new Problem(400, "malformed-json", "the request body is not valid JSON: it is not UTF-8"));
    }
    finish();
  });
  // The client went away before its body arrived (Node reports it as an "aborted" error, or only
  // closes the request): nothing failed here and nobody reads the answer. One line, as the
  // runtime logs it (INFO, no stack trace), and the timer is not left to run out.
  const gone = (): void => {
    if (done) return;
    log("info", `client disconnected before sending the whole body of ${req.method} ${req.path}`);
    finish(new Problem(400, "client-disconnected", "the client disconnected"));
  };
  req.on("error", gone);
  req.once("close", gone);
};

/** The parsed JSON body; 415 for another media type, 400 for an empty one. */
export function jsonBody(req: Request): unknown {
  const contentType = req.headers["content-type"];
  if (contentType === undefined) {
    throw new Problem(415, "unsupported-media-type", "send the body as application/json: the request has no Content-Type");
  }
  if (!isJsonType(contentType)) {
    throw new Problem(415, "unsupported-media-type", `send the body as application/json, not ${contentType}`);
  }
  const text: unknown = req.body;
  try {
    return parseJson(typeof text === "string" ? text : "");
  } catch (error) {
    throw new Problem(400, "malformed-json", `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

// Rows in one create-many array (one transaction): the contract's MAX_BATCH; a longer array is
// one error, before any item is validated (300,000 empty objects fit in 1 MiB).
/** A bulk create's body: an array of at most MAX_BATCH items, each validated by `schema`. */
export function validateBatch<S extends z.ZodType>(schema: S, body: unknown, readOnly: readonly string[]):
  z.output<S>[] {
  if (Array.isArray(body)) checkBatchLength(body);
  return validate(z.array(schema), body, readOnly);
}

/** A bulk create's array holds at most MAX_BATCH rows: a longer one is a 422 `too_long` at "". */
export function checkBatchLength(body: readonly unknown[]): void {
  if (body.length > MAX_BATCH) {
    throw validationProblem([{ pointer: "", code: "too_long",
      message: `List should have at most ${MAX_BATCH} items after validation, not ${body.length}` }]);
  }
}

export function validate<S extends z.ZodType>(schema: S, body: unknown, readOnly: readonly string[],
  prefix: readonly PropertyKey[] = []): z.output<S> {
  const errors: FieldError[] = [];
  const data = check(schema, body, readOnly, errors, prefix);
  if (errors.length > 0) throw validationProblem(errors);
  return data as z.output<S>;
}

/** `validate` that adds its errors to `errors` instead of throwing (undefined on failure). */
export function check<S extends z.ZodType>(schema: S, body: unknown, readOnly: readonly string[],
  errors: FieldError[], prefix: readonly PropertyKey[] = []): z.output<S> | undefined {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  errors.push(...result.error.issues.flatMap((issue) => fieldErrors(issue, readOnly, prefix)));
  return undefined;
}

function fieldErrors(issue: z.core.$ZodIssue, readOnly: readonly string[], prefix: readonly PropertyKey[]): FieldError[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => readOnly.includes(key)
      ? { pointer: pointer([...path, key]), code: "read_only", message: `${key} is read-only` }
      : { pointer: pointer([...path, key]), code: "unknown_field", message: `${key} is not a known field` });
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return [{ pointer: pointer(path), code: "missing", message: "Field required" }];
  }
  return [{ pointer: pointer(path), code: errorCode(issue), message: issue.message }];
}

// The FastAPI runtime's codes (pydantic's) for the issues both report, so clients see one set.
const TYPE_CODES: Readonly<Record<string, string>> = {
  string: "string_type", number: "float_type", int: "int_type", boolean: "bool_type",
  array: "list_type", object: "dict_type",
};

// A value of the wrong JSON type, by the message lib/types.ts gives it.
const TYPE_MESSAGES: Readonly<Record<string, string>> = {
  [INT_TYPE]: "int_type", [FLOAT_TYPE]: "float_type", [DECIMAL_TYPE]: "decimal_type",
  [UUID_TYPE]: "uuid_type", [BYTES_TYPE]: "bytes_type", [DATETIME_TYPE]: "datetime_type",
  [DATE_TYPE]: "date_type", [TIME_TYPE]: "time_type",
};
// Formats whose failure pydantic names after the type (date-times keep zod's code: ALLOWED
// "format codes" in the parity suite).
const FORMAT_CODES: Readonly<Record<string, string>> = { guid: "uuid_parsing", base64: "bytes_invalid_encoding" };

// A date-time without an offset where the column needs one: pydantic's `timezone_aware`.
const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

function errorCode(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.expected === "int" && typeof issue.input === "number") return "int_from_float";
      return TYPE_MESSAGES[issue.message] ?? TYPE_CODES[issue.expected] ?? issue.code;
    case "invalid_union":
      return TYPE_MESSAGES[issue.message] ?? issue.code;
    case "custom": // lib/types.ts names pydantic's code; else a refinement's, as a validator's ValueError
      return typeof issue.params?.["code"] === "string" ? issue.params["code"] : "value_error";
    case "invalid_format":
      if (FORMAT_CODES[issue.format] !== undefined) return FORMAT_CODES[issue.format];
      return issue.format === "datetime" && typeof issue.input === "string" && LOCAL_DATETIME.test(issue.input)
        ? "timezone_aware" : issue.code;
    case "too_big":
      return issue.origin === "string" ? "string_too_long" : "less_than_equal";
    case "too_small":
      return issue.origin === "string" ? "string_too_short" : "greater_than_equal";
    case "invalid_value":
      return "literal_error";
    default:
      return issue.code;
  }
}

/** A single create refuses an array, naming the bulk route: one operation, one type. */
export function arrayOnSingleCreate(bulkPath: string): Problem {
  return validationProblem([{ pointer: "", code: "dict_type",
    message: `Input should be an object: create an array of rows with POST ${bulkPath}` }]);
}

export function isArrayBody(body: unknown): body is unknown[] {
  return Array.isArray(body);
}

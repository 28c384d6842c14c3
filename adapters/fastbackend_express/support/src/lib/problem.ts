// RFC 9457 problem details: the one shape of every error response.
import type { Request, Response } from "express";
import { MAX_LISTED_ERRORS, PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE as TYPE_BASE, TITLES } from "./contract.js";

export const MAX_LISTED = MAX_LISTED_ERRORS; // listed in one problem; the detail still counts them all

export interface FieldError {
  readonly pointer: string;
  readonly code: string;
  readonly message: string;
}

/** Throw anywhere below a route; the error handler renders it. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly detail: string,
    readonly errors: readonly FieldError[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${status} ${type}: ${detail}`);
  }
}

/** An RFC 6901 JSON Pointer into the request body. */
export function pointer(path: readonly PropertyKey[]): string {
  return path.map((part) => "/" + String(part).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** Python-style quoting, so details read the same as the FastAPI runtime's. */
export function quoted(text: string): string {
  return `'${text}'`;
}

export function badParameter(name: string, message: string): Problem {
  return new Problem(400, "invalid-parameter", `query parameter ${quoted(name)}: ${message}`);
}

export function validationProblem(errors: readonly FieldError[], detail?: string): Problem {
  const count = errors.length;
  const listed = count > MAX_LISTED ? ` (the first ${MAX_LISTED} are listed)` : "";
  return new Problem(422, "validation-error",
    detail ?? `${count} field${count === 1 ? "" : "s"} did not validate${listed}`, errors.slice(0, MAX_LISTED));
}

export function notFound(model: string, keyNames: readonly string[], keyText: string): Problem {
  return new Problem(404, "not-found", `no ${model} with ${keyNames.join(",")} ${quoted(keyText)}`);
}

export function sendProblem(res: Response, req: Request, problem: Problem, instance: string = req.path): void {
  const body: Record<string, unknown> = {
    type: TYPE_BASE + problem.type,
    title: TITLES[problem.status] ?? "Error",
    status: problem.status,
    detail: problem.detail,
    instance,
  };
  if (problem.errors.length > 0) body.errors = problem.errors;
  // The media type is set raw: Express's res.type() would append "; charset=utf-8".
  res.status(problem.status).set(problem.headers).setHeader("Content-Type", PROBLEM_MEDIA_TYPE);
  res.send(Buffer.from(JSON.stringify(body), "utf8"));
}

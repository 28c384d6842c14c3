// The last middleware: every error becomes problem+json, and only bugs are logged as 500s.
import type { ErrorRequestHandler } from "express";
import { Prisma } from "../generated/prisma/client.js";
import { isUnavailable } from "./database-errors.js";
import { log } from "./logs.js";
import { Problem, badParameter, sendProblem } from "./problem.js";

function isBodyParserError(error: unknown): error is { type: string; message: string } {
  return typeof error === "object" && error !== null && "type" in error && typeof error.type === "string";
}

export const problemHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  if (error instanceof Problem) return sendProblem(res, req, error);
  if (isUnavailable(error)) {
    return sendProblem(res, req, new Problem(503, "database-unavailable", "the database is unavailable", [],
      { "Retry-After": "1" }));
  }
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2020") {
    // Writes map it to a 422 (database-errors.ts); a read's only values are its where= filter's.
    return sendProblem(res, req, badParameter("where", "a value is out of range for its field"));
  }
  if (error instanceof Prisma.PrismaClientValidationError) {
    // Bodies are validated before Prisma sees them: only a `where=` filter can be refused here.
    return sendProblem(res, req, badParameter("where", "is not a valid filter for this model"));
  }
  if (isBodyParserError(error) && error.type === "entity.too.large") {
    // A body parser of src/custom/ (the generated app reads bodies in lib/body.ts).
    return sendProblem(res, req, new Problem(413, "payload-too-large", "the request body is too large"));
  }
  if (error instanceof Prisma.PrismaClientKnownRequestError || error instanceof Prisma.PrismaClientUnknownRequestError) {
    // Refused by the database for good (a function or type it lacks, a trigger's error): not an
    // outage, so no 503; logged with what the database said, as the FastAPI runtime logs it.
    log("error", `the database refused a statement on ${req.method} ${req.path}: ${error.message.trim()}\n`
      + `statement: ${statementOf(error)}`);
    return sendProblem(res, req, new Problem(500, "database-error",
      "the database refused this request's SQL statement: a fault of the server or its schema, not of the "
      + "request, and retrying will not help (the statement is in the server's log)"));
  }
  log("error", `unexpected error on ${req.method} ${req.path}`, { error });
  sendProblem(res, req, new Problem(500, "internal-error", "the server failed to handle this request"));
};

/** The SQL the database refused (db.ts attaches it to the driver adapter's error). */
function statementOf(error: Prisma.PrismaClientKnownRequestError | Prisma.PrismaClientUnknownRequestError): string {
  const meta = "meta" in error ? error.meta : undefined;
  const adapterError = meta?.["driverAdapterError"];
  const statement = typeof adapterError === "object" && adapterError !== null && "statement" in adapterError
    ? adapterError.statement : undefined;
  return typeof statement === "string" ? statement : "(not known)";
}

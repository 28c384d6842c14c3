// One row out, with its ETag: If-None-Match on GET, If-Match before a change.
import type { Request, RequestHandler, Response } from "express";
import type { WriteAction } from "./contract.js";
import { includedBody, type Includes } from "./included.js";
import type { ModelMeta } from "./meta.js";
import { applied, sendMinimal, wantsMinimal } from "./prefer.js";
import { Problem } from "./problem.js";
import {
  etagOf, ifMatchFails, ifNoneMatchHits, jsonText, rowText, sendJson, sendJsonText, serializeRow, tagOf,
} from "./serialize.js";

/** One row read, with its ETag; honours If-None-Match on GET. `includes`: the row was read with
 * `include=`'s relations (lib/included.ts), which its own ETag does not cover, so If-None-Match
 * is not honoured then (never a stale 304). */
export function sendRow(req: Request, res: Response, model: ModelMeta, row: object, status = 200,
  location?: string, includes: Includes | null = null): void {
  const text = rowText(model, row);
  const etag = tagOf(text);
  res.setHeader("ETag", etag);
  if (location !== undefined) res.setHeader("Location", location);
  if (includes !== null) {
    sendJson(res, status, includedBody(model, row, includes));
    return;
  }
  if (req.method === "GET" && ifNoneMatchHits(req.headers["if-none-match"], etag)) {
    res.status(304).end();
    return;
  }
  // Every field readable: the representation is the ETag's text, serialised once.
  sendJsonText(res, status, model.fields.every((field) => field.readable) ? text : jsonText(serializeRow(model, row)));
}

/** One written row: its representation (the default; with `includes`, read with `include=`'s
 * relations: lib/included.ts), or with `Prefer: return=minimal` the contract's status and
 * headers and no body (prefer.ts). The ETag is the row's own either way. */
export function sendWritten(req: Request, res: Response, model: ModelMeta, row: object,
  action: WriteAction, status = 200, location?: string, resolved: string | null = null,
  includes: Includes | null = null): void {
  const headers: Record<string, string> = { ETag: etagOf(model, row) };
  if (location !== undefined) headers.Location = location;
  if (wantsMinimal(req)) {
    sendMinimal(req, res, action, headers, resolved);
    return;
  }
  res.set({ ...headers, ...applied(req, action, resolved) });
  sendJson(res, status, includes === null ? serializeRow(model, row) : includedBody(model, row, includes));
}

/** The rows of a bulk create (with `includes`, read with `include=`'s relations), or none with
 * `Prefer: return=minimal`. */
export function sendCreatedRows(req: Request, res: Response, model: ModelMeta,
  rows: readonly object[], action: WriteAction, status = 201, resolved: string | null = null,
  includes: Includes | null = null): void {
  if (wantsMinimal(req)) {
    sendMinimal(req, res, action, {}, resolved);
    return;
  }
  res.set(applied(req, action, resolved));
  if (includes !== null) sendJson(res, status, rows.map((row) => includedBody(model, row, includes)));
  else sendRows(res, model, rows, status);
}

/** 204 for a write that never has a body (delete, link, unlink). */
export function sendNoContent(req: Request, res: Response, action: WriteAction): void {
  res.set(applied(req, action)).status(204).end();
}

export function sendRows(res: Response, model: ModelMeta, rows: readonly object[], status = 200): void {
  sendJson(res, status, rows.map((row) => serializeRow(model, row)));
}

/** RFC 9110 If-Match against the row as it is now (read in the same transaction). */
export function checkIfMatch(ifMatch: string | undefined, model: ModelMeta, current: object): void {
  if (ifMatchFails(ifMatch, etagOf(model, current))) {
    throw new Problem(412, "precondition-failed",
      "the row changed since it was read (If-Match does not match its ETag)");
  }
}

/** For a known path with another method: 405 naming the methods it has in `Allow`; OPTIONS is
 * answered with them (204). */
export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  return (req, res) => {
    if (req.method === "OPTIONS") {
      res.status(204).set("Allow", allowed.join(", ")).end();
      return;
    }
    throw new Problem(405, "method-not-allowed", `${req.method} is not allowed here; use ${allowed.join(", ")}`,
      [], { Allow: allowed.join(", ") });
  };
}

export function noRelated(model: ModelMeta, keyText: string, relation: string): Problem {
  return new Problem(404, "not-found", `${model.name} '${keyText}' has no ${relation}`);
}

export function notLinked(model: ModelMeta, keyText: string, target: ModelMeta, targetText: string): Problem {
  return new Problem(404, "not-found", `${model.name} '${keyText}' is not linked to ${target.name} '${targetText}'`);
}

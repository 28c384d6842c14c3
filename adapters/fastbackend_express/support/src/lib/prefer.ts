// `Prefer` (RFC 7240) on writes, by the runtime's rule (fastbackend_fastapi/prefer.py): every
// `Prefer` header (Node joins repeated ones with ", "), comma-separated preferences, names
// case-insensitive, values as sent (quotes removed), parameters after `;` ignored, the first
// occurrence of a name wins, unknown names and values ignored.
import type { Request, Response } from "express";
import {
  COUNT_METHODS, COUNT_PREFERENCE, MINIMAL_ANSWERS, PREFER_HEADER, PREFERENCE_APPLIED_HEADER, RESOLUTION_PREFERENCE,
  RESOLUTIONS, RETURN_MINIMAL, RETURN_PREFERENCE, RETURN_REPRESENTATION, type CountMethod, type WriteAction,
} from "./contract.js";

/** Preference name (lower case) -> its value ("" when it has none). */
export function preferences(header: string | undefined): Map<string, string> {
  const found = new Map<string, string>();
  for (const item of (header ?? "").split(",")) {
    const preference = item.split(";", 1)[0];
    const equals = preference.indexOf("=");
    const name = (equals < 0 ? preference : preference.slice(0, equals)).trim().toLowerCase();
    let value = equals < 0 ? "" : preference.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name !== "" && !found.has(name)) found.set(name, value);
  }
  return found;
}

function returnPreference(req: Request): string | undefined {
  return preferences(req.get(PREFER_HEADER)).get(RETURN_PREFERENCE);
}

export function wantsMinimal(req: Request): boolean {
  return returnPreference(req) === RETURN_MINIMAL;
}

/** The `Preference-Applied` header of a write of `action`, or none when nothing asked for was
 * honoured: `return=minimal`, or `return=representation` where it gives a body. */
export function applied(req: Request, action: WriteAction, resolved: string | null = null): Record<string, string> {
  const value = returnPreference(req);
  const honoured = value === RETURN_MINIMAL
    || (value === RETURN_REPRESENTATION && MINIMAL_ANSWERS[action].representation);
  const said = [...(honoured ? [`${RETURN_PREFERENCE}=${value}`] : []),
    ...(resolved === null ? [] : [`${RESOLUTION_PREFERENCE}=${resolved}`])];
  return said.length > 0 ? { [PREFERENCE_APPLIED_HEADER]: said.join(", ") } : {};
}

/** A create's `Prefer: resolution=merge-duplicates|ignore-duplicates` (else null). */
export function resolution(req: Request): string | null {
  const value = preferences(req.get(PREFER_HEADER)).get(RESOLUTION_PREFERENCE);
  return value !== undefined && RESOLUTIONS.includes(value) ? value : null;
}

/** The answer to `return=minimal`: the contract's status, no body, the headers it keeps. */
export function sendMinimal(req: Request, res: Response, action: WriteAction,
  headers: Readonly<Record<string, string>> = {}, resolved: string | null = null): void {
  const answer = MINIMAL_ANSWERS[action];
  for (const [name, value] of Object.entries(headers)) {
    if (answer.headers.includes(name)) res.set(name, value);
  }
  res.set(applied(req, action, resolved)).status(answer.status).end();
}

/** A list's `Prefer: count=...` when its value is one the contract knows (else ignored). */
export function preferredCount(req: Request): CountMethod | null {
  const value = preferences(req.get(PREFER_HEADER)).get(COUNT_PREFERENCE);
  return COUNT_METHODS.find((name) => name === value) ?? null;
}

/** `Preference-Applied: count=<how the total was counted>` when `Prefer: count` was read (the
 * `count` parameter, when given, wins over it and nothing is said). */
export function countApplied(query: { readonly countPreferred: boolean }, counted: CountMethod | null): Record<string, string> {
  return query.countPreferred ? { [PREFERENCE_APPLIED_HEADER]: `${COUNT_PREFERENCE}=${counted ?? "none"}` } : {};
}

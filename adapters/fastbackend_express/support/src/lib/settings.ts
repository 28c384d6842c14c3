// The operations settings this server reads (docs/operations.md): fastbackend.yaml's `operations`
// keys, from their environment variables alone, by the FastAPI runtime's rules
// (operations/config.py). Every variable, default and choice is the contract's (contract.ts
// OPERATIONS_SETTINGS, rendered from fastbackend_contract.tables, which the runtime reads too):
// none is spelled in this library, so the two servers cannot drift apart.
import { OPERATIONS_SETTINGS } from "./contract.js";

type Rows = typeof OPERATIONS_SETTINGS;
type Key = keyof Rows;
type Env = Readonly<Record<string, string | undefined>>;
/** The keys of the settings of one kind. */
type Kind<K extends string> = { [Name in Key]: Rows[Name]["kind"] extends K ? Name : never }[Key];
/** A text's value: one of its choices, or any text when it lists none. */
type Text<Name extends Key> = Rows[Name]["choices"] extends readonly [] ? string : Rows[Name]["choices"][number];

/** A setting's environment variable, for messages. */
export function variable(key: Key): string {
  return OPERATIONS_SETTINGS[key].env;
}

/** A switch: 1/0, true/false, yes/no, on/off (any case); unset or empty, its default. */
export function flag(key: Kind<"flag">, env: Env = process.env): boolean {
  const { env: name, default: fallback } = OPERATIONS_SETTINGS[key];
  const raw = (env[name] ?? "").trim().toLowerCase();
  if (raw === "") return fallback;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new Error(`${name} must be 1 or 0 (true or false), not ${JSON.stringify(raw)}`);
}

/** A text, taken exactly as given (no case folding: the runtime's reading); unset or empty, its
 * default; one of its choices when it lists some. */
export function text<Name extends Kind<"text">>(key: Name, env: Env = process.env): Text<Name> {
  const { env: name, default: fallback, choices } = OPERATIONS_SETTINGS[key];
  const raw = env[name] ?? "";
  const value: string = raw === "" ? fallback : raw;
  const allowed: readonly string[] = choices;
  if (allowed.length > 0 && !allowed.includes(value)) {
    throw new Error(`${name} must be one of ${allowed.filter((c) => c !== "").join(", ")}, not ${JSON.stringify(raw)}`);
  }
  return value as Text<Name>;
}

/** A number above 0 (a whole one for a "whole" setting) and at most its maximum, if it has
 * one; unset or empty, its default. */
export function positive(key: Kind<"whole" | "number">, env: Env = process.env): number {
  const { env: name, default: fallback, kind, maximum } = OPERATIONS_SETTINGS[key];
  const raw = (env[name] ?? "").trim();
  if (raw === "") return fallback;
  const value = Number(raw);
  const whole = kind === "whole";
  const highest: number | null = maximum;
  if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))
      || (highest !== null && value > highest)) {
    const bound = highest === null ? "" : ` and at most ${highest}`;
    throw new Error(`${name} must be ${whole ? "a whole number" : "a number"} above 0${bound}, not ${JSON.stringify(raw)}`);
  }
  return value;
}

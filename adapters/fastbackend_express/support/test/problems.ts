// What the tests share: matching the Problem a function throws.
import assert from "node:assert/strict";
import { Problem } from "../src/lib/problem.js";

/** Asserts that `action` throws a Problem of `status` and `type` whose detail matches `detail`. */
export function assertProblem(action: () => unknown, status: number, type: string, detail: RegExp | string): Problem {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof Problem, `expected a Problem, got ${String(thrown)}`);
  assert.equal(thrown.status, status, thrown.detail);
  assert.equal(thrown.type, type);
  if (typeof detail === "string") assert.equal(thrown.detail, detail);
  else assert.match(thrown.detail, detail);
  return thrown;
}

/** A 400 naming the query parameter, as badParameter() words it. */
export function assertBadParameter(action: () => unknown, parameter: string, message: RegExp | string): Problem {
  const problem = assertProblem(action, 400, "invalid-parameter", new RegExp(`^query parameter '${escaped(parameter)}': `));
  const rest = problem.detail.slice(`query parameter '${parameter}': `.length);
  if (typeof message === "string") assert.equal(rest, message);
  else assert.match(rest, message);
  return problem;
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

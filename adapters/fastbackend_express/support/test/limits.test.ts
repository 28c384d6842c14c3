import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { LIMITS as TABLE } from "../src/lib/contract.js";
import { Budget, LIMITS } from "../src/lib/limits.js";
import { assertBadParameter } from "./problems.js";

const MODULE = fileURLToPath(new URL("../src/lib/limits.js", import.meta.url));

/** LIMITS as a fresh process reads them from `env` (they are read once, at import). */
function limitsWith(env: Record<string, string>): Record<string, number> {
  const script = `import(${JSON.stringify(MODULE)}).then((m) => console.log(JSON.stringify(m.LIMITS)))`;
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("FASTBACKEND_")));
  const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { env: { ...clean, ...env }, encoding: "utf8" });
  return JSON.parse(output) as Record<string, number>;
}

test("each limit is its environment variable, else the contract's default", () => {
  assert.equal(limitsWith({}).maxPageSize, TABLE.max_page_size.default);
  assert.equal(limitsWith({ [TABLE.max_page_size.env]: "500" }).maxPageSize, 500);
  assert.equal(limitsWith({ [TABLE.body_timeout_seconds.env]: "2.5" }).bodyTimeoutSeconds, 2.5);
});

test("a limit that is not a whole number of at least 1 stops the server at start", () => {
  for (const text of ["0", "-1", "1.5", "many"]) {
    assert.throws(() => limitsWith({ [TABLE.max_page_size.env]: text }), new RegExp(`${TABLE.max_page_size.env} must be a whole number`), text);
  }
});

test("conditions are counted across filters and where= together", () => {
  const budget = new Budget();
  for (let index = 0; index < LIMITS.maxConditions; index += 1) budget.condition("title");
  assertBadParameter(() => budget.condition("where", "/id"), "where at /id", `more than ${LIMITS.maxConditions} conditions`);
});

test("relation walks and where= nesting have their own bounds", () => {
  const budget = new Budget();
  budget.steps(LIMITS.maxRelationDepth, "a.b");
  assertBadParameter(() => budget.steps(LIMITS.maxRelationDepth + 1, "sort"), "sort", `walks more than ${LIMITS.maxRelationDepth} relations`);
  assertBadParameter(() => budget.depth(LIMITS.maxWhereDepth + 1, "/OR/0"), "where at /OR/0", `nested deeper than ${LIMITS.maxWhereDepth} levels`);
});

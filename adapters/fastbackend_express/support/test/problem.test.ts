import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_LISTED, Problem, badParameter, notFound, pointer, validationProblem } from "../src/lib/problem.js";

test("pointer writes an RFC 6901 JSON Pointer, escaping ~ and /", () => {
  assert.equal(pointer(["items", 0, "a/b~c"]), "/items/0/a~1b~0c");
  assert.equal(pointer([]), "");
});

test("badParameter and notFound word their details as the runtime does", () => {
  const bad = badParameter("limit", "must be an integer");
  assert.ok(bad instanceof Problem);
  assert.deepEqual([bad.status, bad.type, bad.detail], [400, "invalid-parameter", "query parameter 'limit': must be an integer"]);
  const missing = notFound("Post", ["a", "b"], "1,2");
  assert.deepEqual([missing.status, missing.type, missing.detail], [404, "not-found", "no Post with a,b '1,2'"]);
});

test("a validation problem lists at most MAX_LISTED errors and counts them all", () => {
  const errors = Array.from({ length: MAX_LISTED + 3 }, (_, index) => ({ pointer: `/${index}`, code: "missing", message: "required" }));
  const problem = validationProblem(errors);
  assert.equal(problem.status, 422);
  assert.equal(problem.type, "validation-error");
  assert.equal(problem.errors.length, MAX_LISTED);
  assert.equal(problem.detail, `${MAX_LISTED + 3} fields did not validate (the first ${MAX_LISTED} are listed)`);
  assert.equal(validationProblem(errors.slice(0, 1)).detail, "1 field did not validate");
});

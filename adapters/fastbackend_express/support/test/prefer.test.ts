import assert from "node:assert/strict";
import { test } from "node:test";
import { MINIMAL_ANSWERS } from "../src/lib/contract.js";
import { countApplied, preferences } from "../src/lib/prefer.js";

test("preferences reads RFC 7240's list: names case-insensitive, the first one wins", () => {
  const found = preferences(' Return = minimal ; foo=1, return=representation, handling="strict", respond-async');
  assert.deepEqual([...found.entries()], [["return", "minimal"], ["handling", "strict"], ["respond-async", ""]]);
});

test("preferences keeps a value as sent and ignores empty items", () => {
  assert.deepEqual([...preferences("return=MINIMAL,,").entries()], [["return", "MINIMAL"]]);
  assert.equal(preferences(undefined).size, 0);
  assert.equal(preferences("").size, 0);
});

test("the minimal answers are the contract's: 204s: creates keep Location, updates their ETag", () => {
  assert.deepEqual(MINIMAL_ANSWERS.create, { status: 204, headers: ["Location", "ETag"], representation: true, counted: false });
  assert.deepEqual(MINIMAL_ANSWERS.update, { status: 204, headers: ["ETag"], representation: true, counted: false });
  assert.equal(MINIMAL_ANSWERS.delete.representation, false);
  assert.equal(MINIMAL_ANSWERS.bulkUpdate.counted, true);
});

test("Preference-Applied names how a list was counted, only when the header was read", () => {
  assert.deepEqual(countApplied({ countPreferred: true }, "planned"), { "Preference-Applied": "count=planned" });
  assert.deepEqual(countApplied({ countPreferred: true }, null), { "Preference-Applied": "count=none" });
  assert.deepEqual(countApplied({ countPreferred: false }, "exact"), {});
});

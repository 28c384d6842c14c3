import assert from "node:assert/strict";
import { test } from "node:test";
import { Prisma } from "../src/generated/prisma/client.js";
import { models } from "../src/meta.js";
import { keyText, keyUnchanged, keyWhere, location, uniqueWhere } from "../src/lib/keys.js";
import type { FieldMeta } from "../src/lib/meta.js";
import { etagOf, ifMatchFails, ifNoneMatchHits, serializeRow, serializeValue } from "../src/lib/serialize.js";
import { assertProblem } from "./problems.js";

const { Post, User } = models;
const base: FieldMeta = { name: "f", column: "f", kind: "string", list: false, nullable: true, readable: true,
  filterable: true, sortable: true, operators: [], groupable: false, aggregates: [], writable: true, timezone: false, scale: null,
  enumValues: [] };

test("values are written as the FastAPI runtime writes them", () => {
  const instant = new Date("2024-05-01T10:00:00.250Z");
  assert.equal(serializeValue({ ...base, kind: "datetime", timezone: true }, instant), "2024-05-01T10:00:00.250000Z");
  assert.equal(serializeValue({ ...base, kind: "datetime" }, new Date("2024-05-01T10:00:00Z")), "2024-05-01T10:00:00");
  assert.equal(serializeValue({ ...base, kind: "date" }, instant), "2024-05-01");
  assert.equal(serializeValue({ ...base, kind: "decimal", scale: 2 }, new Prisma.Decimal("3.5")), "3.50");
  assert.equal(serializeValue({ ...base, kind: "bytes" }, Uint8Array.from([1, 2, 255])), "AQL/");
  assert.deepEqual(serializeValue({ ...base, kind: "integer", list: true }, [1, null]), [1, null]);
  assert.equal(serializeValue(base, undefined), null);
});

test("a row shows its readable fields in declared order, narrowed by fields", () => {
  const row = { email: "a@x.io", id: 1, name: null, created_at: new Date("2024-01-01T00:00:00Z"), password: "x" };
  assert.deepEqual(Object.keys(serializeRow(User, row)), ["id", "email", "name", "created_at"]);
  assert.deepEqual(serializeRow(User, row, ["email"]), { email: "a@x.io" });
});

test("ETags are strong, change with the row, and If-Match / If-None-Match compare them per RFC 9110", () => {
  const row = { id: 1, email: "a@x.io", name: null, created_at: new Date(0) };
  const tag = etagOf(User, row);
  assert.match(tag, /^"[0-9a-f]{24}"$/);
  assert.notEqual(etagOf(User, { ...row, name: "Ann" }), tag);
  assert.equal(ifMatchFails(undefined, tag), false);
  assert.equal(ifMatchFails(`"other", ${tag}`, tag), false);
  assert.equal(ifMatchFails("*", tag), false);
  assert.equal(ifMatchFails(`W/${tag}`, tag), true); // strong comparison
  assert.equal(ifNoneMatchHits(`W/${tag}`, tag), true); // weak comparison
  assert.equal(ifNoneMatchHits(`"other"`, tag), false);
});

test("keys in URLs: parsed by type, a key that names no row is a 404, composite keys joined by a comma", () => {
  assert.deepEqual(keyWhere(Post, "12"), { id: 12 });
  assert.deepEqual(uniqueWhere(Post, "12"), { id: 12 });
  assertProblem(() => keyWhere(Post, "twelve"), 404, "not-found", "no Post with id 'twelve'");
  assert.equal(keyText(Post, { id: 12 }), "12");
  assert.equal(location(Post, { id: 12 }), "/posts/12");
  const pair = { ...Post, key: ["author_id", "title"] };
  // Express has decoded the path: the last key field keeps any further commas, as on the runtime
  assert.deepEqual(uniqueWhere(pair, "3,a,b"), { author_id_title: { author_id: 3, title: "a,b" } });
  assert.equal(keyText(pair, { author_id: 3, title: "a,b" }), "3,a%2Cb");
});

test("a body may repeat the key the URL names, never change it", () => {
  assert.deepEqual(keyUnchanged(Post, "12", { id: 12, title: "x" }), { id: 12, title: "x" });
  const problem = assertProblem(() => keyUnchanged(Post, "12", { id: 13 }), 422, "validation-error", "a key field cannot be changed");
  assert.deepEqual(problem.errors.map((error) => [error.pointer, error.code]), [["/id", "immutable"]]);
});

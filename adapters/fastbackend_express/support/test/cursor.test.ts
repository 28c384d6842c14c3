import assert from "node:assert/strict";
import { test } from "node:test";
import { models } from "../src/meta.js";
import { afterCursor, cursorOf, parseSort } from "../src/lib/cursor.js";
import { Budget } from "../src/lib/limits.js";
import { parseQueryBody } from "../src/lib/query.js";
import { assertBadParameter } from "./problems.js";

const { Post, User } = models;
const row = { id: 7, title: "Hi", status: "published", created_at: new Date("2024-05-01T10:00:00Z") };

test("a cursor's payload is the runtime's: base64url compact JSON of the sort spelling and the row's values", () => {
  const sort = parseSort(Post, "-created_at", new Budget());
  const token = cursorOf(Post, sort, row);
  const [payload, mac] = token.split(".");
  assert.equal(Buffer.from(payload ?? "", "base64url").toString(), '{"s":"-created_at,id","v":["2024-05-01T10:00:00Z",7]}');
  assert.equal(Buffer.from(mac ?? "", "base64url").length, 12);
});

test("rows after the cursor: later in the first key, or equal there and later in the next", () => {
  const sort = parseSort(Post, "title", new Budget());
  const token = cursorOf(Post, sort, row);
  assert.deepEqual(afterCursor(Post, sort, token), {
    OR: [{ AND: [{ title: { gt: "Hi" } }] }, { AND: [{ title: { equals: "Hi" } }, { id: { gt: 7 } }] }],
  });
});

test("a descending enum key names the earlier values (Prisma has no lt on enums)", () => {
  const sort = parseSort(Post, "-status", new Budget());
  const after = afterCursor(Post, sort, cursorOf(Post, sort, row));
  assert.deepEqual(after.OR, [{ AND: [{ status: { equals: "draft" } }] },
    { AND: [{ status: { equals: "published" } }, { id: { gt: 7 } }] }]);
});

test("a NULL in a nullable key: ascending, the NULLs come last", () => {
  const sort = parseSort(User, "name", new Budget());
  const token = cursorOf(User, sort, { id: 3, name: null });
  assert.deepEqual(afterCursor(User, sort, token), { OR: [{ AND: [{ name: { equals: null } }, { id: { gt: 3 } }] }] });
});

test("a cursor read through the list parameters gives the query its keyset condition and no count", () => {
  const sort = parseSort(Post, "", new Budget());
  const query = parseQueryBody(Post, { cursor: cursorOf(Post, sort, row) });
  assert.deepEqual(query.after, { OR: [{ AND: [{ id: { gt: 7 } }] }] });
  assert.equal(query.count, false);
  assertBadParameter(() => parseQueryBody(Post, { cursor: cursorOf(Post, sort, row), offset: 0 }), "cursor",
    "cannot be combined with offset");
});

test("an altered, foreign or re-sorted cursor is a 400", () => {
  const sort = parseSort(Post, "", new Budget());
  const token = cursorOf(Post, sort, row);
  const [payload = "", mac = ""] = token.split(".");
  const altered = Buffer.from(Buffer.from(payload, "base64url").toString().replace("7", "8")).toString("base64url");
  assertBadParameter(() => afterCursor(Post, sort, `${altered}.${mac}`), "cursor", "not a cursor this API issued (or it was altered)");
  // the MAC covers the model's name: a Post cursor is no User cursor
  assertBadParameter(() => afterCursor(User, parseSort(User, "", new Budget()), token), "cursor", /altered/);
  assertBadParameter(() => afterCursor(Post, parseSort(Post, "title", new Budget()), token), "cursor",
    "the cursor was issued for another sort order; send sort='id' with it");
  assertBadParameter(() => afterCursor(Post, sort, "garbage"), "cursor", /not a cursor this API issued/);
});

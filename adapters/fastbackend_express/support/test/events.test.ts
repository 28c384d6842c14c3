import assert from "node:assert/strict";
import { test } from "node:test";
import { models } from "../src/meta.js";
import { eventKey, eventOf, rowKey } from "../src/lib/events.js";
import type { ModelMeta } from "../src/lib/meta.js";

const { Post, Tag, User } = models;

test("the outbox's row_key is the runtime's: SHA-256 of the key's compact JSON, unicode kept", () => {
  // hashlib.sha256(json.dumps(key, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
  assert.equal(rowKey(["a"]), "0eb5b8d6f81bc677da8a08567cc4fa9a06a57e9ec8da85ed73a7f62727996002");
  assert.equal(rowKey([7]), "589ffd3acf522ae81192579f297589e93b0c41f748b224d1b4bb5c857a2f70cb");
  assert.equal(rowKey(["Ç ü \u2028", 3]), "af423a8034cbfc7413bc1b2a138064e35bb850e5ad11ff94eaf01345ae60b643");
});

test("a key date-time is written as Python's str() of it, as the runtime's event holds it", () => {
  const byTime: ModelMeta = { ...User, key: ["created_at"] };
  assert.deepEqual(eventKey(byTime, { created_at: new Date("2024-05-01T10:00:00.250Z") }),
    ["2024-05-01 10:00:00.250000+00:00"]);
});

test("an event has the runtime's fields in the runtime's order", () => {
  const user = { id: 1, email: "a@x.io", name: null, created_at: new Date("2024-01-01T00:00:00Z"), password: "x" };
  const update = eventOf(User, "update", user, 1.5, ["name", "email"]);
  assert.deepEqual(Object.keys(update), ["id", "type", "timestamp", "entity", "operation", "key", "data", "changed"]);
  assert.equal(update.type, "User.update");
  assert.deepEqual(update.changed, ["email", "name"]);
  assert.deepEqual(update.data, { id: 1, email: "a@x.io", name: null, created_at: "2024-01-01T00:00:00Z" }); // no hidden field
  assert.match(update.id as string, /^evt_[0-9a-f]{32}$/);
  const deleted = eventOf(User, "delete", user, 1.5);
  assert.deepEqual(Object.keys(deleted), ["id", "type", "timestamp", "entity", "operation", "key", "data"]);
  const link = eventOf(Post, "link", { id: 3 }, 1.5, null, { relation: "tags", target: Tag, targetRow: { id: 9 } });
  assert.deepEqual(Object.keys(link), ["id", "type", "timestamp", "entity", "operation", "key", "relation", "target", "target_key"]);
  assert.deepEqual([link.key, link.relation, link.target, link.target_key], [[3], "tags", "Tag", [9]]);
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { models } from "../src/meta.js";
import { LIMITS } from "../src/lib/limits.js";
import { DEFAULT_LIMIT, MAX_LIMIT, countWhere, findManyArgs, listPage, parseQueryBody, relationScope } from "../src/lib/query.js";
import { assertBadParameter, assertProblem } from "./problems.js";

const { Post, User } = models;

describe("the list parameters", () => {
  test("no parameters: every row, the default page, sorted by the key, counted", () => {
    const query = parseQueryBody(Post, {});
    assert.deepEqual(query.where, {});
    assert.equal(query.limit, DEFAULT_LIMIT);
    assert.equal(query.offset, 0);
    assert.equal(query.count, true);
    assert.deepEqual(query.sort.map((key) => [key.field.name, key.direction]), [["id", "asc"]]);
    assert.deepEqual(findManyArgs(query), { where: {}, orderBy: [{ id: "asc" }], take: DEFAULT_LIMIT + 1, skip: 0 });
  });

  test("filters are ANDed; reserved parameters are not filters", () => {
    const query = parseQueryBody(Post, { title: "Hi", author_id__in: "1,2", limit: 10, offset: "20", count: "none" });
    assert.deepEqual(query.where, { AND: [{ title: { equals: "Hi" } }, { author_id: { in: [1, 2] } }] });
    assert.deepEqual([query.limit, query.offset, query.count], [10, 20, false]);
  });

  test("limit above the largest page is a 400, not a silent clamp", () => {
    assert.equal(parseQueryBody(Post, { limit: MAX_LIMIT }).limit, MAX_LIMIT);
    assertBadParameter(() => parseQueryBody(Post, { limit: MAX_LIMIT + 1 }), "limit", `must be between 1 and ${MAX_LIMIT}`);
    assertBadParameter(() => parseQueryBody(Post, { limit: 0 }), "limit", `must be between 1 and ${MAX_LIMIT}`);
    assertBadParameter(() => parseQueryBody(Post, { limit: "ten" }), "limit", "must be an integer");
    assertBadParameter(() => parseQueryBody(Post, { offset: -1 }), "offset", "must be a non-negative integer");
    assertBadParameter(() => parseQueryBody(Post, { count: "some" }), "count", "must be one of exact, planned, estimated, none");
  });

  test("sort: descending with -, along a to-one relation, the key last", () => {
    const query = parseQueryBody(Post, { sort: "-created_at,author.email" });
    assert.deepEqual(findManyArgs(query).orderBy, [{ created_at: "desc" }, { author: { email: "asc" } }, { id: "asc" }]);
    // the related row a sort key walks to is loaded, for the cursor
    assert.deepEqual(findManyArgs(query).include, { author: true });
    assertBadParameter(() => parseQueryBody(Post, { sort: "title,-title" }), "sort", "'-title' appears twice");
    assertBadParameter(() => parseQueryBody(Post, { sort: "comments.body" }), "sort", "'comments' is a to-many relation");
    assertBadParameter(() => parseQueryBody(Post, { sort: "nope" }), "sort", "cannot sort on 'nope'");
  });

  test("fields narrows the representation; a relation named in fields is included", () => {
    const query = parseQueryBody(Post, { fields: ["id", "title", "author"] });
    assert.deepEqual(query.fields, ["id", "title"]);
    assert.deepEqual(query.include.map((node) => node.relation.name), ["author"]);
    assertBadParameter(() => parseQueryBody(Post, { fields: "id,secret" }), "fields", "Post has no field or relation 'secret'");
  });

  test("include nests along dots, as Prisma include arguments, join rows unwrapped, to-many rows by key", () => {
    const query = parseQueryBody(Post, { include: "comments.author,tags" });
    assert.deepEqual(findManyArgs(query).include, {
      comments: { include: { author: true }, orderBy: [{ id: "asc" }] },
      tags: { orderBy: [{ tag: { id: "asc" } }], include: { tag: true } },
    });
    assertBadParameter(() => parseQueryBody(Post, { include: "writer" }), "include", "Post has no relation 'writer'");
  });

  test("the body is an object of text, numbers or name lists", () => {
    assertProblem(() => parseQueryBody(Post, [1]), 400, "invalid-parameter", "the body is a JSON object of list parameters");
    assertBadParameter(() => parseQueryBody(Post, { title: { a: 1 } }), "title", "expected text");
    assert.deepEqual(parseQueryBody(Post, { where: { id: 3 } }).where, { AND: [{ id: { equals: 3 } }] });
  });

  test("the limits of one query: names per list", () => {
    const names = Array.from({ length: LIMITS.maxNames + 1 }, () => "id").join(",");
    assertBadParameter(() => parseQueryBody(Post, { fields: names }), "fields", `more than ${LIMITS.maxNames} names`);
  });
});

describe("pages and scopes", () => {
  test("a page reads one row more than its limit; the extra row means a next cursor", () => {
    const query = parseQueryBody(User, { limit: 2, fields: "id,email" });
    const rows = [1, 2, 3].map((id) => ({ id, email: `u${id}@x.io`, name: null, created_at: new Date(0) }));
    const full = listPage(User, query, rows, 3) as { data: unknown[]; meta: Record<string, unknown> };
    assert.deepEqual(full.data, [{ id: 1, email: "u1@x.io" }, { id: 2, email: "u2@x.io" }]);
    assert.deepEqual([full.meta.total, full.meta.limit, full.meta.offset], [3, 2, 0]);
    assert.equal(typeof full.meta.next_cursor, "string");
    const last = listPage(User, query, rows.slice(0, 2), 2) as { meta: Record<string, unknown> };
    assert.equal(last.meta.next_cursor, null);
  });

  test("a relation's rows: the foreign key for one-to-many, the inverse for many-to-many", () => {
    assert.deepEqual(relationScope(User, "posts", { id: 5 }), { author_id: 5 });
    assert.deepEqual(relationScope(Post, "tags", { id: 9 }), { posts: { some: { post_id: 9 } } });
    const query = parseQueryBody(Post, { title: "x" });
    assert.deepEqual(countWhere(query, { author_id: 5 }), { AND: [{ author_id: 5 }, query.where] });
  });
});

test("count: the parameter, else `Prefer: count=...`, else exact on offset pages", () => {
  const planned = parseQueryBody(Post, {}, "planned");
  assert.deepEqual([planned.count, planned.countMethod, planned.countPreferred], [true, "planned", true]);
  const none = parseQueryBody(Post, {}, "none");
  assert.deepEqual([none.count, none.countPreferred], [false, true]);
  const given = parseQueryBody(Post, { count: "estimated" }, "none");
  assert.deepEqual([given.count, given.countMethod, given.countPreferred], [true, "estimated", false]);
  const plain = parseQueryBody(Post, {});
  assert.deepEqual([plain.count, plain.countMethod, plain.countPreferred], [true, "exact", false]);
});

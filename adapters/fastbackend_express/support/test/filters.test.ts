import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { models } from "../src/meta.js";
import { checkWhere, filter, parseWhere, type Where } from "../src/lib/filters.js";
import { Budget, LIMITS } from "../src/lib/limits.js";
import { assertBadParameter } from "./problems.js";

const { Post, User } = models;

function where(document: unknown): Where {
  return checkWhere(Post, document, "", { budget: new Budget(), depth: 0, steps: 0 });
}

describe("field__op=value filters", () => {
  test("a bare name is equality, parsed by the field's type", () => {
    assert.deepEqual(filter(Post, "author_id", "7", new Budget()), { author_id: { equals: 7 } });
  });

  test("ne and notin keep NULL rows (docs: NULL matches)", () => {
    assert.deepEqual(filter(User, "name__ne", "Ann", new Budget()),
      { OR: [{ name: { not: "Ann" } }, { name: null }] });
    assert.deepEqual(filter(User, "name__notin", "Ann,Bob", new Budget()),
      { OR: [{ name: { notIn: ["Ann", "Bob"] } }, { name: null }] });
  });

  test("in takes a comma-separated list; an empty value is an empty list", () => {
    assert.deepEqual(filter(Post, "id__in", "1,2,3", new Budget()), { id: { in: [1, 2, 3] } });
    assert.deepEqual(filter(Post, "id__in", "", new Budget()), { id: { in: [] } });
  });

  test("icontains is Prisma's insensitive contains, on text fields only", () => {
    assert.deepEqual(filter(Post, "title__icontains", "Hello", new Budget()),
      { title: { contains: "Hello", mode: "insensitive" } });
    assertBadParameter(() => filter(Post, "id__icontains", "1", new Budget()), "id__icontains",
      "operator 'icontains' does not apply to 'id' (integer)");
  });

  test("LIKE wildcards in a value are plain characters", () => {
    assert.deepEqual(filter(Post, "title__startswith", "50%_off\\", new Budget()),
      { title: { startsWith: "50\\%\\_off\\\\" } });
  });

  test("isnull is true or false", () => {
    assert.deepEqual(filter(Post, "published_at__isnull", "true", new Budget()), { published_at: null });
    assert.deepEqual(filter(Post, "published_at__isnull", "false", new Budget()), { published_at: { not: null } });
    // on a field that cannot be NULL: no row is NULL (Prisma would refuse `id: null`)
    assert.deepEqual(filter(Post, "id__isnull", "true", new Budget()), { id: { in: [] } });
  });

  test("ordering operators refuse a type without a portable order", () => {
    assertBadParameter(() => filter(Post, "status__gt", "draft", new Budget()), "status__gt",
      "operator 'gt' does not apply to 'status' (enum)");
    assert.deepEqual(filter(Post, "created_at__gte", "2024-01-01T00:00:00Z", new Budget()),
      { created_at: { gte: new Date("2024-01-01T00:00:00Z") } });
  });

  test("a dot walks relations: to-one with is, to-many with some, many-to-many through the join rows", () => {
    assert.deepEqual(filter(Post, "author.email__endswith", "@x.io", new Budget()),
      { author: { is: { email: { endsWith: "@x.io" } } } });
    assert.deepEqual(filter(User, "posts.title", "Hi", new Budget()),
      { posts: { some: { title: { equals: "Hi" } } } });
    assert.deepEqual(filter(Post, "tags.name", "news", new Budget()),
      { tags: { some: { tag: { is: { name: { equals: "news" } } } } } });
  });

  test("unknown operators, fields and relations and bad values are 400s naming the parameter", () => {
    assertBadParameter(() => filter(Post, "title__like", "x", new Budget()), "title__like", /^unknown operator 'like' \(known: eq, ne,/);
    assertBadParameter(() => filter(Post, "nope", "x", new Budget()), "nope", "not a field that can be filtered on");
    assertBadParameter(() => filter(Post, "writer.email", "x", new Budget()), "writer.email", "Post has no relation 'writer'");
    assertBadParameter(() => filter(Post, "id", "one", new Budget()), "id", /valid integer/);
  });

  test("the list values of a query are counted together against max_list_values", () => {
    const budget = new Budget();
    const half = Array.from({ length: LIMITS.maxListValues }, (_, index) => String(index)).join(",");
    filter(Post, "id__in", half, budget);
    assertBadParameter(() => filter(Post, "author_id__in", "1", budget), "author_id__in", /list values in one query/);
  });
});

describe("where= documents", () => {
  test("AND / OR / NOT, a single object where a list is expected, and Prisma's operator names", () => {
    assert.deepEqual(where({ OR: { id: 1 } }), { OR: [{ id: { equals: 1 } }] });
    const checked = where({ AND: [{ title: { startsWith: "A" } }, { NOT: { status: "draft" } }] });
    assert.deepEqual(checked, { AND: [{ title: { startsWith: "A" } }, { NOT: { AND: [{ status: { equals: "draft" } }] } }] });
    assert.deepEqual(where({ OR: [] }), { id: { in: [] } }); // an empty OR matches nothing, as in SQL
  });

  test("a to-one relation compared with null: rows without one, or none when every row has one", () => {
    assert.deepEqual(checkWhere(models.Comment, { author: null }, "", { budget: new Budget(), depth: 0, steps: 0 }),
      { author: { is: null } });
    assert.deepEqual(where({ author: { is: null } }), { id: { in: [] } }); // a post always has an author
  });

  test("a value of the wrong JSON type is named by its JSON Pointer", () => {
    assertBadParameter(() => where({ OR: [{ title: "ok" }, { id: "one" }] }), "where at /OR/1/id", /valid integer/);
  });

  test("an unknown field is refused, and where= text must be JSON", () => {
    assertBadParameter(() => where({ secret: 1 }), "where at /secret", "Post has no field or relation 'secret'");
    assertBadParameter(() => parseWhere("{title:"), "where", /^not valid JSON/);
  });
});

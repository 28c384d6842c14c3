// A small program written against the client @hey-api/openapi-ts generated from the blog's
// emitted document (in ./client), run against a live server: node blog.js BASE_URL.
// Compiled with `tsc --strict`; exits 1 when a step goes wrong.
import { client } from "./client/client.gen";
import {
  batch,
  bulkCreateUsers,
  createPost,
  createUser,
  deleteUser,
  getUser,
  listUsers,
  updatePosts,
  updateUser,
} from "./client/sdk.gen";
import type { BatchResults, Problem, UserRead } from "./client/types.gen";

// node's globals, declared here so the program needs no @types/node
declare const process: { argv: string[]; exit(code: number): never };

function check(condition: boolean, what: string, detail?: unknown): void {
  if (!condition) throw new Error(`${what}: ${JSON.stringify(detail)}`);
}

async function main(baseUrl: string): Promise<void> {
  client.setConfig({ baseUrl });
  // create one: typed UserRead, not UserRead | UserRead[]
  const created = await createUser({ body: { email: "ada@x.io", name: "Ada" } });
  check(created.response.status === 201 && created.data !== undefined, "create", created.error);
  const ada: UserRead = created.data!;
  check(created.response.headers.get("location") === `/users/${ada.id}`, "location");
  // bulk create: its own operation, a typed array
  const bulk = await bulkCreateUsers({
    body: [0, 1, 2, 3, 4].map((i) => ({ email: `user${i}@x.io`, name: `User ${i}` })),
  });
  const emails: string[] = (bulk.data ?? []).map((user: UserRead) => user.email);
  check(bulk.response.status === 201 && emails.length === 5, "bulk create", bulk.error);
  console.log("created 1 + 5");

  // list with filters (email__endswith=...&id__gt=...) and where (JSON text)
  const filtered = await listUsers({ query: { filters: { email__endswith: "@x.io", id__gt: ada.id } } });
  check(filtered.data?.meta.total === 5, "filters", filtered.data?.meta ?? filtered.error);
  const where = JSON.stringify({ OR: [{ name: "Ada" }, { email: { in: ["user3@x.io"] } }] });
  const matched = await listUsers({ query: { where, sort: "-email" } });
  const found = (matched.data?.data ?? []).map((user) => user.email);
  check(JSON.stringify(found) === JSON.stringify(["user3@x.io", "ada@x.io"]), "where", found);
  console.log("filtered");

  // cursor paging: follow meta.next_cursor to the end
  const seen: string[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await listUsers({ query: { limit: 2, sort: "email", ...(cursor ? { cursor } : {}) } });
    check(page.data !== undefined, "page", page.error);
    seen.push(...page.data!.data.map((user) => String(user.email)));
    cursor = page.data!.meta.next_cursor;
  } while (cursor);
  check(seen.length === 6 && [...seen].sort().join() === seen.join(), "cursor paging", seen);
  console.log(`paged ${seen.length} rows`);

  // get with its ETag; If-None-Match gives 304
  const read = await getUser({ path: { key: ada.id } });
  const etag = read.response.headers.get("etag") ?? "";
  check(read.response.status === 200 && read.data?.email === "ada@x.io" && etag !== "", "get", read.error);
  const again = await getUser({ path: { key: ada.id }, headers: { "If-None-Match": etag } });
  check(again.response.status === 304, "304", again.response.status);
  // PATCH with If-Match; the old ETag then gets 412
  const patched = await updateUser({ path: { key: ada.id }, body: { name: "Ada L." }, headers: { "If-Match": etag } });
  check(patched.response.status === 200 && patched.data?.name === "Ada L.", "if-match", patched.error);
  const stale = await updateUser({ path: { key: ada.id }, body: { name: "x" }, headers: { "If-Match": etag } });
  check(stale.response.status === 412, "412", stale.response.status);
  console.log("etag, 304, if-match, 412");

  // 409: a problem, typed as the document's Problem
  const duplicate = await createUser({ body: { email: "ada@x.io" } });
  const problem: Problem | undefined = duplicate.error as Problem | undefined;
  check(duplicate.response.status === 409 && problem?.status === 409, "409", problem);
  check(problem?.errors?.[0]?.pointer === "/email", "409 pointer", problem);
  console.log("409 problem");

  const deleted = await deleteUser({ path: { key: ada.id } });
  check(deleted.response.status === 204, "delete", deleted.response.status);
  const gone = await getUser({ path: { key: ada.id } });
  check(gone.response.status === 404, "404 after delete", gone.response.status);
  console.log("deleted");

  // the atomic batch: a user and a post referring to it, in one transaction
  const done = await batch({ body: { operations: [
    { op: "create", path: "/users", ref: "u", body: { email: "batch@x.io" } },
    { op: "create", path: "/posts", body: { title: "t", body: "b", author_id: { $ref: "u.id" } } },
  ] } });
  const results = done.data as BatchResults | undefined; // the 204 of return=minimal is not asked for
  const userId = results?.results[0]?.body?.id;
  check(done.response.status === 200 && results?.results[1]?.body?.author_id === userId, "batch", done.error);
  const refused = await batch({ body: { operations: [
    { op: "update", path: "/users", key: { id: userId }, body: { name: "B" } },
    { op: "delete", path: "/users", key: { id: Number(userId) + 1000 } },
  ] } });
  const rolled = refused.error as Problem | undefined;
  check(refused.response.status === 404 && rolled?.errors?.[0]?.pointer === "/operations/1/key", "batch 404", rolled);
  console.log("batch");

  // writes beyond CRUD: a nested create answered with its include, an upsert on a unique
  // field, a bulk PATCH by filter
  const author = Number(userId);
  const nested = await createPost({
    body: { title: "nested", body: "b", author: { connect: { id: author } },
            tags: { create: [{ name: "nested-tag" }] } },
    query: { include: "tags" },
  });
  const tags = (nested.data?.tags ?? []).map((tag) => tag.name);
  check(nested.response.status === 201 && JSON.stringify(tags) === '["nested-tag"]', "nested", nested.error ?? nested.data);
  const merged = await createUser({ body: { email: "batch@x.io", name: "Merged" },
                                    query: { on_conflict: "email" },
                                    headers: { Prefer: "resolution=merge-duplicates" } });
  check(merged.response.status === 200 && merged.data?.id === userId && merged.data?.name === "Merged", "upsert", merged.error);
  const archived = await updatePosts({ query: { filters: { author_id: author } }, body: { status: "archived" } });
  check(archived.response.status === 200, "bulk update", archived.error);
  const left = await listUsers({ query: { filters: { id: author }, include: "posts" } });
  const statuses = (left.data?.data[0]?.posts ?? []).map((post) => post.status);
  check(statuses.length === 2 && statuses.every((status) => status === "archived"), "bulk update", statuses);
  console.log("nested, upsert, bulk update");
}

main(process.argv[2] ?? "").catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

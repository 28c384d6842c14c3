import assert from "node:assert/strict";
import { test } from "node:test";
import { models } from "../src/meta.js";
import { imageWhere } from "../src/lib/realtime.js";
import { imageModelOf, type ImageMeta } from "../src/lib/meta.js";

const { Post } = models;
// Post's image model as the emitter would describe it: `author` is Post's own foreign key.
const IMAGE: ImageMeta = { model: "FbImagePost", delegate: "fbImagePost", feedField: "fbFeedId", row: "fbRow", own: ["author"],
  table: "\"fastbackend_image_posts\"" };

test("the feed's where on an image: own fields and own to-one relations stay, the rest goes through the row", () => {
  const where = {
    AND: [{ title: { startsWith: "a" } }, { author: { is: { email: { endsWith: "@x.io" } } } },
      { comments: { some: { body: { contains: "hi" } } } }],
    NOT: { tags: { some: { name: { equals: "x" } } } },
    OR: [{ id: { in: [1] } }, { comments: { none: {} }, tags: { some: {} } }],
  };
  assert.deepEqual(imageWhere(Post, IMAGE, where), {
    AND: [{ title: { startsWith: "a" } }, { author: { is: { email: { endsWith: "@x.io" } } } },
      { fbRow: { is: { comments: { some: { body: { contains: "hi" } } } } } }],
    NOT: { fbRow: { is: { tags: { some: { name: { equals: "x" } } } } } },
    OR: [{ id: { in: [1] } }, { fbRow: { is: { AND: [{ comments: { none: {} } }, { tags: { some: {} } }] } } }],
  });
});

test("a relation the image has not got, with fields beside it: both, ANDed", () => {
  assert.deepEqual(imageWhere(Post, IMAGE, { title: { equals: "t" }, comments: { some: {} } }),
    { AND: [{ title: { equals: "t" } }, { fbRow: { is: { comments: { some: {} } } } }] });
});

test("an image model as a model of its own (MySQL's case folding reads it): fields, its key, its relations", () => {
  const image = imageModelOf({ ...models, Post: { ...Post, image: IMAGE } }, "FbImagePost");
  assert.equal(image?.name, "FbImagePost");
  assert.deepEqual(image?.key, ["fbFeedId"]);
  assert.equal(image?.fields.at(-1)?.column, "fastbackend_feed_id");
  assert.deepEqual(image?.relations.map((relation) => [relation.name, relation.target]), [["author", "User"], ["fbRow", "Post"]]);
  assert.equal(imageModelOf(models, "FbImagePost"), undefined);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { parseJson, withoutBigInts } from "../src/lib/json.js";
import { jsonText } from "../src/lib/serialize.js";

test("integers beyond 2^53 are read as BigInt, every digit kept", () => {
  assert.deepEqual(parseJson('{"id": 9007199254740993, "n": [-9223372036854775808, 1]}'),
    { id: 9007199254740993n, n: [-9223372036854775808n, 1] });
});

test("safe integers, fractions and exponents stay numbers; digits inside strings are untouched", () => {
  assert.deepEqual(parseJson('[12, 1.5, 1e30, 12345678901234567890.5, "9007199254740993"]'),
    [12, 1.5, 1e30, Number("12345678901234567890.5"), "9007199254740993"]);
  assert.deepEqual(parseJson('{"a\\"9007199254740993": "x\\\\", "b": 9007199254740993}'),
    { 'a"9007199254740993': "x\\", b: 9007199254740993n });
});

test("malformed JSON and lone surrogates are SyntaxErrors", () => {
  assert.throws(() => parseJson("{"), SyntaxError);
  assert.throws(() => parseJson('"\\ud800"'), /lone surrogate/);
  assert.throws(() => parseJson('{"\\udc00": 1}'), /lone surrogate/);
  assert.equal(parseJson('"\\ud83d\\ude00"'), "\u{1F600}");
});

test("jsonText writes bigints as exact JSON numbers, and parseJson reads them back", () => {
  const body = { id: 9223372036854775807n, tags: [1n, "a"] };
  const text = jsonText(body);
  assert.equal(text, '{"id":9223372036854775807,"tags":[1,"a"]}');
  assert.deepEqual(parseJson(text), { id: 9223372036854775807n, tags: [1, "a"] });
});

test("withoutBigInts turns BigInts back into plain numbers, however deep", () => {
  assert.deepEqual(withoutBigInts({ a: [1n, { b: 2n }], c: "3" }), { a: [1, { b: 2 }], c: "3" });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FieldMeta, ScalarKind } from "../src/lib/meta.js";
import { ValueError, inUtcYears, parseText } from "../src/lib/values.js";

function field(kind: ScalarKind, extra: Partial<FieldMeta> = {}): FieldMeta {
  return { name: "f", column: "f", kind, list: false, nullable: false, readable: true, filterable: true, sortable: true, operators: [], groupable: false,
    aggregates: [], writable: true, timezone: false, scale: null, enumValues: [], ...extra };
}

describe("parseText", () => {
  test("integers are 32-bit, signed, and nothing else", () => {
    assert.equal(parseText(field("integer"), "-42"), -42);
    assert.equal(parseText(field("integer"), "+7"), 7);
    assert.equal(parseText(field("integer"), "2147483647"), 2147483647);
    assert.throws(() => parseText(field("integer"), "2147483648"), /less than or equal to 2147483647/);
    assert.throws(() => parseText(field("integer"), "-2147483649"), /greater than or equal to -2147483648/);
    for (const text of ["1.5", "1e3", "", " 1", "0x10"]) {
      assert.throws(() => parseText(field("integer"), text), ValueError, text);
    }
  });

  test("bigints keep every digit of a 64-bit integer", () => {
    assert.equal(parseText(field("bigint"), "9223372036854775807"), 9223372036854775807n);
    assert.throws(() => parseText(field("bigint"), "9223372036854775808"), /64-bit/);
    assert.throws(() => parseText(field("bigint"), "1.0"), /64-bit/);
  });

  test("floats are finite numbers", () => {
    assert.equal(parseText(field("float"), "2.5e1"), 25);
    for (const text of ["", "  ", "NaN", "Infinity", "abc"]) assert.throws(() => parseText(field("float"), text), ValueError);
  });

  test("decimals stay text and respect the scale, trailing zeros and exponents counted right", () => {
    const money = field("decimal", { scale: 2 });
    assert.equal(parseText(money, "12.30"), "12.30");
    assert.equal(parseText(money, "1.2300"), "1.2300"); // two significant places
    assert.equal(parseText(money, "123e-2"), "123e-2");
    assert.throws(() => parseText(money, "1.234"), /at most 2 decimal places/);
    assert.throws(() => parseText(money, "1e-3"), /at most 2 decimal places/);
    assert.throws(() => parseText(money, "1,5"), /decimal number/);
  });

  test("booleans accept the runtime's spellings, in any case", () => {
    for (const text of ["true", "1", "YES", "on", "t", "Y"]) assert.equal(parseText(field("boolean"), text), true, text);
    for (const text of ["false", "0", "No", "off", "f", "n"]) assert.equal(parseText(field("boolean"), text), false, text);
    assert.throws(() => parseText(field("boolean"), "maybe"), /must be a boolean/);
  });

  test("a date that the month does not have is refused, not rolled over", () => {
    assert.deepEqual(parseText(field("date"), "2024-02-29"), new Date("2024-02-29T00:00:00Z"));
    assert.throws(() => parseText(field("date"), "2023-02-29"), /that exists/);
    assert.throws(() => parseText(field("date"), "2024-2-1"), /YYYY-MM-DD/);
  });

  test("a datetime without offset is UTC wall-clock time; a timezone column requires the offset", () => {
    assert.deepEqual(parseText(field("datetime"), "2024-05-01T10:00:00"), new Date("2024-05-01T10:00:00Z"));
    assert.deepEqual(parseText(field("datetime", { timezone: true }), "2024-05-01T12:00:00+02:00"),
      new Date("2024-05-01T10:00:00Z"));
    assert.throws(() => parseText(field("datetime", { timezone: true }), "2024-05-01T10:00:00"), /timezone info/);
    assert.throws(() => parseText(field("datetime"), "yesterday"), /RFC 3339/);
    assert.throws(() => parseText(field("datetime"), "0001-01-01T00:30:00+02:00"), /between years 1 and 9999/);
  });

  test("times read as a time of 1970-01-01 UTC", () => {
    assert.deepEqual(parseText(field("time"), "13:45:10.5"), new Date("1970-01-01T13:45:10.500Z"));
    assert.throws(() => parseText(field("time"), "25:00:00"), /a time/);
  });

  test("UUIDs are normalised to the lower-case hyphenated form", () => {
    assert.equal(parseText(field("uuid"), "A0EEBC999C0B4EF8BB6D6BB9BD380A11"), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    assert.throws(() => parseText(field("uuid"), "a0eebc99"), /must be a UUID/);
  });

  test("an enum value must be one of the declared ones, named as pydantic names them", () => {
    const status = field("enum", { enumValues: ["draft", "published", "archived"] });
    assert.equal(parseText(status, "draft"), "draft");
    assert.throws(() => parseText(status, "Draft"), { message: "Input should be 'draft', 'published' or 'archived'" });
  });

  test("text may not hold NUL; JSON and bytes take no query-string value", () => {
    assert.equal(parseText(field("string"), "a b"), "a b");
    assert.throws(() => parseText(field("string"), "a\u0000b"), /NUL/);
    assert.throws(() => parseText(field("json"), "{}"), /use where=/);
    assert.throws(() => parseText(field("bytes"), "AA=="), ValueError);
  });
});

test("inUtcYears is the runtime's range of datetimes", () => {
  assert.equal(inUtcYears(new Date("0001-01-01T00:00:00Z")), true);
  assert.equal(inUtcYears(new Date("9999-12-31T23:59:59Z")), true);
  assert.equal(inUtcYears(new Date("+010000-01-01T00:00:00Z")), false);
});

// JSON text in, without losing 64-bit integers: JSON.parse rounds integers beyond 2^53, so
// such literals (outside strings) are read as BigInt instead.

const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;
// A string that starts with NUL marks an integer literal (NUL is refused in every text field).
const MARK = "\u0000";

// A \ud800-\udfff escape without its pair: not Unicode text (the runtime's parser refuses it too;
// written to the database it would become U+FFFD).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function parseJson(text: string): unknown {
  return JSON.parse(markLargeIntegers(text), (key, value: unknown) => {
    if (LONE_SURROGATE.test(key) || (typeof value === "string" && LONE_SURROGATE.test(value))) {
      throw new SyntaxError("a string holds a lone surrogate");
    }
    return typeof value === "string" && value.startsWith(MARK) ? BigInt(value.slice(MARK.length)) : value;
  });
}

function markLargeIntegers(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      index = endOfString(text, index);
      continue;
    }
    NUMBER.lastIndex = index;
    const match = char === "-" || (char !== undefined && char >= "0" && char <= "9") ? NUMBER.exec(text) : null;
    if (match === null) {
      index += 1;
      continue;
    }
    const literal = match[0];
    if (match[1] === undefined && match[2] === undefined && !Number.isSafeInteger(Number(literal))) {
      parts.push(text.slice(copied, index), `"\\u0000${literal}"`);
      copied = index + literal.length;
    }
    index += literal.length;
  }
  parts.push(text.slice(copied));
  return parts.join("");
}

function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') index += text[index] === "\\" ? 2 : 1;
  return index + 1;
}

/** Back to plain JSON numbers (as JSON.parse would give), for JSON columns. */
export function withoutBigInts(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(withoutBigInts);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutBigInts(item)]));
  }
  return value;
}

// Prisma's own schema engines as a test oracle: one node process for a whole corpus, both majors.
// stdin: JSON {"schemas": [{"id": ..., "engine": "6" | "7", "files": [[name, text], ...]}]}
// stdout: JSON [{"id", "ok", "dmmf" | "message"}] in the same order.
"use strict";
const path = require("path");

const engines = {};

function loadEngine(major) {
  if (!engines[major]) {
    const root = path.resolve(__dirname, "..", "..", "..", "node_modules");
    engines[major] = require(path.join(root, `prisma-schema-wasm-${major}`));
  }
  return engines[major];
}

function run(engine, schema) {
  const params = JSON.stringify({ prismaSchema: schema.files, noColor: true });
  try {
    // get_datamodel is get_dmmf's `datamodel`, the same JSON (checked on the whole corpus), without
    // the query schema: 212 ms instead of 14.5 s for a 168-model schema.
    const datamodel = JSON.parse(engine.get_datamodel(params));
    return { id: schema.id, ok: true, dmmf: datamodel, warnings: lint(engine, schema) };
  } catch (error) {
    const raw = String(error && error.message ? error.message : error);
    try {
      return { id: schema.id, ok: false, message: JSON.parse(raw).message };
    } catch (_) {
      // Not a schema error but an engine crash (it panics on some non-ASCII names):
      // validate() still says whether Prisma accepts the schema.
      return validateOnly(engine, params, schema.id, raw);
    }
  }
}

// Prisma's warnings, each with its file and the byte offset where it starts.
function lint(engine, schema) {
  const found = JSON.parse(engine.lint(JSON.stringify(schema.files)));
  return found.filter((d) => d.is_warning).map((d) => ({ file: d.file_name, start: d.start, text: d.text }));
}

function validateOnly(engine, params, id, crash) {
  try {
    engine.validate(params);
    return { id, ok: true, dmmf: null, warnings: null, crash };
  } catch (error) {
    const raw = String(error && error.message ? error.message : error);
    try {
      return { id, ok: false, message: JSON.parse(raw).message };
    } catch (_) {
      return { id, ok: false, message: raw, crash };
    }
  }
}

// The best of `repeat` runs after a warm-up, as the Python side measures itself.
function timeDmmf(engine, schema, repeat) {
  const params = JSON.stringify({ prismaSchema: schema.files, noColor: true });
  engine.get_dmmf(params);
  let best = Infinity;
  for (let i = 0; i < repeat; i += 1) {
    const started = process.hrtime.bigint();
    engine.get_dmmf(params);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return best;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  let output;
  if (request.benchmark) {
    output = request.schemas.map((s) => ({ id: s.id, seconds: timeDmmf(loadEngine(s.engine), s, request.benchmark) }));
  } else {
    output = request.schemas.map((s) => run(loadEngine(s.engine), s));
  }
  process.stdout.write(JSON.stringify(output));
});

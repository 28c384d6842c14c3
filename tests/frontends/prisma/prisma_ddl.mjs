// Prisma's own schema engine (the one behind `prisma migrate diff`) as a test oracle: the SQL it
// would run to create each schema from an empty database, for PostgreSQL, CockroachDB and SQLite.
// stdin: JSON {"schemas": [{"id", "provider", "files": [[name, text], ...]}]}
// stdout: JSON [{"id", "ok", "sql" | "message"}] in the same order.
//
// The engine's WebAssembly build talks to the database through a driver adapter. Diffing from
// "empty" to a schema reads nothing from the database but the server's version (to tell
// CockroachDB from PostgreSQL), so a stand-in adapter answers that one query and nothing else.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const packageDir = path.resolve(here, "..", "..", "..", "node_modules", "prisma-schema-engine-wasm-7");
const bindings = await import(path.join(packageDir, "schema_engine_bg.js"));
const bytes = fs.readFileSync(path.join(packageDir, "schema_engine_bg.wasm"));
const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bindings });
bindings.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start();

const SERVERS = {
  postgresql: { adapter: "postgres", version: "PostgreSQL 16.4 on x86_64-pc-linux-gnu" },
  cockroachdb: { adapter: "postgres", version: "CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu)" },
  sqlite: { adapter: "sqlite", version: "3.45.0" },
};

function ok(value) {
  return { ok: true, value };
}

function standInAdapter(provider) {
  const server = SERVERS[provider];
  const connection = {
    provider: server.adapter,
    adapterName: "fastbackend-test-stand-in",
    async queryRaw(query) {
      if (query.sql.includes("version()")) {
        return ok({ columnNames: ["exists", "version", "numeric_version"], columnTypes: [5, 7, 0],
                    rows: [[true, server.version, 160004]] });
      }
      return ok({ columnNames: [], columnTypes: [], rows: [] });
    },
    async executeRaw() { return ok(0); },
    async executeScript() { return ok(undefined); },
    async startTransaction() { throw new Error("the stand-in adapter has no transactions"); },
    async dispose() { return ok(undefined); },
    getConnectionInfo() { return ok({ schemaName: "public", supportsRelationJoins: true }); },
  };
  return { provider: server.adapter, adapterName: connection.adapterName,
           async connect() { return ok(connection); },
           async connectToShadowDb() { return ok(connection); } };
}

async function creationScript(schema) {
  try {
    const engine = await bindings.SchemaEngine.new({ datamodels: schema.files }, () => {},
                                                     standInAdapter(schema.provider));
    const result = await engine.diff({
      from: { tag: "empty" },
      to: { tag: "schemaDatamodel", files: schema.files.map(([p, content]) => ({ path: p, content })) },
      script: true, exitCode: null, filters: { externalTables: [], externalEnums: [] },
    });
    engine.free();
    return { id: schema.id, ok: true, sql: result.stdout };
  } catch (error) {
    return { id: schema.id, ok: false, message: String(error && error.message ? error.message : error) };
  }
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const output = [];
for (const schema of request.schemas) output.push(await creationScript(schema));
process.stdout.write(JSON.stringify(output));

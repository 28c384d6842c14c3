// Change events (docs/events.md): every write records its events in the outbox table
// `fastbackend_events`, in the write's own transaction, as the FastAPI runtime's
// events/outbox.py does: the same columns and the same event JSON, so one delivery worker
// (`fastbackend worker`) sends what either server recorded. Which destinations an entity's
// operation goes to is the IR's decision, written by the emitter at each write site.
import { createHash, randomUUID } from "node:crypto";
import { Prisma } from "../generated/prisma/client.js";
import { fieldOf, type ModelMeta } from "./meta.js";
import { jsonText, property, serializeRow, serializeValue, type Json, type JsonObject } from "./serialize.js";
import { DATABASE_NAME } from "./sql.js";

export type EventOperation = "create" | "update" | "delete" | "link" | "unlink";

/** A link or unlink: the relation (on the owner's model), the target model and row. */
export interface LinkEvent {
  readonly relation: string;
  readonly target: ModelMeta;
  readonly targetRow: object;
}

/** What recording needs of a transaction's client. */
export type Executor = Pick<Prisma.TransactionClient, "$executeRaw" | "$queryRaw">;

/** The realtime feed's rows' destination (lib/realtime.ts): the runtime's, a name the config
 * cannot declare. */
export const REALTIME = "$realtime";
/** PostgreSQL: the channel each write NOTIFYs in its transaction, the runtime's. */
export const CHANNEL = "fastbackend_events";
const PENDING = "pending";
const DELIVERED = "delivered";
/** PostgreSQL: the realtime feed's advisory lock ("fbfeed"), the runtime's (its PostgreSQL
 * dialect's FEED_LOCK_KEY): a write holds it shared from its feed rows to its end, a stream
 * takes it exclusively to know which ids are settled (lib/realtime.ts, docs/events.md "Ids
 * follow commits"). */
export const FEED_LOCK_KEY = 0x666266656564;
/** MySQL / MariaDB: the realtime feed's gate, the runtime's (FEED_GATE of its dialects): a write
 * locks its one row shared from its feed rows to its end, a stream exclusively (InnoDB's row
 * locks are the transaction's; GET_LOCK's are the session's). */
export const FEED_GATE = "fastbackend_feed_gate";
const MAX_NOTIFY = 7000; // characters of one NOTIFY payload (PostgreSQL's limit is 8000 bytes)
const ROWS_PER_STATEMENT = 500; // 8 parameters a row: far below PostgreSQL's 65,535

/** A key value as the runtime's event holds it: Python's value, `default=str` for the rest
 * (a date-time is `str(datetime)`: a space, and the offset `+00:00`). */
function keyValue(model: ModelMeta, name: string, row: object): Json {
  const field = fieldOf(model, name);
  if (field === undefined) throw new Error(`key field ${name} is not a field of ${model.name}`);
  const value = serializeValue(field, property(row, name));
  if (field.kind === "datetime" && typeof value === "string") {
    return value.replace("T", " ").replace(/Z$/, "+00:00");
  }
  return value;
}

/** The row's key: its URL's fields, in order. */
export function eventKey(model: ModelMeta, row: object): Json[] {
  return model.key.map((name) => keyValue(model, name, row));
}

/** The event of one row, its fields in the runtime's order (events/outbox.py). */
export function eventOf(model: ModelMeta, operation: EventOperation, row: object, timestamp: number,
  changed: readonly string[] | null = null, link: LinkEvent | null = null): JsonObject {
  const event: JsonObject = {
    id: `evt_${randomUUID().replaceAll("-", "")}`, type: `${model.name}.${operation}`, timestamp,
    entity: model.name, operation, key: eventKey(model, row),
  };
  // a delete's data is the row as it was (its before image), as on the runtime
  if (operation !== "link" && operation !== "unlink") event.data = serializeRow(model, row);
  if (changed !== null) event.changed = [...changed].sort();
  if (link !== null) {
    event.relation = link.relation;
    event.target = link.target.name;
    event.target_key = eventKey(link.target, link.targetRow);
  }
  return event;
}

/** SHA-256 of the key's JSON: the outbox's `row_key`, the same for a row on both servers. */
export function rowKey(key: Json[]): string {
  return createHash("sha256").update(jsonText(key)).digest("hex");
}

/** Inserts the events of `rows` for each of `destinations` in the transaction `tx`: committed
 * with the write, rolled back with it. `$realtime` among them (the emitter adds it for the
 * entities of `events.realtime`) is the feed's row (lib/realtime.ts), written as the runtime
 * writes it: after the destinations' rows, one statement per event (ids in the events' order),
 * `delivered`, on PostgreSQL under the feed lock held shared (FEED_LOCK_KEY); the write then
 * NOTIFYs their ids (sent on commit only). Inside `deferringFeed(tx, ...)` the feed rows wait
 * for the transaction's end. */
export async function recordEvents(tx: Executor, model: ModelMeta, operation: EventOperation,
  destinations: readonly string[], rows: readonly object[], changed: readonly string[] | null = null,
  link: LinkEvent | null = null): Promise<void> {
  if (destinations.length === 0 || rows.length === 0) return;
  const realtime = destinations.includes(REALTIME);
  const sent = destinations.filter((name) => name !== REALTIME);
  const now = Date.now() / 1000;
  const values: Prisma.Sql[] = [];
  const feed: FeedRow[] = [];
  for (const row of rows) {
    const event = eventOf(model, operation, row, now, changed, link);
    const payload = jsonText(event);
    const key = rowKey(event.key as Json[]);
    for (const destination of sent) {
      values.push(Prisma.sql`(${event.id}, ${destination}, ${model.name}, ${operation}, ${key}, ${payload}, ${PENDING}, 0, ${now}, ${now})`);
    }
    if (realtime) {
      feed.push({
        values: Prisma.sql`(${event.id}, ${REALTIME}, ${model.name}, ${operation}, ${key}, ${payload}, ${DELIVERED}, 0, ${now}, ${now}, ${now})`,
        image: IMAGED.has(operation) && model.image !== undefined ? { model, row } : null,
      });
    }
  }
  for (let start = 0; start < values.length; start += ROWS_PER_STATEMENT) {
    const chunk = values.slice(start, start + ROWS_PER_STATEMENT);
    await tx.$executeRaw`INSERT INTO fastbackend_events (event_id, destination, entity, operation, row_key, payload, status, attempts, created_at, next_attempt_at) VALUES ${Prisma.join(chunk)}`;
  }
  const deferred = DEFERRED.get(tx);
  if (deferred === undefined) {
    await insertFeed(tx, feed, values.length > 0);
    return;
  }
  deferred.feed.push(...feed);
  deferred.wake ||= values.length > 0;
}

/** A deferring transaction's feed rows, and whether it recorded destinations' rows (the
 * runtime's events/outbox.py `_Pending`). */
interface Deferred {
  readonly feed: FeedRow[];
  wake: boolean;
}

/** A feed row's values and, for a create, an update or a delete of a model with an image table,
 * the row its image is made of (a create's and an update's after image, a delete's before
 * image): the runtime's events/outbox.py `_Feed`. */
interface FeedRow {
  readonly values: Prisma.Sql;
  readonly image: { readonly model: ModelMeta; readonly row: object } | null;
}

const IMAGED = new Set<EventOperation>(["create", "update", "delete"]);

const DEFERRED = new WeakMap<object, Deferred>();

/** Runs `work`, a write's whole transaction on `tx`, with the realtime feed rows its writes
 * record inserted at its end, just before the commit, as the runtime's `Outbox.deferring`:
 * on PostgreSQL the feed lock is then held only from there to the commit, taken after every
 * row lock the write needs (no deadlock, no stream waiting for a long transaction), and the
 * feed rows' ids are the transaction's last (docs/events.md "Ids follow commits"). A
 * transaction deferring already (a route's, inside an atomic batch) keeps its rows for its
 * own end. */
export async function deferringFeed<R>(tx: Executor, work: () => Promise<R>): Promise<R> {
  if (DEFERRED.has(tx)) return work();
  const deferred: Deferred = { feed: [], wake: false };
  DEFERRED.set(tx, deferred);
  try {
    const result = await work();
    DEFERRED.delete(tx);
    await insertFeed(tx, deferred.feed, deferred.wake);
    return result;
  } finally {
    DEFERRED.delete(tx);
  }
}

/** The feed rows, on PostgreSQL after the feed lock held shared, one statement each (ids in
 * the events' order), each with its row's image (the model's image table: lib/realtime.ts
 * judges the event by it); then, on PostgreSQL, the NOTIFY (`wake`: destinations' rows were
 * recorded, for the delivery workers). */
async function insertFeed(tx: Executor, feed: readonly FeedRow[], wake: boolean): Promise<void> {
  const ids: number[] = [];
  if (feed.length > 0) await lockFeed(tx);
  for (const row of feed) {
    const id = await insertFeedRow(tx, row.values);
    ids.push(id);
    if (row.image !== null) await insertImage(tx, row.image.model, row.image.row, id);
  }
  if (DATABASE_NAME === "postgresql" && (ids.length > 0 || wake)) await notify(tx, ids);
}

/** The lock a write holds from its feed rows to its end, the runtime's (Dialect.lock_feed):
 * shared, so writers do not wait for each other. On MySQL a gate without its row (the table as
 * a migration made it) gets it from the first write, which then holds it exclusively. */
async function lockFeed(tx: Executor): Promise<void> {
  if (DATABASE_NAME === "postgresql") {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock_shared(${FEED_LOCK_KEY})::text AS locked`;
    return;
  }
  const shared = Prisma.sql`SELECT id FROM ${Prisma.raw(FEED_GATE)} WHERE id = 1 LOCK IN SHARE MODE`;
  if ((await tx.$queryRaw<unknown[]>`${shared}`).length > 0) return;
  await tx.$executeRaw`INSERT IGNORE INTO ${Prisma.raw(FEED_GATE)} (id) VALUES (1)`;
  await tx.$queryRaw`${shared}`;
}

/** The image of `row` for the feed row `id`: every field of the model, hidden ones included
 * (the runtime judges its row scope by them), through the image's Prisma model. */
async function insertImage(tx: Executor, model: ModelMeta, row: object, id: number): Promise<void> {
  const image = model.image;
  if (image === undefined) return;
  const data: Record<string, unknown> = { [image.feedField]: BigInt(id) };
  for (const field of model.fields) {
    const value = property(row, field.name);
    if (value === undefined) continue;
    data[field.name] = value === null && field.kind === "json" ? Prisma.DbNull : value;
  }
  const delegate = (tx as unknown as Record<string, { create(args: object): Promise<unknown> }>)[image.delegate];
  if (delegate === undefined) throw new Error(`no Prisma model ${image.delegate} for ${model.name}'s images`);
  await delegate.create({ data, select: { [image.feedField]: true } });
}

async function insertFeedRow(tx: Executor, row: Prisma.Sql): Promise<number> {
  const insert = Prisma.sql`INSERT INTO fastbackend_events (event_id, destination, entity, operation, row_key, payload, status, attempts, created_at, next_attempt_at, delivered_at) VALUES ${row}`;
  if (DATABASE_NAME === "postgresql") {
    const [inserted] = await tx.$queryRaw<{ id: unknown }[]>`${insert} RETURNING id`;
    return Number(inserted?.id);
  }
  await tx.$executeRaw`${insert}`;
  const [inserted] = await tx.$queryRaw<{ id: unknown }[]>`SELECT LAST_INSERT_ID() AS id`;
  return Number(inserted?.id);
}

/** NOTIFY in the write's transaction, as the runtime does: PostgreSQL sends it on commit, never
 * on rollback. Wakes the delivery workers that listen (any payload) and the realtime feeds (the
 * feed rows' ids, comma-separated, in chunks under PostgreSQL's limit). */
async function notify(tx: Executor, ids: readonly number[]): Promise<void> {
  const chunks: string[] = [];
  let current = "";
  for (const text of ids.map(String)) {
    if (current !== "" && current.length + text.length + 1 > MAX_NOTIFY) {
      chunks.push(current);
      current = "";
    }
    current = current === "" ? text : `${current},${text}`;
  }
  chunks.push(current);
  for (const chunk of chunks) await tx.$queryRaw`SELECT pg_notify(${CHANNEL}, ${chunk})::text AS sent`;
}

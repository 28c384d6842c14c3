// The realtime feed, GET {path}/changes (docs/events.md "Realtime"): Server-Sent Events of an
// entity's change events, as the FastAPI runtime serves them (events/realtime.py,
// routes/changes.py). Each write of a realtime entity inserts one outbox row per event for the
// feed (destination `$realtime`, lib/events.ts); its id is the event's `id:`. The hub wakes the
// open streams:
// - PostgreSQL: one connection per server LISTENs on `fastbackend_events` (made by src/db.ts with
//   the project's `pg` driver); each write NOTIFYs in its own transaction, so on commit only:
//   every server's streams see every server's writes.
// - MySQL / MariaDB: the hub reads the outbox's last id every POLL_MS while a stream is open and
//   wakes the streams when it grew.
// A woken stream reads the rows after its position up to the settled id: the latest id read
// while holding the feed lock exclusively (PostgreSQL's advisory lock, MySQL's gate row; writes
// hold it shared from their feed rows to their end: lib/events.ts), so a lower id that commits
// after a higher one is never skipped (docs/events.md "Ids follow commits").
// Streams end when the server stops (closeFeeds, called by src/server.ts before it waits for
// open connections).
import type { Request, RequestHandler, Response } from "express";
import { Prisma } from "../generated/prisma/client.js";
import { CHANNEL, FEED_GATE, FEED_LOCK_KEY, REALTIME, eventKey } from "./events.js";
import type { Where } from "./filters.js";
import { keyWhere } from "./keys.js";
import { log } from "./logs.js";
import { relationOf, type ImageMeta, type ModelMeta } from "./meta.js";
import { Problem } from "./problem.js";
import { parseFeedFilter } from "./query.js";
import { jsonText, type Json } from "./serialize.js";
import { DATABASE_NAME } from "./sql.js";

const SCOPE_KEY = "_scope"; // a deleted row's scope values in the runtime's feed rows: never sent
const BATCH = 500; // feed rows read at once
const READY_MS = 10_000; // a stream waits this long at most for the LISTEN connection
const EVENTS = { logger: "fastbackend.events" }; // the runtime's events logger
const RETRY_MS = 1000; // a lost LISTEN connection is opened again after this long
const POLL_MS = 200; // without LISTEN: how often the hub looks for new feed rows
const SETTLE_ATTEMPTS = 3; // MySQL: a settled id's read, rolled back by a deadlock, is read again
const DEADLOCK = /\b1213\b|deadlock|P2034/i; // InnoDB's deadlock, as Prisma reports it
/** The marker row's destination holding the highest feed row id pruned (the runtime's
 * events/retention.py): a stream below it sends `reset` (docs/events.md "Retention"). */
const PRUNED = "$realtime-pruned";
const RESET_DATA = JSON.stringify({ reason: "expired",
  detail: "events after the client's last one are no longer kept: reload, then go on from this event's id" });

/** How long, and how many, feed rows the server keeps (the IR's events.retentionSeconds and
 * events.retentionRows). */
export interface Retention {
  readonly seconds: number;
  readonly rows: number | null;
}

function pruneMs(): number {
  const value = Number(process.env.FASTBACKEND_FEED_PRUNE_SECONDS ?? "");
  return Number.isFinite(value) && value > 0 ? value * 1000 : 60_000;
}
const HEADERS = { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache",
  "X-Accel-Buffering": "no" }; // nginx: do not buffer

/** Opens PostgreSQL's LISTEN on CHANNEL: `notify` per notification's payload, `lost` when the
 * connection fails; resolves to its closing function (src/db.ts, with the `pg` driver). */
export type Listen = (notify: (payload: string) => void, lost: (error: unknown) => void)
  => Promise<() => Promise<void>>;

type Raw = Pick<Prisma.TransactionClient, "$queryRaw">;
/** The Prisma client: its reads, and an interactive transaction for the settled id. */
type Db = Raw & { $transaction<R>(work: (tx: Prisma.TransactionClient) => Promise<R>): Promise<R> };
/** Feed rows' ids from a NOTIFY (in commit order), or null: "read past your last id". */
type Wake = readonly number[] | null;

interface FeedRow {
  readonly id: number;
  readonly operation: string;
  readonly payload: string;
}

/** One open stream's wakes, and the promise of the next one. */
class Subscription {
  readonly wakes: Wake[] = [];
  private waiter: (() => void) | null = null;

  push(wake: Wake): void {
    this.wakes.push(wake);
    this.poke();
  }

  poke(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  /** Resolves on the next wake, on poke(), or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.wakes.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.poke(), ms);
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

class Hub {
  private listen: Listen | null = null;
  private readonly subscriptions = new Set<Subscription>();
  private started = false;
  private ready: Promise<void> = Promise.resolve();
  private stopListening: (() => Promise<void>) | null = null;
  private poller: NodeJS.Timeout | null = null;
  private polledId = -1;
  private pruner: NodeJS.Timeout | null = null;
  closing = false;

  get listens(): boolean {
    return this.listen !== null;
  }

  useListen(listen: Listen): void {
    this.listen = listen;
  }

  /** The LISTEN connection (or the poll) once the first stream opens; a stream waits for it. */
  start(db: Raw): Promise<void> {
    if (!this.started) {
      this.started = true;
      if (this.listen !== null) {
        const listen = this.listen;
        this.ready = new Promise((resolve) => void this.connect(listen, resolve));
      } else {
        this.poller = setInterval(() => void this.poll(db), POLL_MS);
        this.poller.unref();
      }
    }
    return Promise.race([this.ready, new Promise<void>((resolve) => setTimeout(() => {
      resolve();
    }, READY_MS).unref())]);
  }

  private async connect(listen: Listen, connected: () => void): Promise<void> {
    while (!this.closing) {
      try {
        let lost: (error: unknown) => void = () => undefined;
        const gone = new Promise<unknown>((resolve) => { lost = resolve; });
        this.stopListening = await listen((payload) => this.deliver(idsOf(payload)), (error) => lost(error));
        connected();
        const error = await gone;
        log("warning", `events: LISTEN ${CHANNEL} lost, again in ${RETRY_MS / 1000} s: ${String(error)}`, EVENTS);
      } catch (error) {
        log("warning", `events: LISTEN ${CHANNEL} failed, again in ${RETRY_MS / 1000} s: ${String(error)}`, EVENTS);
      }
      await this.stopListening?.().catch(() => undefined);
      this.stopListening = null;
      if (!this.closing) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  private async poll(db: Raw): Promise<void> {
    if (this.subscriptions.size === 0) return;
    try {
      const last = await lastId(db);
      if (last !== this.polledId) {
        this.polledId = last;
        this.deliver(null);
      }
    } catch (error) {
      log("warning", `events: the realtime poll failed: ${String(error)}`, EVENTS);
    }
  }

  private generation = 1; // wakes so far
  private settledAfter: { generation: number; id: Promise<number> } | null = null;

  /** The settled id, worked out once per wake for all the hub's streams (a value worked out
   * after a wake holds every row that wake announced, and a settled id stays settled): on
   * PostgreSQL each working-out queues writers behind an exclusive lock, so one per wake. */
  settled(db: Db): Promise<number> {
    const cached = this.settledAfter;
    if (cached !== null && cached.generation >= this.generation) return cached.id;
    const id = settledId(db);
    this.settledAfter = { generation: this.generation, id };
    id.catch(() => {
      if (this.settledAfter?.id === id) this.settledAfter = null; // not kept when it failed
    });
    return id;
  }

  /** The next `settled` works it out again (a heartbeat: a wake lost with the LISTEN
   * connection is caught up). */
  renew(): void {
    this.generation += 1;
  }

  private deliver(wake: Wake): void {
    this.generation += 1;
    for (const subscription of this.subscriptions) subscription.push(wake);
  }

  subscribe(): Subscription {
    const subscription = new Subscription();
    this.subscriptions.add(subscription);
    return subscription;
  }

  unsubscribe(subscription: Subscription): void {
    this.subscriptions.delete(subscription);
  }

  /** Prunes the feed rows past `retention` now and every FASTBACKEND_FEED_PRUNE_SECONDS (60):
   * from the server's start (the routers' construction), streams or not. */
  retain(db: Db, retention: Retention): void {
    if (this.pruner !== null || this.closing) return;
    const run = (): void => {
      prune(db, retention).catch((error: unknown) => {
        log("warning", `events: pruning the realtime feed failed: ${String(error)}`, EVENTS);
      });
    };
    this.pruner = setInterval(run, pruneMs());
    this.pruner.unref();
    run();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const subscription of this.subscriptions) subscription.poke();
    if (this.poller !== null) clearInterval(this.poller);
    if (this.pruner !== null) clearInterval(this.pruner);
    await this.stopListening?.().catch(() => undefined);
  }
}

const HUB = new Hub();
/** The realtime models' image tables (quoted), pruned with the feed rows. */
const IMAGE_TABLES = new Set<string>();

/** PostgreSQL: the feed's LISTEN connection (src/db.ts); without it, the hub polls. */
export function useListen(listen: Listen): void {
  HUB.useListen(listen);
}

/** Ends every open stream of this process and the LISTEN connection (the server is stopping). */
export function closeFeeds(): Promise<void> {
  return HUB.close();
}

function idsOf(payload: string): number[] {
  return payload.split(",").filter((part) => part !== "").map(Number);
}

async function lastId(db: Raw): Promise<number> {
  const rows = await db.$queryRaw<{ id: unknown }[]>`SELECT COALESCE(MAX(id), 0) AS id FROM fastbackend_events`;
  return Number(rows[0]?.id ?? 0);
}

function feedRows(rows: { id: unknown; operation: string; payload: string }[]): FeedRow[] {
  return rows.map((row) => ({ id: Number(row.id), operation: row.operation, payload: row.payload }));
}

/** The id below which no feed row can commit any more: the latest id once every write holding
 * the feed lock has ended (taking it exclusively waits for them; a later write's ids are
 * higher), read in that transaction (READ COMMITTED: src/db.ts). PostgreSQL's advisory lock;
 * MySQL's gate row, FOR UPDATE, read again after a deadlock (a write that locked the gate and
 * then waits for one queued behind this read: InnoDB rolls this read back), as the runtime's. */
async function settledId(db: Db): Promise<number> {
  if (DATABASE_NAME === "postgresql") {
    return db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${FEED_LOCK_KEY})::text AS locked`;
      return lastId(tx);
    });
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM ${Prisma.raw(FEED_GATE)} WHERE id = 1 FOR UPDATE`;
        return lastId(tx);
      });
    } catch (error) {
      if (attempt >= SETTLE_ATTEMPTS || !DEADLOCK.test(String(error))) throw error;
    }
  }
}

/** The entity's feed rows after `last` up to the settled id (at most BATCH), the position to
 * read on from, and whether rows after `last` were pruned (then none, and the settled id). */
async function rowsAfter(db: Db, entity: string, last: number): Promise<[FeedRow[], number, boolean]> {
  const settled = await HUB.settled(db);
  const rows = feedRows(await db.$queryRaw`SELECT id, operation, payload FROM fastbackend_events
    WHERE destination = ${REALTIME} AND entity = ${entity} AND id > ${last} AND id <= ${settled}
    ORDER BY id LIMIT ${BATCH}`);
  // read after the rows: a prune that took rows from this read is seen
  if (last < await prunedThrough(db)) return [[], Math.max(last, settled), true];
  const end = rows.at(-1);
  return [rows, rows.length === BATCH && end !== undefined ? end.id : Math.max(last, settled), false];
}

/** The highest feed row id pruned so far (0: none). */
async function prunedThrough(db: Raw): Promise<number> {
  const rows = await db.$queryRaw<{ payload: string }[]>`SELECT payload FROM fastbackend_events
    WHERE destination = ${PRUNED}`;
  return Math.max(0, ...rows.map((row) => Number(row.payload)).filter(Number.isSafeInteger));
}

function cut(rows: { id: unknown }[]): number | null {
  const value = rows[0]?.id;
  return value === undefined || value === null ? null : Number(value);
}

/** Deletes the feed rows older than `retention.seconds` or past the newest `retention.rows`
 * (a prefix by id) and records the highest id deleted, as the runtime does. */
async function prune(db: Db, retention: Retention): Promise<void> {
  const now = Date.now() / 1000;
  await db.$transaction(async (tx) => {
    const cuts = [cut(await tx.$queryRaw<{ id: unknown }[]>`SELECT MAX(id) AS id FROM fastbackend_events
      WHERE destination = ${REALTIME} AND created_at < ${now - retention.seconds}`)];
    if (retention.rows !== null) {
      cuts.push(cut(await tx.$queryRaw<{ id: unknown }[]>`SELECT id FROM fastbackend_events
        WHERE destination = ${REALTIME} ORDER BY id DESC LIMIT 1 OFFSET ${retention.rows}`));
    }
    const found = cuts.filter((value) => value !== null);
    if (found.length === 0) return;
    const through = Math.max(...found, await prunedThrough(tx));
    await tx.$executeRaw`DELETE FROM fastbackend_events WHERE destination = ${REALTIME} AND id <= ${through}`;
    for (const table of IMAGE_TABLES) { // the feed rows' images go with them
      await tx.$executeRaw`DELETE FROM ${Prisma.raw(table)} WHERE fastbackend_feed_id <= ${through}`;
    }
    await tx.$executeRaw`DELETE FROM fastbackend_events WHERE destination = ${PRUNED}`;
    await tx.$executeRaw`INSERT INTO fastbackend_events (event_id, destination, entity, operation, row_key, payload, status, attempts, created_at, next_attempt_at, delivered_at)
      VALUES ('pruned', ${PRUNED}, '', 'prune', '', ${String(through)}, 'delivered', 0, ${now}, ${now}, ${now})`;
  });
}

function lastEventId(req: Request): number | null {
  const text = req.get("last-event-id");
  if (text === undefined || text.trim() === "") return null;
  if (!/^\d+$/.test(text.trim())) {
    throw new Problem(400, "malformed-header", "Last-Event-ID must be the id of an event this feed sent (digits)");
  }
  return Number(text.trim());
}

/** The route: `find` reads the model's rows of a Prisma `where` (the router's delegate). */
export function changesRoute(db: Db, model: ModelMeta, heartbeatSeconds: number, retention: Retention,
  find: (where: Where) => Promise<object[]>): RequestHandler {
  if (model.image !== undefined) IMAGE_TABLES.add(model.image.table);
  HUB.retain(db, retention);
  return async (req, res) => {
    const filter = parseFeedFilter(model, req);
    const last = lastEventId(req);
    await new Feed(db, model, filter, find, heartbeatSeconds * 1000).stream(req, res, last);
  };
}

/** One open stream: its filter, and where it is in the outbox. */
class Feed {
  constructor(private readonly db: Db, private readonly model: ModelMeta, private readonly filter: Where,
    private readonly find: (where: Where) => Promise<object[]>, private readonly heartbeatMs: number) {}

  async stream(req: Request, res: Response, from: number | null): Promise<void> {
    const subscription = HUB.subscribe();
    let gone = false;
    res.on("close", () => {
      gone = true;
      subscription.poke();
    });
    try {
      await HUB.start(this.db);
      HUB.renew(); // a stream opens on a settled id worked out afresh
      let last = from ?? await HUB.settled(this.db);
      res.writeHead(200, HEADERS);
      for (;;) { // the outbox after Last-Event-ID, then live
        const [frames, next, more] = await this.read(last);
        last = next;
        res.write(frames);
        if (!more) break;
      }
      res.write(": open\n\n"); // a first byte: the client knows it is live
      while (!gone && !HUB.closing) {
        await subscription.wait(this.heartbeatMs);
        if (gone || HUB.closing) break;
        const woken = subscription.wakes.splice(0).length > 0;
        if (!woken) HUB.renew();
        // on every wake, and at each heartbeat too (a wake lost with the LISTEN connection)
        for (let more = true; more;) {
          const [frames, next, again] = await this.read(last);
          last = next;
          more = again;
          res.write(frames);
        }
        if (!woken) res.write(": heartbeat\n\n");
      }
    } catch (error) {
      if (!res.headersSent) throw error;
      log("error", `events: a realtime stream of ${this.model.name} failed: ${String(error)}`, EVENTS);
    } finally {
      HUB.unsubscribe(subscription);
      res.end();
    }
  }

  /** The frames of the rows after `last` (a `reset` when some were pruned: the client reloads,
   * docs/events.md "Retention"), the new position, and whether more rows may follow at once. */
  private async read(last: number): Promise<[string, number, boolean]> {
    const [rows, position, expired] = await rowsAfter(this.db, this.model.name, last);
    if (expired) return [`id: ${position}\nevent: reset\ndata: ${RESET_DATA}\n\n`, position, false];
    return [await this.frames(rows), position, rows.length === BATCH];
  }

  /** The rows' frames, each event judged by the row image it carries (the model's image table,
   * as the runtime's routes/changes.py): a create's and an update's when their image matches
   * the filters, an update's whose image does not as `leave` (the key, no data), a delete's
   * always (no row scope on this server). A link, an unlink, or an event without an image
   * (written before the image tables): when its row, as the database holds it now, matches. */
  private async frames(rows: readonly FeedRow[]): Promise<string> {
    if (rows.length === 0) return "";
    const events = rows.map((row) => JSON.parse(row.payload) as Record<string, unknown> & { operation: string; key: Json[] });
    const imaged = rows.filter((row) => IMAGED.has(row.operation)).map((row) => row.id);
    const [images, matched] = imaged.length === 0 ? [new Set<number>(), new Set<number>()] : await this.judged(imaged);
    const live = events.filter((event, index) => !images.has(rows[index]?.id ?? -1) && event.operation !== "delete");
    const matching = live.length === 0 ? new Set<string>() : await this.matching(live.map((event) => event.key));
    return events.map((event, index) => {
      const row = rows[index];
      if (row === undefined) return "";
      const name = verdict(event.operation, images.has(row.id) ? matched.has(row.id) : null,
        matching.has(jsonText(event.key)));
      if (name === null) return "";
      if (name === LEAVE) return `id: ${row.id}\nevent: ${LEAVE}\ndata: ${leaveData(event)}\n\n`;
      return `id: ${row.id}\nevent: ${row.operation}\ndata: ${withoutScope(row.payload)}\n\n`;
    }).join("");
  }

  /** Among the feed rows `ids`, those with an image, and those whose image the list's `where`
   * holds: the `where` rewritten onto the image model (imageWhere). */
  private async judged(ids: readonly number[]): Promise<[Set<number>, Set<number>]> {
    const image = this.model.image;
    if (image === undefined) return [new Set(), new Set()];
    const delegate = (this.db as unknown as Record<string, ImageDelegate>)[image.delegate];
    if (delegate === undefined) throw new Error(`no Prisma model ${image.delegate} for ${this.model.name}'s images`);
    const among = { [image.feedField]: { in: ids.map((id) => BigInt(id)) } };
    const select = { [image.feedField]: true };
    const idsOf = (found: Record<string, unknown>[]): Set<number> => new Set(found.map((row) => Number(row[image.feedField])));
    const all = idsOf(await delegate.findMany({ where: among, select }));
    const where = imageWhere(this.model, image, this.filter);
    const matched = idsOf(await delegate.findMany({ where: { AND: [among, where] }, select }));
    return [all, matched];
  }

  /** The keys (as JSON text) of the rows among `keys` that the list's `where` holds now. */
  private async matching(keys: readonly Json[][]): Promise<Set<string>> {
    const wheres = keys.map((key) => this.keyCondition(key)).filter((where) => where !== null);
    if (wheres.length === 0) return new Set();
    const rows = await this.find({ AND: [this.filter, { OR: wheres }] });
    return new Set(rows.map((row) => jsonText(eventKey(this.model, row))));
  }

  private keyCondition(key: readonly Json[]): Where | null {
    try {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a key value is a scalar
      return keyWhere(this.model, key.map((value) => String(value)).join(","));
    } catch {
      return null; // a key this model cannot hold: no row
    }
  }
}

type ImageDelegate = { findMany(args: object): Promise<Record<string, unknown>[]> };
const IMAGED = new Set(["create", "update", "delete"]); // the operations whose events carry an image
const LEAVE = "leave"; // an update whose image left the stream's filters
const LEAVE_KEYS = ["id", "type", "timestamp", "entity", "operation", "key"];

/** The event's name on a stream, or null when it is not sent: by its image when it has one
 * (`image`: whether it matches), else by the row now (`now`), as the runtime's `_verdict`. */
function verdict(operation: string, image: boolean | null, now: boolean): string | null {
  if (operation === "delete") return operation; // no row scope here: every subscriber
  if (image === null) return now ? operation : null;
  if (image) return operation;
  return operation === "update" ? LEAVE : null;
}

/** A `leave` event's data: the event without its row (and without `changed`). */
function leaveData(event: Record<string, unknown>): string {
  return jsonText(Object.fromEntries(LEAVE_KEYS.filter((key) => key in event).map((key) => [key, event[key]])) as Json);
}

/** The list's `where` on the model's image model (ImageMeta): the model's own fields are the
 * image's, and so are its to-one relations of its own foreign keys (`own`: the image's key picks
 * the related row); any other relation condition goes through the row of the image's key
 * (`row`), reading the related rows as they are. A rewrite of the tree, not an evaluation. */
export function imageWhere(model: ModelMeta, image: ImageMeta, where: Where): Where {
  const out: Where = {};
  const through: Where[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (key === "AND" || key === "OR" || key === "NOT") {
      out[key] = Array.isArray(value) ? value.map((item) => imageWhere(model, image, item as Where))
        : imageWhere(model, image, value as Where);
    } else if (relationOf(model, key) !== undefined && !image.own.includes(key)) {
      through.push({ [key]: value });
    } else {
      out[key] = value;
    }
  }
  if (through.length === 0) return out;
  const row = { [image.row]: { is: through.length === 1 ? through[0] : { AND: through } } };
  return Object.keys(out).length === 0 ? row : { AND: [out, row] };
}

/** The runtime's feed row of a delete may carry the row's scope values last, under `_scope`
 * (events/outbox.py): never sent. */
function withoutScope(payload: string): string {
  const at = payload.lastIndexOf(`,"${SCOPE_KEY}":`);
  if (at < 0) return payload;
  const parsed = JSON.parse(payload) as Record<string, unknown>;
  if (!(SCOPE_KEY in parsed)) return payload;
  return payload.slice(0, at) + "}";
}

/**
 * `node bench/compiled.mjs bench/outbox-cost.ts`: the CPU an event costs the app process with the analytics outbox,
 * in process (compiled like `npm run bench`, so no tsx wrappers), on PostgreSQL. A diagnostic for issue 15's event
 * route ratios, not a bench for docs/performance.md.
 *
 * The contact-sales domain call (`submitContactSales`: rate limits, validation, insert + `contact_sales_submitted` in
 * `withEvents`), `CONCURRENCY` at a time inside a request's visitor context (AsyncLocalStorage, as the route wrapper
 * does), with the sink of each scenario:
 *   noKey    the no-op sink (no row);
 *   write    the outbox sink, relay not started (the row write alone);
 *   on       the outbox sink, relay started against a stand-in that answers 200 (row + delivery; the round ends
 *            with a flush of what the linger still holds, so all of its delivery is inside the measurement);
 *   hanging  the outbox sink, relay started against a stand-in that accepts and never answers.
 *   floor    no outbox: the cheapest durable row there is, `insert into bench_floor default values` (one int column,
 *            no index), sent with the COMMIT as the outbox row is: what any row in the request's transaction costs;
 *   floorRow the outbox row's own SQL text (same values, same jsonb) into a copy of the table without its indexes,
 *            defaults or fillfactor: the row's content without the outbox's indexes.
 *            (The floors are not in the default scenarios: COST_SCENARIOS=noKey,floor,floorRow,write.)
 * The stand-ins run in a child process, so their CPU is not counted. Rounds interleave the scenarios (order rotated);
 * CPU per event is `process.cpuUsage()` (user + system, all threads) over the round ÷ events. Medians printed, plus
 * per-round values and the differences to noKey.
 * Socket writes and reads per event are counted too (round trips, exactly).
 * Then micro-timings without the database (building the rows, the insert's SQL; COST_MICRO=0 skips them) and the
 * relay alone (COST_RELAY=0 skips it): rows written beforehand, one relay draining them in batches of each of
 * COST_RELAY_SIZES (10,50,250), CPU per batch and per event; COST_RELAY_NOUSER=1 uses rows about no user (no consent
 * lookup), COST_RELAY_PROFILE=<prefix> writes a CPU profile of each drain.
 *
 * env: COST_ROUNDS (7), COST_EVENTS (1500 per round), COST_CONCURRENCY (20), COST_SCENARIOS (noKey,write,on,hanging),
 * COST_DDL (statements run once after the migrations: a schema variant).
 */
import { spawn } from "node:child_process";
import { resetConfigForTests } from "../lib/config";
import { closeDb, getDb } from "../lib/db/client";
import { getStore } from "../lib/store";
import { submitContactSales } from "../lib/forms/contact-sales";
import { events } from "../lib/telemetry/events";
import { NoopSink, OutboxSink, setSinkForTests, stageEvent, wireRows, writeOutboxRows, outboxInsertSql, type AnalyticsSink, type StagedEvent } from "../lib/telemetry/sink";
import { sendWithCommit } from "../lib/db/pipeline";
import type { Tx } from "../lib/db/client";
import { OutboxRelay } from "../lib/telemetry/relay";
import { withVisitor } from "../lib/telemetry/visitor";
import { analyticsOutbox } from "../lib/db/schema/telemetry";
import { createTestDatabase, dropTestDatabase } from "../tests/setup/services";
import { CONTACT_SALES_FORM, loadavg, median } from "./stats";
import { sql } from "drizzle-orm";
import net from "node:net";
import fs from "node:fs";
import inspector from "node:inspector";
import { AsyncLocalStorage, createHook } from "node:async_hooks";

/** CPU (ms) of every PostgreSQL server process on this machine, from /proc: the database's share of an event. */
function postgresCpuMs(): number {
  let ms = 0;
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const f = stat.split(") ")[1]!.split(" ");
      ms += (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      // gone
    }
  }
  return ms;
}

/** Socket writes and reads of this process (the database's and the stand-ins'): round trips, counted exactly. */
const io = { writes: 0, reads: 0 };
const origWrite = net.Socket.prototype.write;
net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
  io.writes++;
  return (origWrite as (...a: unknown[]) => boolean).apply(this, args);
} as typeof origWrite;
const origPush = net.Socket.prototype.push;
net.Socket.prototype.push = function (this: net.Socket, ...args: unknown[]) {
  if (args[0] !== null) io.reads++;
  return (origPush as (...a: unknown[]) => boolean).apply(this, args);
} as typeof origPush;

const ROUNDS = Number(process.env.COST_ROUNDS ?? 7);
const EVENTS = Number(process.env.COST_EVENTS ?? 1500);
const CONCURRENCY = Number(process.env.COST_CONCURRENCY ?? 20);
type Key = "noKey" | "write" | "on" | "hanging" | "floor" | "floorRow";
const KEYS = (process.env.COST_SCENARIOS ?? "noKey,write,on,hanging").split(",") as Key[];

/** Two stand-ins in a child process: one answers 200 to everything, one never answers. */
const STANDIN = `
const http = require("node:http");
let accepted = 0;
const ok = http.createServer((req, res) => { let n = 0; req.on("data", (c) => (n += c.length)); req.on("end", () => { accepted++; res.writeHead(200, {"content-type": "application/json"}); res.end('{"status":1}'); }); });
const hang = http.createServer((req) => { req.resume(); });
ok.listen(0, "127.0.0.1", () => hang.listen(0, "127.0.0.1", () => process.send({ ok: "http://127.0.0.1:" + ok.address().port, hang: "http://127.0.0.1:" + hang.address().port })));
process.on("disconnect", () => process.exit(0));
process.on("message", (m) => { if (m === "count") process.send({ accepted }); if (m === "stop") process.exit(0); });
`;

const body = CONTACT_SALES_FORM;
const request = new Request("http://127.0.0.1/api/contact-sales", { method: "POST" });

let dbName: string | undefined;

/** No outbox, no relay: one given statement sent with the COMMIT, as the outbox sink sends its row. */
function floorSink(text: (staged: StagedEvent[]) => string): AnalyticsSink {
  const noop = new NoopSink();
  return Object.assign(noop, { stageWithCommit: (tx: Tx, staged: StagedEvent[]) => sendWithCommit(tx, text(staged)) });
}

async function main() {
  const created = await createTestDatabase();
  dbName = created.name;
  process.env.DATABASE_URL = created.url;
  process.env.POSTHOG_API_KEY = "phc_bench";
  process.env.RATE_LIMIT_CONTACT_SALES_IP = "1000000000";
  process.env.RATE_LIMIT_CONTACT_SALES_EMAIL = "1000000000";
  delete process.env.REDIS_URL;
  resetConfigForTests();
  const child = spawn(process.execPath, ["-e", STANDIN], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const urls = await new Promise<{ ok: string; hang: string }>((r) => child.once("message", (m) => r(m as { ok: string; hang: string })));
  const db = await getDb();
  // COST_DDL=<statements>: run once after the migrations, to compare a schema variant (e.g. a fillfactor) in the same way.
  if (process.env.COST_DDL) await db.execute(sql.raw(process.env.COST_DDL));
  const store = await getStore();
  // No polling: a relay only sends after its own scenario's commits (rows of another scenario are deleted first).
  const relayOpts = { apiKey: "phc_bench", db: async () => db, pollMs: 1e9 };
  await db.execute(sql.raw("create table bench_floor (x int default 1)"));
  await db.execute(sql.raw("create table bench_floor_row (id bigint generated always as identity, user_id uuid, event text not null, distinct_id text not null, properties jsonb not null)"));
  const sinks: Record<Key, AnalyticsSink> = {
    noKey: new NoopSink(),
    floor: floorSink(() => "insert into bench_floor default values"),
    floorRow: floorSink((staged) => outboxInsertSql(wireRows(staged, "production")).replace(/^insert into analytics_outbox /, "insert into bench_floor_row ")),
    write: new OutboxSink("production", { ...relayOpts, host: urls.ok }),
    on: new OutboxSink("production", { ...relayOpts, host: urls.ok }),
    // After its first failure the hanging relay stays paused for the whole run (a production relay's backoff grows
    // to 5 min): were it to claim again, it would take the "on" scenario's rows out of its hands.
    hanging: new OutboxSink("production", { ...relayOpts, host: urls.hang, backoffMinMs: 600_000, backoffMaxMs: 600_000 }),
  };
  (sinks.on as OutboxSink).relay.start();
  (sinks.hanging as OutboxSink).relay.start();
  const pending = async () => Number((await db.execute<{ n: number }>(sql`select count(*)::int as n from analytics_outbox where dead_at is null`) as unknown as { n: number }[])[0]!.n);

  // COST_ALS=<n>: n more AsyncLocalStorage contexts around each call (Next's server runs requests inside several;
  // on Node 20 every promise pays for each enabled one).
  const extra = Array.from({ length: Number(process.env.COST_ALS ?? 0) }, () => new AsyncLocalStorage<object>());
  const inContexts = <T>(fn: () => T): T => extra.reduceRight<() => T>((inner, als) => () => als.run({}, inner), fn)();
  const submit = () =>
    inContexts(() => withVisitor(request, () => submitContactSales(db, store, body, { ip: "127.0.0.1", userAgent: "bench" })));
  async function round(key: Key): Promise<number> {
    setSinkForTests(sinks[key]);
    const c0 = process.cpuUsage();
    const w0 = io.writes, r0 = io.reads, pg0 = postgresCpuMs();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < EVENTS) await submit();
      }),
    );
    // What the linger has not sent yet goes now (no polling inside the measure).
    if (key === "on") await sinks.on.flush();
    const c = process.cpuUsage(c0);
    if (key === "on" && (await pending()) > 0) throw new Error("the 'on' relay left rows behind");
    ioPerEvent[key] = `${((io.writes - w0) / EVENTS).toFixed(2)} writes, ${((io.reads - r0) / EVENTS).toFixed(2)} reads`;
    pgPerEvent[key].push(((postgresCpuMs() - pg0) * 1000) / EVENTS);
    // The hanging relay's backlog and the write-only rows: gone before the next round, outside the measure.
    if (key !== "on") await db.delete(analyticsOutbox);
    if (key === "floor" || key === "floorRow") await db.execute(sql.raw("truncate bench_floor, bench_floor_row"));
    return (c.user + c.system) / EVENTS;
  }

  const ioPerEvent: Partial<Record<Key, string>> = {};
  const pgPerEvent = Object.fromEntries(KEYS.map((k) => [k, [] as number[]])) as Record<Key, number[]>;
  // COST_COUNT=1: one more round per scenario with an async hook counting what each event creates (promises,
  // timers, …): exact, where CPU time on this shared machine is not.
  if (process.env.COST_COUNT === "1") {
    const counts = new Map<string, number>();
    const hook = createHook({ init: (_id, type) => counts.set(type, (counts.get(type) ?? 0) + 1) });
    for (const k of KEYS) {
      await round(k); // warm
      counts.clear();
      hook.enable();
      await round(k);
      hook.disable();
      const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6);
      console.log(`${k.padEnd(8)} per event: ${top.map(([t, n]) => `${t} ${(n / EVENTS).toFixed(2)}`).join(", ")}; ${ioPerEvent[k]}`);
    }
  }
  const samples = Object.fromEntries(KEYS.map((k) => [k, [] as number[]])) as Record<Key, number[]>;
  console.log(`load average at start ${loadavg()}; ${ROUNDS} rounds × ${EVENTS} events, ${CONCURRENCY} at a time`);
  for (const k of KEYS) if (!(k in sinks)) throw new Error(`unknown scenario ${k}`);
  for (const k of KEYS) await round(k); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < KEYS.length; i++) {
      const k = KEYS[(i + r) % KEYS.length]!;
      samples[k].push(await round(k));
    }
  }
  console.log(`load average at end ${loadavg()}`);
  const base = samples.noKey?.length ? median(samples.noKey) : NaN;
  for (const k of KEYS) {
    const m = median(samples[k]);
    const diffs = samples[k].map((x, i) => x - (samples.noKey?.[i] ?? NaN));
    console.log(
      `${k.padEnd(8)} ${m.toFixed(0).padStart(5)} µs/event  (${samples[k].map((x) => x.toFixed(0)).join(", ")})  ` +
        `minus noKey per round: median ${median(diffs).toFixed(0)} µs; ratio noKey/this ${(base / m).toFixed(3)}; per event ${ioPerEvent[k]}; PostgreSQL ${median(pgPerEvent[k]).toFixed(0)} µs/event`,
    );
  }
  child.send("count");
  const accepted = await new Promise<number>((r) => child.once("message", (m) => r((m as { accepted: number }).accepted)));
  console.log(`stand-in accepted ${accepted} batches; 'on' relay sent ${(sinks.on as OutboxSink).relay.sentCount} events`);

  // Micro-timings, no database.
  if (process.env.COST_MICRO !== "0") micro(db);
  if (process.env.COST_RELAY !== "0") await relayCost(db, urls.ok);

  for (const k of ["on", "hanging", "write"] as const) await sinks[k].shutdown(1000);
  child.send("stop");
  await closeDb();
  await dropTestDatabase(created.name);
  process.exit(0);
}

/**
 * The relay alone: rows already in the outbox (written outside the measure), one relay draining them in batches of
 * `k` against the answering stand-in; CPU per batch and per event. What a batch costs whatever its size (claim,
 * request, delete) against what each row adds.
 */
async function relayCost(db: Awaited<ReturnType<typeof getDb>>, host: string) {
  const ev = events.contactSalesSubmitted({ inquiryId: "5b0c3f3e-8a3c-4d35-9d1e-0b8f0a6c1a11", companySize: "11-50", countryRegion: "UK", useCase: "evaluate", hasGoals: true, formSource: "page" });
  // COST_RELAY_NOUSER=1: the same event about no user (no `user_id` column), so the relay's consent pass has nothing to look up.
  if (process.env.COST_RELAY_NOUSER === "1") ev.distinctId = `inquiry:${ev.distinctId}`;
  const sizes = (process.env.COST_RELAY_SIZES ?? "10,50,250").split(",").map(Number);
  const rows = Number(process.env.COST_RELAY_ROWS ?? 5000);
  const out: Record<number, number[]> = {};
  // COST_RELAY_PROFILE=<path prefix>: a CPU profile of each drain alone (node:inspector), nothing else in it.
  const profile = process.env.COST_RELAY_PROFILE;
  const session = new inspector.Session();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, r) => (err ? reject(err) : resolve(r))));
  if (profile) {
    session.connect();
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: 100 });
  }
  for (let round = 0; round < 5; round++)
    for (const k of sizes) {
      await db.delete(analyticsOutbox);
      for (let i = 0; i < rows; i += 500) await writeOutboxRows(db, Array.from({ length: Math.min(500, rows - i) }, () => stageEvent(ev)), "production");
      // concurrency 1: the batches of a relay woken by commits go one at a time.
      const relay = new OutboxRelay({ apiKey: "phc_bench", host, db: async () => db, batchSize: k, concurrency: 1 });
      if (profile) await post("Profiler.start");
      const c0 = process.cpuUsage();
      await relay.flush();
      const c = process.cpuUsage(c0);
      if (profile) {
        const { profile: p } = (await post("Profiler.stop")) as { profile: unknown };
        fs.writeFileSync(`${profile}-${k}-${round}.cpuprofile`, JSON.stringify(p));
      }
      if (relay.sentCount !== rows) throw new Error(`relay sent ${relay.sentCount}/${rows}`);
      (out[k] ??= []).push((c.user + c.system) / (rows / k));
    }
  for (const k of sizes) {
    const perBatch = median(out[k]!);
    console.log(`relay, batches of ${String(k).padStart(4)}: ${perBatch.toFixed(0).padStart(6)} µs per batch, ${(perBatch / k).toFixed(1).padStart(6)} µs per event  (${out[k]!.map((x) => x.toFixed(0)).join(", ")})`);
  }
}

function micro(db: Awaited<ReturnType<typeof getDb>>) {
  const ev = events.contactSalesSubmitted({ inquiryId: "5b0c3f3e-8a3c-4d35-9d1e-0b8f0a6c1a11", companySize: "11-50", countryRegion: "UK", useCase: "evaluate", hasGoals: true, formSource: "page" });
  const time = (label: string, n: number, fn: () => unknown) => {
    for (let i = 0; i < n / 10; i++) fn();
    const xs: number[] = [];
    for (let k = 0; k < 5; k++) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) fn();
      const c = process.cpuUsage(c0);
      xs.push(((c.user + c.system) * 1000) / n);
    }
    console.log(`${label.padEnd(52)} ${median(xs).toFixed(0).padStart(6)} ns`);
  };
  const staged = [stageEvent(ev)];
  time("stageEvent (the visitor)", 100_000, () => stageEvent(ev));
  time("wireRows, 1 event", 100_000, () => wireRows(staged, "production"));
  time("outboxInsertSql(wireRows(1 event))", 100_000, () => outboxInsertSql(wireRows(staged, "production")));
  time("db.insert(analyticsOutbox).values(1 row).toSQL()", 20_000, () => db.insert(analyticsOutbox).values(wireRows(staged, "production")).toSQL());
}

main().catch(async (err) => {
  console.error(err);
  if (dbName) await dropTestDatabase(dbName).catch(() => {});
  process.exit(1);
});

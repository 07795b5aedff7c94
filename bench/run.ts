/**
 * `npm run bench`: telemetry benchmarks (issues 3 and 15), results written to docs/performance.md.
 *
 * Runs compiled (bench/compiled.mjs bundles this file with esbuild, no `__name` wrappers) and measures in
 * interleaved rounds (every measure once per round, five rounds), reporting medians of CPU time (not wall clock:
 * the machine is shared), with the load average and a
 * calibration loop per round, so a reader can tell a slow machine from slow code.
 *  (a) the parts of one `recordEvent` (builder, paired counter, staging for the outbox) and `observeHttpRequest`,
 *      with prom-client's own `counter.inc` for comparison; the outbox sink's relay really sends to a local answering
 *      stand-in in another process (sent > 0 asserted);
 *  (b) every catalog event through its emitter;
 *  (c) an event-recording route handler (a `withEvents` transaction on PGlite) with the outbox on (relay sending to
 *      the stand-in) vs the no-op sink, each request followed by an event-loop turn; sent > 0 asserted;
 *  (e) `/api/metrics`: CPU per scrape at 0–375 HTTP label sets, ours vs prom-client's renderer, with the business
 *      sampler registered and its snapshot cached.
 * (The old (d), a hanging PostHog host against the in-memory queue, went with that queue: with the outbox, events
 * wait in the database; `npm run bench:http` runs a server against a hanging host.)
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Counter, Registry } from "prom-client";
import { getDb } from "../lib/db/client";
import { json, route } from "../lib/http";
import { renderMetrics } from "../lib/telemetry/exposition";
import { events, type AnalyticsEvent } from "../lib/telemetry/events";
import { observeHttpRequest } from "../lib/telemetry/http";
import { registry } from "../lib/telemetry/metrics";
import { incForEvent, recordEvent, withEvents } from "../lib/telemetry/record";
import { NoopSink, OutboxSink, setSinkForTests, stageEvent } from "../lib/telemetry/sink";
import { recordTaskEvent } from "../lib/telemetry/tasks";
import { startCaptureServer } from "../tests/helpers/capture-server";
import { SAMPLE_EVENTS } from "../tests/helpers/telemetry-samples";
import { writePerformanceSection } from "./perf-doc";
import { calibrate, fmt, loadavg, machine, median } from "./stats";

process.env.ANALYTICS_DISABLED ??= "true";
process.env.DATA_DIR ??= "memory://";
// (e) scrapes with the business sampler registered (it needs a metrics token) and its snapshot cached all along.
process.env.METRICS_TOKEN ??= "bench-token";
process.env.SAMPLER_ENABLED ??= "true";
process.env.SAMPLER_CACHE_TTL_MS ??= "3600000";

const ROUNDS = 5;
const ROUTE_ROUNDS = 7;
const ROUTE_MS = 800;
const CALLS = 200_000;
const SINK_CALLS = 20_000; // per round: rows written to the outbox and drained by the relay
const CHUNK = 2_000; // events per withEvents transaction (one multi-row insert at commit)

const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/**
 * CPU time of this process in ns (user + system). The machine runs ~10× more runnable threads than it has cores,
 * so wall-clock time mostly measures the scheduler; CPU time counts only the time the code actually ran.
 */
const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

async function outcomes(): Promise<Record<string, number>> {
  const m = await registry().getSingleMetric("tandem_analytics_events_total")!.get();
  return Object.fromEntries(m.values.map((v) => [String(v.labels.result), v.value]));
}

// Eight argument sets, so no call site sees one constant object.
const feedbackArgs = Array.from({ length: 8 }, (_, i) => ({
  userId: `user-${i}`,
  workspaceId: `ws-${i}`,
  kind: ["bug", "feature", "general", "praise"][i % 4],
  message: i % 2 ? "the button does nothing" : "![shot](https://x/y.png) see the screenshot, the save button is grey",
  platform: i % 3 ? "web" : "desktop",
  appVersion: "1.0.0",
}));
const feedbackEvents = feedbackArgs.map((a) => events.feedbackSubmitted(a));
const keep: unknown[] = new Array(8); // results land here so the optimiser cannot drop the calls

/** CPU ns per call of `fn(i)` over `n` calls, in one stretch. */
function loop(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < 5_000; i++) fn(i);
  const t = cpuNs();
  for (let i = 0; i < n; i++) fn(i);
  return (cpuNs() - t) / n;
}

/**
 * CPU ns per `recordEvent(event, tx)` with the outbox sink: calls in `withEvents` transactions of CHUNK events (their
 * rows are inserted at commit, then the relay sends them). Only the calls are timed — the caller's part; the
 * insert and the sending are in (c) and bench:http. Each chunk starts after the relay has sent everything before
 * it, so no send runs on other threads (posthog-style gzip on libuv's pool would count in process.cpuUsage).
 */
async function staged(sink: OutboxSink, n: number, fn: (i: number, tx: Parameters<typeof recordEvent>[1]) => void): Promise<number> {
  const db = await getDb();
  let ns = 0;
  for (let done = 0; done < n; done += CHUNK) {
    await sink.flush();
    await withEvents(db, async (tx) => {
      const t = cpuNs();
      for (let i = 0; i < CHUNK; i++) fn(done + i, tx);
      ns += cpuNs() - t;
    });
  }
  return ns / n;
}

// ---------------------------------------------------------------------------------------------------------------
// (c) route

/** As the app's event routes do: the change and its event in one `withEvents` transaction. */
const feedbackLike = route("/api/bench/feedback", async (req) => {
  const body = (await req.json()) as { message: string; kind: string };
  const platform = req.headers.get("x-client-platform") ?? "";
  await withEvents(await getDb(), (tx) =>
    recordEvent(events.feedbackSubmitted({ userId: "bench-user", kind: body.kind, message: body.message, platform, appVersion: "1.0.0" }), tx),
  );
  return json({ ok: true }, 201);
});

const request = () =>
  new Request("http://localhost/api/bench/feedback", {
    method: "POST",
    headers: { "content-type": "application/json", "x-client-platform": "web" },
    body: JSON.stringify({ message: "the button does nothing", kind: "bug" }),
  });

type Lat = { rps: number; p50: number; p99: number; cpuUs: number };

/**
 * One request at a time for `ms`, an event-loop turn after each (a server gives the sink that turn too). `cpuUs`:
 * this process's CPU per request over the whole stretch, the sink's background sending included.
 */
async function throughput(ms: number): Promise<Lat> {
  const lat: number[] = [];
  const c = cpuNs();
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t = performance.now();
    await feedbackLike(request());
    lat.push(performance.now() - t);
    await tick();
  }
  const cpuUs = (cpuNs() - c) / 1000 / lat.length;
  lat.sort((a, b) => a - b);
  return { rps: lat.length / (ms / 1000), p50: lat[Math.floor(lat.length * 0.5)] * 1000, p99: lat[Math.floor(lat.length * 0.99)] * 1000, cpuUs };
}

const medianLat = (ls: Lat[]): Lat => ({
  rps: median(ls.map((l) => l.rps)),
  p50: median(ls.map((l) => l.p50)),
  p99: median(ls.map((l) => l.p99)),
  cpuUs: median(ls.map((l) => l.cpuUs)),
});

// ---------------------------------------------------------------------------------------------------------------

type Row = { key: string; label: string; target?: number; before?: number; rounds: number[] };

/**
 * The arguments tests/helpers/telemetry-samples.ts passes to each builder, captured once, so (b) times the builder
 * and emitter, not the sample's own argument building (which spreads shared objects).
 */
function catalogCalls() {
  const e = events as unknown as Record<string, (a: unknown) => AnalyticsEvent>;
  return Object.entries(SAMPLE_EVENTS).map(([builder, make]) => {
    const fn = e[builder];
    let args: unknown;
    e[builder] = (a) => fn((args = a));
    const ev = make();
    e[builder] = fn;
    return { name: ev.name, task: Boolean(ev.task), fn, args, builderNs: [] as number[], emitNs: [] as number[] };
  });
}

async function main() {
  const loadStart = loadavg();
  const catalog = catalogCalls();
  const calib: number[] = [];
  const answering = await captureServerProcess();
  const noop = new NoopSink();
  const on = new OutboxSink("dev", { apiKey: "phc_bench", host: answering.url });
  on.relay.start();
  const bare = new Counter({ name: "bench_bare_total", help: "yardstick", labelNames: ["kind", "platform"], registers: [new Registry()] });

  // (a) parts of one recordEvent, interleaved
  const rows: Row[] = [
    { key: "builder", label: "builder `events.feedbackSubmitted(...)`", target: 150, before: 3595, rounds: [] },
    { key: "inc", label: "paired counter `incForEvent(event)`", target: 250, before: 302, rounds: [] },
    { key: "capture", label: "capture on the request path: `stageEvent(event)` (its visitor; the row, and its uuid, go in at commit)", target: 100, rounds: [] },
    { key: "recordNoop", label: "`recordEvent(events.feedbackSubmitted(...))`, no-op sink", rounds: [] },
    { key: "recordOn", label: "`recordEvent(events.feedbackSubmitted(...), tx)` in `withEvents`, outbox sink", target: 500, before: 4187, rounds: [] },
    { key: "http", label: "`observeHttpRequest(...)` (every request)", target: 400, before: 950, rounds: [] },
    { key: "bare", label: "for comparison: prom-client `counter.inc({kind, platform})`", before: 90, rounds: [] },
  ];
  const run: Record<string, () => Promise<number> | number> = {
    builder: () => loop(CALLS, (i) => (keep[i & 7] = events.feedbackSubmitted(feedbackArgs[i & 7]))),
    inc: () => loop(CALLS, (i) => incForEvent(feedbackEvents[i & 7])),
    capture: () => loop(CALLS, (i) => (keep[i & 7] = stageEvent(feedbackEvents[i & 7]))),
    recordNoop: () => {
      setSinkForTests(noop);
      return loop(CALLS, (i) => recordEvent(events.feedbackSubmitted(feedbackArgs[i & 7])));
    },
    recordOn: async () => {
      setSinkForTests(on);
      const ns = await staged(on, SINK_CALLS, (i, tx) => void recordEvent(events.feedbackSubmitted(feedbackArgs[i & 7]), tx));
      setSinkForTests(noop);
      return ns;
    },
    http: () => loop(CALLS, (i) => observeHttpRequest(i & 1 ? "POST" : "GET", "/api/feedback", i & 2 ? 201 : 200, 0.003 * (i & 7))),
    bare: () => loop(CALLS, (i) => bare.inc({ kind: i & 1 ? "bug" : "praise", platform: "web" })),
  };
  const before = await outcomes();
  for (let round = 0; round < ROUNDS; round++) {
    calib.push(calibrate());
    for (const row of rows) {
      await on.flush(); // nothing left sending in the background while a measure runs
      // Nor collecting: process CPU counts V8's helper threads, which would bill one row for the garbage of the one
      // before it (the outbox row's 20,000 transactions). compiled.mjs runs node with --expose-gc.
      (globalThis as { gc?: () => void }).gc?.();
      await sleep(10);
      row.rounds.push(await run[row.key]());
    }
  }
  await on.flush();
  const after = await outcomes();
  const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  const sinkA = { queued: delta("queued"), sent: delta("sent"), dropped: delta("dropped"), failed: delta("failed"), received: await answering.received() };
  if (!(sinkA.sent > 0 && sinkA.received > 0)) throw new Error(`bench (a): the outbox relay sent nothing: ${JSON.stringify(sinkA)}`);

  // (b) every catalog event through its emitter (no-op sink: the capture is in (a))
  setSinkForTests(noop);
  for (let round = 0; round < ROUNDS; round++) {
    calib.push(calibrate());
    for (const c of catalog) {
      const { fn, args } = c;
      c.builderNs.push(loop(20_000, (i) => (keep[i & 7] = fn(args))));
      c.emitNs.push(loop(20_000, c.task ? () => recordTaskEvent(fn(args)) : () => recordEvent(fn(args))));
    }
  }

  // (c) route, on vs no-op, interleaved
  const beforeC = await outcomes();
  const offRounds: Lat[] = [];
  const onRounds: Lat[] = [];
  setSinkForTests(noop);
  await throughput(300);
  for (let round = 0; round < ROUTE_ROUNDS; round++) {
    calib.push(calibrate());
    setSinkForTests(noop);
    offRounds.push(await throughput(ROUTE_MS));
    setSinkForTests(on);
    onRounds.push(await throughput(ROUTE_MS));
  }
  setSinkForTests(noop);
  await on.shutdown(5000);
  const afterC = await outcomes();
  const sinkC = Object.fromEntries(["queued", "sent", "dropped", "failed"].map((k) => [k, (afterC[k] ?? 0) - (beforeC[k] ?? 0)]));
  if (!(sinkC.sent > 0)) throw new Error(`bench (c): the outbox relay sent nothing: ${JSON.stringify(sinkC)}`);
  const ratios = onRounds.map((l, i) => l.rps / offRounds[i].rps);
  const cpuRatios = onRounds.map((l, i) => offRounds[i].cpuUs / l.cpuUs);
  await answering.stop();

  // (e) scrapes
  const scrape = await scrapeCost();

  const r: Results = {
    loadStart,
    loadEnd: loadavg(),
    calib,
    rows,
    sinkA,
    catalog: catalog.map((c) => ({ name: c.name, task: c.task, builder: median(c.builderNs), emit: median(c.emitNs) })),
    c: { noop: medianLat(offRounds), on: medianLat(onRounds), ratios, cpuRatios, sink: sinkC },
    scrape,
  };
  const section = render(r);
  writePerformanceSection("telemetry", section);
  console.log(section);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------------
// The PostHog stand-in runs in its own process, so its CPU is not counted against the "on" case.

async function captureServerProcess(): Promise<{ url: string; received(): Promise<number>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--capture-server"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`capture server exited with ${code}`)));
  });
  return {
    url,
    received: () =>
      new Promise<number>((resolve) => {
        child.once("message", (m) => resolve((m as { received: number }).received));
        child.send("count");
      }),
    stop: async () => {
      child.kill();
    },
  };
}

async function captureServerChild() {
  const server = await startCaptureServer();
  process.on("message", () => process.send!({ received: server.batchEvents().length }));
  process.send!({ url: server.url });
}

// ---------------------------------------------------------------------------------------------------------------
// (e) /api/metrics

type ScrapeRow = { sets: number; bytes: number; ours: number; prom: number };
/** One label set in this many is observed between two timed scrapes. */
const SCRAPE_CHANGED_EVERY = 5;

/** CPU ms (user + system) of one Prometheus-text scrape, median of 15, ours vs prom-client's, interleaved. */
async function scrapeCost(): Promise<{ rows: ScrapeRow[]; sampler: boolean }> {
  const cpu = async (fn: () => Promise<string>) => {
    const c = process.cpuUsage();
    const body = await fn();
    const d = process.cpuUsage(c);
    return { ms: (d.user + d.system) / 1000, bytes: Buffer.byteLength(body) };
  };
  const ours = () => renderMetrics(null).then((r) => r.body);
  const prom = () => registry().metrics();
  await ours(); // first scrape: the sampler refreshes its snapshot (opens the database); later ones read the cache
  const sampler = Boolean(registry().getSingleMetric("tandem_active_users"));
  const methods = ["GET", "POST", "PATCH"];
  const statuses = [200, 201, 400, 404, 500];
  // Label set k: 25 route patterns × 3 methods × 5 statuses at 375.
  const observeSet = (k: number, seconds: number) =>
    observeHttpRequest(methods[k % 3], `/api/bench/r${Math.floor(k / 15)}/[id]`, statuses[Math.floor(k / 3) % 5], seconds);
  let sets = 0;
  const rows: ScrapeRow[] = [];
  for (const target of [0, 125, 250, 375]) {
    for (; sets < target; sets++) observeSet(sets, 0.001 * (sets % 300));
    for (let i = 0; i < 3; i++) await ours(); // label text of the new series
    const o: number[] = [];
    const p: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 15; i++) {
      // Between two scrapes a fifth of the label sets get a request (a different fifth each time), as traffic would:
      // a renderer that kept unchanged series' text would otherwise be flattered by a registry that never changes.
      for (let k = i % SCRAPE_CHANGED_EVERY; k < sets; k += SCRAPE_CHANGED_EVERY) observeSet(k, 0.002 * (k % 200));
      const a = await cpu(ours);
      o.push(a.ms);
      bytes = a.bytes;
      p.push((await cpu(prom)).ms);
    }
    rows.push({ sets: target, bytes, ours: median(o), prom: median(p) });
  }
  return { rows, sampler };
}

// ---------------------------------------------------------------------------------------------------------------

type Results = {
  loadStart: string;
  loadEnd: string;
  calib: number[];
  rows: Row[];
  sinkA: Record<string, number>;
  catalog: { name: string; task: boolean; builder: number; emit: number }[];
  c: { noop: Lat; on: Lat; ratios: number[]; cpuRatios: number[]; sink: Record<string, number> };
  scrape: { rows: ScrapeRow[]; sampler: boolean };
};

function render(r: Results): string {
  const lat = (l: Lat) => `${fmt(l.rps)} req/s, p50 ${fmt(l.p50)} µs, p99 ${fmt(l.p99)} µs`;
  const latCpu = (l: Lat) => `${lat(l)} | ${fmt(l.cpuUs, 1)} µs`;
  const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
  const sc = r.scrape.rows;
  const first = sc[0];
  const last = sc[sc.length - 1];
  const slope = (k: "ours" | "prom") => ((last[k] - first[k]) / (last.sets - first.sets)) * 1000;
  const slowestEmit = r.catalog.reduce((a, b) => (b.emit > a.emit ? b : a));
  const slowestBuilder = r.catalog.reduce((a, b) => (b.builder > a.builder ? b : a));
  return `## Telemetry (issues 3, 15)

<!-- Written by \`npm run bench\` (bench/run.ts). Re-run to refresh; numbers vary between runs and machines. -->

\`npm run bench\` — compiled with esbuild the way production runs it (bench/compiled.mjs refuses to run a bundle
containing \`__name\` wrappers), ${ROUNDS} interleaved rounds, medians.
${machine()}, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, load average ${r.loadStart} at the start,
${r.loadEnd} at the end — a 2-core virtual machine whose CPU share varies with its host: absolute numbers are noisy; compare the rows of one
run with each other. Calibration loop (fixed integer work, bench/stats.ts) once per round: median
${fmt(median(r.calib), 1)} ms, ${fmt(Math.min(...r.calib), 1)}–${fmt(Math.max(...r.calib), 1)} ms across rounds (the spread is how much the CPU
available to this process changed during the run).

### (a) The parts of one \`recordEvent\`, and \`observeHttpRequest\`

${fmt(CALLS)} calls per round; with the outbox sink ${fmt(SINK_CALLS)}, in \`withEvents\` transactions of ${fmt(CHUNK)} (only the calls
are timed; each transaction starts after the relay has sent everything before it, so no send runs on another
thread meanwhile). "Before" is issue 15's
measurement of the old code (compiled, 5 × 200k, a quieter machine). The last row is prom-client's own
\`counter.inc(labels)\` path, which the paired counters and HTTP families used before, measured in the same rounds.

| measure | median CPU ns per call (rounds' range) | target | before |
|---|---:|---:|---:|
${r.rows
  .map((x) => `| ${x.label} | ${fmt(median(x.rounds))} (${range(x.rounds)}) | ${x.target ? `≤ ${fmt(x.target)} ns` : ""} | ${x.before ? fmt(x.before) : ""} |`)
  .join("\n")}

Outbox during (a): ${fmt(r.sinkA.queued)} queued, **${fmt(r.sinkA.sent)} sent** by the relay (${fmt(r.sinkA.received)} received by
the stand-in, another process), ${fmt(r.sinkA.dropped)} dropped, ${fmt(r.sinkA.failed)} failed.

What changed: the builders assign their properties onto the core object instead of spreading it (V8 copies a
spread of an object of varying shape on its slow path), and \`core()\` reads its argument in one \`for…in\` pass (every
builder passes its own shape; field by field, its loads went megamorphic once the catalog had run, as it has here:
(b)'s arguments are captured before (a) by running every sample); the event-paired counters and the HTTP families keep each
label set's series and update it in place (\`incFor\` / \`observeFor\` in lib/telemetry/metrics.ts) instead of
prom-client validating and hashing the label object on every call (twice per request for HTTP).

### (b) Every catalog event through its emitter

Median ns per call over ${ROUNDS} rounds of 20,000, no-op sink (the capture is in (a)), with the arguments of
tests/helpers/telemetry-samples.ts. \`agent_task_*\` go through \`recordTaskEvent\`, the others through \`recordEvent\`.
Slowest builder: \`${slowestBuilder.name}\` ${fmt(slowestBuilder.builder)} ns; slowest builder + emit: \`${slowestEmit.name}\` ${fmt(slowestEmit.emit)} ns
(the task events observe up to three histograms).

| event | builder ns | builder + emit ns |
|---|---:|---:|
${r.catalog.map((c) => `| \`${c.name}\` | ${fmt(c.builder)} | ${fmt(c.emit)} |`).join("\n")}

### (c) Event-recording route, telemetry on vs. no-op sink

An in-process \`route()\` handler that parses a JSON body, records \`feedback_submitted\` in a \`withEvents\`
transaction (PGlite in memory; with the outbox on, the row is inserted at commit) and answers 201 (HTTP metrics
included), one request at a time with an event-loop turn after each (so the relay's sends run, as between requests
of a server); ${ROUTE_ROUNDS} interleaved rounds of ${ROUTE_MS / 1000} s per sink, medians. Over real HTTP: \`npm run bench:http\` below.

| sink | throughput and latency (wall clock) | CPU per request |
|---|---|---:|
| no-op | ${latCpu(r.c.noop)} |
| outbox, relay sending to an answering stand-in (another process) | ${latCpu(r.c.on)} |

Throughput ratio (on / no-op) per round: ${r.c.ratios.map((x) => fmt(x, 2)).join(", ")}; median ${fmt(median(r.c.ratios), 3)} — wall
clock, so mostly the scheduler's share on this machine. CPU ratio (no-op CPU per request / on CPU per request, the
throughput ratio a CPU-bound server would see) per round: ${r.c.cpuRatios.map((x) => fmt(x, 2)).join(", ")}; **median ${fmt(median(r.c.cpuRatios), 3)}**.
Outbox during (c): ${fmt(r.c.sink.queued)} queued, **${fmt(r.c.sink.sent)} sent**, ${fmt(r.c.sink.dropped)} dropped, ${fmt(r.c.sink.failed)} failed.

### (e) \`/api/metrics\`: CPU per scrape by HTTP label sets

The app's registry (every family, default process metrics${r.scrape.sampler ? ", the business sampler's families with its snapshot cached" : ""}) rendered as
Prometheus text; CPU time (user + system) of one scrape, median of 15, our renderer and prom-client's
\`registry.metrics()\` alternating. A label set is one (method, route pattern, status): one counter series and one
histogram series (11 buckets), 14 lines. Before each pair of scrapes one label set in ${SCRAPE_CHANGED_EVERY} gets a request (a
different one each time), as traffic between two scrapes would.

| HTTP label sets | body | ours, ms CPU | prom-client, ms CPU |
|---:|---:|---:|---:|
${sc.map((x) => `| ${x.sets} | ${fmt(x.bytes / 1024)} KB | ${fmt(x.ours, 2)} | ${fmt(x.prom, 2)} |`).join("\n")}

Growth per label set: **${fmt(slope("ours"), 1)} µs** (prom-client: ${fmt(slope("prom"), 1)} µs), about ${fmt((last.bytes - first.bytes) / (last.sets - first.sets) / 1024, 2)} KB of text.
Target: ≤ 5 ms at 375 label sets (measured ${fmt(last.ours, 2)} ms here, prom-client ${fmt(last.prom, 2)} ms).
Our renderer writes exactly prom-client's text (lib/telemetry/exposition.test.ts) but keeps each series' label
text between scrapes instead of re-escaping and re-joining every label of every line.
`;
}

const arg = process.argv[2];
const runMain = arg === "--capture-server" ? captureServerChild : main;
runMain().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * `npm run bench:http`: the app over real HTTP, a production build started the way `npm start` starts it
 * (`node server.mjs`, NODE_ENV=production), driven by autocannon. Results written to docs/performance.md.
 *
 *  1. Start-up: first healthy answer (`GET /api/health` → 200, polled every 25 ms from the spawn) and idle RSS of the
 *     server process 3 s later, on a fresh PGlite folder (the build's template copied in), on that folder again, and
 *     on PostgreSQL; BENCH_STARTUP_ROUNDS rounds (3), medians.
 *  2. Throughput: three servers on PostgreSQL, identical but for PostHog — a key with a local stand-in that answers
 *     ("on"), no key (no-op sink), a key with a stand-in that accepts connections and never answers ("hanging").
 *     Routes: /api/health, /api/config, the public event route POST /api/contact-sales (insert + rate-limit checks +
 *     `contact_sales_submitted`), /api/metrics (bearer token). In each round every route is loaded on the three
 *     servers in interleaved slices of a fraction of a second; ratios (req/s, and CPU per request of the server plus its PostgreSQL backends) are
 *     taken per round against the no-key server and reported as medians.
 *  3. Each throughput server runs with `--cpu-prof`; the share of its busy samples with telemetry on the stack
 *     (posthog-node + our sink / analytics; prom-client + our metrics code) is printed beside the numbers.
 *
 * The production build goes to .next-bench (rebuilt when it was built from other sources, or with BENCH_REBUILD=1).
 * BENCH_HTTP_ONLY=startup runs part 1 alone and prints its table without touching docs/performance.md.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import type postgres from "postgres";
import { startCaptureServer, type CaptureServer } from "../tests/helpers/capture-server";
import { writePerformanceSection } from "./perf-doc";
import { freePort } from "../e2e/support/app";
import { adminConnection, calibrate, CONTACT_SALES_FORM, createBenchDatabase, dropBenchDatabase, fmt, loadavg, machine, median, originalPosition, processCpuMs } from "./stats";

const ROOT = process.cwd();
const LABEL = process.env.BENCH_HTTP_LABEL?.replace(/[^a-z0-9-]/gi, "") ?? "";
const ONLY = process.env.BENCH_HTTP_ONLY ?? "";
if (ONLY !== "" && ONLY !== "startup") throw new Error(`BENCH_HTTP_ONLY: expected "startup", got "${ONLY}"`);
const DIST = ".next-bench";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 20;
const EVENT_SECONDS = 4;
const ROUTE_SECONDS = 2;
/** Each server's load per route and round comes in this many slices, interleaved with the other servers'. */
const SLICES = 8;
/** After a load window, before its CPU is read: longer than the relay's busy linger (500 ms) plus a request. */
const SETTLE_MS = 1000;
const METRICS_TOKEN = "bench-metrics-token";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The commit plus any uncommitted change to what the build compiles: a build of other sources is rebuilt. */
function sourceStamp(): string {
  const git = (...args: string[]) => spawnSync("git", args, { encoding: "utf8" }).stdout.trim();
  const dirty = git("status", "--porcelain", "--", "app", "lib", "package.json", "next.config.ts", "server.mjs", "instrumentation.ts", "proxy.ts");
  return `${git("rev-parse", "HEAD")}${dirty ? ` + uncommitted changes:\n${dirty}` : ""}`;
}

/** What `npm run build` does, into DIST: `next build`, then the PGlite template (a no-op when it is up to date). */
function ensureBuild() {
  const env = { ...process.env, NEXT_DIST_DIR: DIST, NEXT_TELEMETRY_DISABLED: "1" };
  const stampFile = path.join(DIST, "BENCH_SOURCE");
  const stamp = sourceStamp();
  const built = fs.existsSync(path.join(DIST, "BUILD_ID")) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === stamp;
  if (!built || process.env.BENCH_REBUILD === "1") {
    console.log(`building ${DIST} (next build)…`);
    const r = spawnSync("npx", ["next", "build"], { stdio: "inherit", env });
    if (r.status !== 0) throw new Error("next build failed");
    fs.writeFileSync(stampFile, stamp);
  }
  if (spawnSync(process.execPath, ["scripts/pglite-template.mjs"], { stdio: "inherit", env }).status !== 0) throw new Error("PGlite template failed");
}

type Server = { name: string; url: string; child: ChildProcess; logs: () => string; exited: Promise<number | null>; startMs: number };

async function startServer(name: string, env: Record<string, string | undefined>, nodeArgs: string[] = []): Promise<Server> {
  const port = await freePort();
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    ...process.env,
    NEXT_DIST_DIR: DIST,
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    POSTHOG_API_KEY: undefined,
    POSTHOG_HOST: undefined,
    METRICS_TOKEN,
    ANALYTICS_DISABLED: "false",
    NODE_OPTIONS: "",
    ...env,
  })) {
    if (v !== undefined) full[k] = v;
  }
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, "server.mjs"], { cwd: ROOT, env: full as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once("exit", r));
  let alive = true;
  void exited.then(() => (alive = false));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (!alive) throw new Error(`${name}: server exited during start-up:\n${out}`);
    if (Date.now() > deadline) throw new Error(`${name}: not healthy after 180 s:\n${out}`);
    try {
      if ((await fetch(`${url}/api/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  return { name, url, child, logs: () => out, exited, startMs: performance.now() - t0 };
}

async function stopServer(s: Server) {
  s.child.kill("SIGTERM");
  const code = await Promise.race([s.exited, sleep(20_000).then(() => "timeout" as const)]);
  if (code === "timeout") {
    s.child.kill("SIGKILL");
    throw new Error(`${s.name}: did not stop within 20 s`);
  }
}

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
};

// ---------------------------------------------------------------------------------------------------------------
// 1. start-up

type Startup = { name: string; healthyMs: number[]; rssMb: number[] };
/** Start-up times swing by seconds with the machine's load: rounds (interleaved: one of each case per round), medians. */
const STARTUP_ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 3);

async function startup(): Promise<Startup[]> {
  const cases = [
    { name: "PGlite, fresh data folder (a copy of the build's template)", fresh: true, pg: false },
    { name: "PGlite, the same folder again", fresh: false, pg: false },
    { name: "PostgreSQL (fresh database: migrations run)", fresh: false, pg: true },
  ];
  const out: Startup[] = cases.map((c) => ({ name: c.name, healthyMs: [], rssMb: [] }));
  for (let round = 0; round < STARTUP_ROUNDS; round++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-"));
    const db = await createBenchDatabase();
    try {
      for (const [i, c] of cases.entries()) {
        const s = await startServer(c.name, c.pg ? { DATABASE_URL: db.url, DATA_DIR: dataDir } : { DATA_DIR: dataDir });
        await sleep(3000);
        out[i].healthyMs.push(s.startMs);
        out[i].rssMb.push(rssMb(s.child.pid!));
        await stopServer(s);
        // The row must measure what `npm run build && npm start` does on a fresh folder, not the initdb fallback.
        if (c.fresh && !s.logs().includes("copied from the template")) throw new Error(`${c.name}: the template was not used:\n${s.logs()}`);
      }
    } finally {
      await dropBenchDatabase(db.name);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// 2. throughput

type RouteKey = "event" | "health" | "config" | "metrics";
/** One server's share of one load window: its requests, and the CPU of its process and of its PostgreSQL backends. */
type Sample = { rps: number; p50: number; p99: number; non2xx: number; errors: number; cpuMsPerReq: number; dbCpuMsPerReq: number };

const contactBody = JSON.stringify(CONTACT_SALES_FORM);

function autocannonOptions(server: Server, route: RouteKey): autocannon.Options {
  return {
    url: server.url,
    connections: route === "metrics" ? 1 : CONNECTIONS,
    duration: route === "event" ? EVENT_SECONDS : ROUTE_SECONDS,
    requests: [
      route === "event"
        ? { method: "POST", path: "/api/contact-sales", headers: { "content-type": "application/json" }, body: contactBody }
        : route === "metrics"
          ? { method: "GET", path: "/api/metrics", headers: { authorization: `Bearer ${METRICS_TOKEN}` } }
          : { method: "GET", path: `/api/${route}` },
    ],
  };
}

const runAutocannon = (opts: autocannon.Options) =>
  new Promise<autocannon.Result>((resolve, reject) => autocannon(opts, (err, r) => (err ? reject(err) : resolve(r))));

/** CPU ms so far of the server process and of each PostgreSQL backend connected to its database (pid → ms). */
async function cpuSnapshot(admin: postgres.Sql, s: Scenario): Promise<{ server: number; backends: Map<number, number> }> {
  const pids = await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${s.db!.name} and backend_type = 'client backend'`;
  const backends = new Map<number, number>();
  for (const { pid } of pids) {
    try {
      backends.set(pid, processCpuMs(pid));
    } catch {
      // exited between the query and the read
    }
  }
  return { server: processCpuMs(s.server!.child.pid!), backends };
}

/**
 * Loads one route on the three servers in turn, in short slices (SLICES per server, the order rotating per cycle),
 * so each server's share of the window is spread across it: this VM's CPU share swings by 2–5× within seconds, and
 * servers measured one after another for whole seconds saw different machines. Loading all three at once was tried
 * and was as noisy: five Node processes and their backends on two cores. Each server's CPU is read before its first
 * slice and SETTLE_MS after the last one, so work a window leaves behind (the relay's linger, its request and
 * delete) counts with the route that caused it.
 */
async function loadSliced(admin: postgres.Sql, scenarios: Scenario[], route: RouteKey): Promise<Sample[]> {
  const sliceSeconds = (route === "event" ? EVENT_SECONDS : ROUTE_SECONDS) / SLICES;
  const before = await Promise.all(scenarios.map((s) => cpuSnapshot(admin, s)));
  const slices = scenarios.map(() => [] as { result: autocannon.Result; ms: number }[]);
  for (let cycle = 0; cycle < SLICES; cycle++) {
    for (let k = 0; k < scenarios.length; k++) {
      const i = (k + cycle) % scenarios.length;
      const t0 = performance.now();
      const result = await runAutocannon({ ...autocannonOptions(scenarios[i].server!, route), duration: sliceSeconds });
      slices[i].push({ result, ms: performance.now() - t0 });
    }
  }
  await sleep(SETTLE_MS);
  const after = await Promise.all(scenarios.map((s) => cpuSnapshot(admin, s)));
  return slices.map((own, i) => {
    const n = Math.max(1, own.reduce((sum, x) => sum + x.result.requests.total, 0));
    let dbCpu = 0;
    for (const [pid, ms] of after[i].backends) dbCpu += ms - (before[i].backends.get(pid) ?? 0);
    return {
      rps: (n * 1000) / own.reduce((sum, x) => sum + x.ms, 0),
      p50: median(own.map((x) => x.result.latency.p50)),
      p99: median(own.map((x) => x.result.latency.p99)),
      non2xx: own.reduce((sum, x) => sum + x.result.non2xx, 0),
      errors: own.reduce((sum, x) => sum + x.result.errors + x.result.timeouts, 0),
      cpuMsPerReq: (after[i].server - before[i].server) / n,
      dbCpuMsPerReq: dbCpu / n,
    };
  });
}

type Scenario = { key: "noKey" | "on" | "hanging"; label: string; server?: Server; db?: { name: string; url: string }; samples: Record<RouteKey, Sample[]> };

const ROUTES: RouteKey[] = ["event", "health", "config", "metrics"];

// ---------------------------------------------------------------------------------------------------------------
// 3. CPU profile

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
type Category = "analytics" | "metrics";

/** Our telemetry files by side: the PostHog path (emitter, builders, sink) vs the Prometheus path. */
const ANALYTICS_FILES = ["lib/telemetry/sink.ts", "lib/telemetry/relay.ts", "lib/telemetry/record.ts", "lib/telemetry/events.ts", "lib/telemetry/tasks.ts"];

/**
 * `stalled`: the share of the profile's span spent in gaps of over 100 ms between two samples (the sampler takes one
 * per ms). In one run V8's sampling stopped for minutes in one server while that process's CPU per request tripled on
 * every route, controls included: such a server's numbers are flagged, not compared.
 */
type Share = { busy: number; analytics: number; metrics: number; stalled: number; longestGapS: number };

function telemetryShare(file: string): Share {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frameKind = (n: ProfileNode): Category | undefined => {
    const { url, lineNumber, columnNumber } = n.callFrame;
    if (url.includes("/node_modules/posthog-node/") || url.includes("/node_modules/@posthog/")) return "analytics";
    if (url.includes("/node_modules/prom-client/")) return "metrics";
    if (!url.includes(`/${DIST}/`)) return undefined;
    // The build is minified: frames in the app's chunks are mapped back to their source file through its source map.
    const source = originalPosition(url, lineNumber, columnNumber)?.source;
    if (!source?.includes("lib/telemetry/")) return undefined;
    return ANALYTICS_FILES.some((f) => source.includes(f)) ? "analytics" : "metrics";
  };
  const kind = new Map<number, Category | null>(); // per sampled node: the innermost telemetry frame on its stack
  const classify = (id: number): Category | null => {
    let k = kind.get(id);
    if (k !== undefined) return k;
    k = null;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = frameKind(byId.get(cur)!);
      if (f) {
        k = f;
        break;
      }
    }
    kind.set(id, k);
    return k;
  };
  const counts = { busy: 0, analytics: 0, metrics: 0 };
  for (const id of p.samples) {
    if (byId.get(id)!.callFrame.functionName === "(idle)") continue;
    counts.busy++;
    const k = classify(id);
    if (k) counts[k]++;
  }
  let gaps = 0;
  let longest = 0;
  for (const d of p.timeDeltas) {
    if (d > 100_000) gaps += d;
    longest = Math.max(longest, d);
  }
  const span = Math.max(1, p.endTime - p.startTime);
  return { busy: counts.busy, analytics: counts.analytics / counts.busy, metrics: counts.metrics / counts.busy, stalled: gaps / span, longestGapS: longest / 1e6 };
}

/** Servers whose profile stalled (see `Share`): a warning for the console and the document. */
function stalledProfiles(scenarios: Scenario[], shares: Record<string, Share | undefined>): string[] {
  return scenarios.flatMap((s) => {
    const sh = shares[s.key];
    return sh && sh.stalled > 0.05
      ? [`The profile of "${s.label}" stalled for ${fmt(sh.stalled * 100)} % of its span (longest gap ${fmt(sh.longestGapS, 1)} s): its CPU figures in this run are not a measure of its routes; re-run.`]
      : [];
  });
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  ensureBuild();
  const loadStart = loadavg();
  const calib: number[] = [calibrate()];
  const starts = await startup();
  if (ONLY === "startup") {
    console.log(`${machine()}, load average ${loadStart} at the start, ${loadavg()} at the end\n\n${startupTable(starts)}`);
    process.exit(0);
  }

  const admin = adminConnection();
  const answering: CaptureServer = await startCaptureServer();
  const hanging: CaptureServer = await startCaptureServer({ mode: "hang" });
  const profDir = path.resolve("tmp/bench/prof");
  fs.rmSync(profDir, { recursive: true, force: true });
  const empty = () => ({ event: [], health: [], config: [], metrics: [] }) as Record<RouteKey, Sample[]>;
  const scenarios: Scenario[] = [
    { key: "noKey", label: "no key (no-op sink)", samples: empty() },
    { key: "on", label: "PostHog on, stand-in answering", samples: empty() },
    { key: "hanging", label: "PostHog host hanging", samples: empty() },
  ];
  try {
    for (const s of scenarios) {
      s.db = await createBenchDatabase();
      const posthog = s.key === "noKey" ? {} : { POSTHOG_API_KEY: "phc_bench", POSTHOG_HOST: s.key === "on" ? answering.url : hanging.url };
      s.server = await startServer(s.label, {
        DATABASE_URL: s.db.url,
        RATE_LIMIT_CONTACT_SALES_IP: "1000000000",
        RATE_LIMIT_CONTACT_SALES_EMAIL: "1000000000",
        ...posthog,
      }, ["--cpu-prof", `--cpu-prof-dir=${path.join(profDir, s.key)}`]);
    }
    // Warm-up: JIT, connection pools, the sampler's first refresh.
    for (const r of ROUTES) await loadSliced(admin, scenarios, r);
    for (let round = 0; round < ROUNDS; round++) {
      calib.push(calibrate());
      for (const route of ROUTES) (await loadSliced(admin, scenarios, route)).forEach((sample, i) => scenarios[i].samples[route].push(sample));
      console.log(`round ${round + 1}/${ROUNDS} done, load average ${loadavg()}`);
    }
  } finally {
    for (const s of scenarios) {
      if (s.server) await stopServer(s.server).catch((e) => console.error(String(e)));
      if (s.db) await dropBenchDatabase(s.db.name).catch(() => {});
    }
    await admin.end();
  }
  const received = answering.batchEvents().length;
  const hangingConnections = hanging.connections();
  await answering.stop();
  await hanging.stop();

  const bad = scenarios.flatMap((s) => ROUTES.flatMap((r) => s.samples[r].filter((x) => x.non2xx || x.errors).map((x) => `${s.key}/${r}: ${x.non2xx} non-2xx, ${x.errors} errors`)));
  if (bad.length) throw new Error(`bench:http: failed requests — the numbers would not measure the routes:\n${bad.join("\n")}`);
  if (received === 0) throw new Error("bench:http: the answering stand-in received no events from the 'on' server");
  if (hangingConnections === 0) throw new Error("bench:http: the 'hanging' server never connected to its PostHog host");

  const shares = Object.fromEntries(
    scenarios.map((s) => {
      const dir = path.join(profDir, s.key);
      const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
      return [s.key, file ? telemetryShare(path.join(dir, file)) : undefined];
    }),
  ) as Record<Scenario["key"], Share | undefined>;

  for (const w of stalledProfiles(scenarios, shares)) console.error(`bench:http: ${w}`);
  const section = render({ loadStart, loadEnd: loadavg(), calib, starts, scenarios, shares, received, hangingConnections });
  // BENCH_HTTP_LABEL: a run of another build (e.g. with the outbox merged) gets its own section.
  writePerformanceSection(LABEL ? `http-${LABEL}` : "http", section);
  console.log(section);
  process.exit(0);
}

const STARTUP_TARGETS = `Targets: idle RSS ≤ 300 MB on a fresh PGlite folder, first healthy answer ≤ 2 s. The build includes the PGlite
template (\`npm run build\` runs scripts/pglite-template.mjs after \`next build\`; this bench does the same): a data
folder initialised and migrated once, stamped with a hash of drizzle/ and the PGlite version. server.mjs copies it
into a fresh folder while Next loads, instead of an initdb in WebAssembly (7–16 s), and the folder is then opened
like any other, with \`shared_buffers=16MB\` (lib/db/pglite-template.mjs, lib/db/client.ts). Without a template a fresh
folder is initialised in a child process that exits (initdb leaves PGlite's WebAssembly memory at ~800 MB, and
WebAssembly memory never shrinks).`;

function startupTable(starts: Startup[]): string {
  const range = (xs: number[], f: (x: number) => string) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
  const s2 = (ms: number) => fmt(ms / 1000, 2);
  return `| database | first healthy answer, median (range) of ${STARTUP_ROUNDS} | idle RSS, median (range) |
|---|---:|---:|
${starts.map((s) => `| ${s.name} | ${s2(median(s.healthyMs))} s (${range(s.healthyMs, s2)}) | ${fmt(median(s.rssMb))} MB (${range(s.rssMb, (x) => fmt(x))}) |`).join("\n")}`;
}

function render(r: {
  loadStart: string;
  loadEnd: string;
  calib: number[];
  starts: Startup[];
  scenarios: Scenario[];
  shares: Record<string, Share | undefined>;
  received: number;
  hangingConnections: number;
}): string {
  const [noKey, on, hang] = r.scenarios;
  const med = (s: Scenario, route: RouteKey, k: keyof Sample) => median(s.samples[route].map((x) => x[k]));
  const ratios = (s: Scenario, route: RouteKey, base: Scenario = noKey) => s.samples[route].map((x, i) => x.rps / base.samples[route][i].rps);
  // The whole cost of a request on this machine: the server process plus its PostgreSQL backends.
  const total = (x: Sample) => x.cpuMsPerReq + x.dbCpuMsPerReq;
  const cpuRatios = (s: Scenario, route: RouteKey, base: Scenario = noKey) => s.samples[route].map((x, i) => total(base.samples[route][i]) / total(x));
  const medTotal = (s: Scenario, route: RouteKey) => median(s.samples[route].map(total));
  // On / hanging, per round: both servers write an outbox row per event, only "on" delivers them, so this isolates
  // what delivery costs (the relay's claims, requests and deletes) from what the row write costs.
  const cellOf = (xs: number[]) => `**${fmt(median(xs), 3)}** (${xs.map((x) => fmt(x, 2)).join(", ")})`;
  const deliveryRow = `| POST /api/contact-sales (event) | on ÷ hanging (delivery alone) | | | ${cellOf(ratios(on, "event", hang))} | | ${cellOf(cpuRatios(on, "event", hang))} |`;
  const pct = (x: number | undefined) => (x === undefined ? "n/a" : `${fmt(x * 100, 1)} %`);
  const share = (s: Scenario) => {
    const sh = r.shares[s.key];
    return sh ? `**${pct(sh.analytics)}** | ${pct(sh.metrics)} | ${fmt(sh.busy)} | ${pct(sh.stalled)}` : "no profile | | | |";
  };
  const row = (s: Scenario, route: RouteKey) => {
    const rs = ratios(s, route);
    const cs = cpuRatios(s, route);
    const cell = (xs: number[]) => (s === noKey ? "1" : cellOf(xs));
    return `| ${route === "event" ? "POST /api/contact-sales (event)" : `GET /api/${route}`} | ${s.label} | ${fmt(med(s, route, "rps"))} | ${fmt(med(s, route, "p50"))} / ${fmt(med(s, route, "p99"))} | ${cell(rs)} | ${fmt(med(s, route, "cpuMsPerReq"), 2)} + ${fmt(med(s, route, "dbCpuMsPerReq"), 2)} = ${fmt(medTotal(s, route), 2)} | ${cell(cs)} |`;
  };
  return `## Over HTTP (issue 15): \`npm run bench:http\`${LABEL ? ` — ${LABEL}` : ""}

<!-- Written by \`npm run bench:http\` (bench/http.ts). Re-run to refresh; numbers vary between runs and machines. -->

A production build (\`${DIST}\`) started as \`npm start\` does (\`node server.mjs\`), driven by autocannon from the bench
process. ${machine()}, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, load average ${r.loadStart} at the
start, ${r.loadEnd} at the end (a 2-core virtual machine whose CPU share varies with its host — see the calibration spread — so absolute numbers are noisy; the ratios
are taken per round between servers loaded in interleaved slices). Calibration loop (bench/stats.ts): median
${fmt(median(r.calib), 1)} ms, ${fmt(Math.min(...r.calib), 1)}–${fmt(Math.max(...r.calib), 1)} ms.

### Start-up

Spawn of \`node server.mjs\` → first \`GET /api/health\` answering 200 (polled every 25 ms; includes Next's start,
the warm-up request, migrations), then the server process's RSS after 3 s idle. ${STARTUP_ROUNDS} rounds, each with a new
data folder and database; the fresh-folder start is checked to have used the template.

${startupTable(r.starts)}

${STARTUP_TARGETS}

### Throughput

Three servers on PostgreSQL, identical but for PostHog: no key; a key with a local stand-in that answers; a key
with a stand-in that accepts connections and never answers. ${ROUNDS} rounds; in each, every route is loaded on the three
servers in turn, in ${SLICES} slices each (the order rotating per cycle; ${CONNECTIONS} connections, 1 for /api/metrics: one
scraper), the event route for ${EVENT_SECONDS} s per server and the others for ${ROUTE_SECONDS} s, so the three share every swing of this
machine's CPU. A window's CPU is read ${SETTLE_MS / 1000} s after its last slice, so the work it leaves behind (the relay's linger,
request and delete) counts with it. Medians over rounds; the ratios are against the no-key server of the same window
(per-round values in brackets). req/s: requests over the server's own slices; p50 / p99: medians of the slices'. CPU per
request: the server process plus **its PostgreSQL backends** (each server has its own database; /proc, 10 ms ticks),
i.e. everything a request costs this machine; the ratio is no-key CPU ÷ this server's CPU. The GET routes record no
event: they are the control, showing how far apart identical work can land. No request failed (asserted); the answering stand-in
received ${fmt(r.received)} events; the hanging one accepted ${fmt(r.hangingConnections)} connections.

| route | server | req/s | p50 / p99 ms | req/s ratio to no key | CPU ms / request: server + database | CPU ratio to no key |
|---|---|---:|---:|---:|---:|---:|
${ROUTES.flatMap((route) => [...r.scenarios.map((s) => row(s, route)), ...(route === "event" ? [deliveryRow] : [])]).join("\n")}

Targets (event route): on / no key ≥ 0.97 and hanging / no key ≥ 0.97 as medians of ≥ 5 rounds —
measured **${fmt(median(ratios(on, "event")), 3)}** and **${fmt(median(ratios(hang, "event")), 3)}** in req/s, **${fmt(median(cpuRatios(on, "event")), 3)}** and
**${fmt(median(cpuRatios(hang, "event")), 3)}** in CPU per request (server + database). On ÷ hanging (both write the outbox row, only "on" delivers
it: the cost of delivery alone, per round): **${fmt(median(ratios(on, "event", hang)), 3)}** in req/s, **${fmt(median(cpuRatios(on, "event", hang)), 3)}** in CPU per request.

CPU share of telemetry, from each server's \`--cpu-prof\` profile over its whole life (start-up and warm-up
included): busy samples (not idle) with telemetry on the stack, attributed to the innermost telemetry frame
(frames of the minified build are mapped back to their source file through its source maps). "Analytics":
posthog-node and our sink, emitter and builders (lib/telemetry/{sink,record,events,tasks}.ts). "Metrics":
prom-client and the rest of lib/telemetry — HTTP metrics, paired counters, the /api/metrics renderer, the business
sampler; most of it is this bench's own scraping (/api/metrics back to back on one connection, against one scrape
per 15–60 s in production).

| server | analytics share of busy CPU | metrics share | busy samples | profile stalled (gaps over 100 ms) |
|---|---:|---:|---:|---:|
${r.scenarios.map((s) => `| ${s.label} | ${share(s)} |`).join("\n")}
${stalledProfiles(r.scenarios, r.shares).map((w) => `\n**Warning.** ${w}\n`).join("")}`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

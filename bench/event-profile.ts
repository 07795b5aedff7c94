/**
 * `node bench/compiled.mjs bench/event-profile.ts`: where the CPU of the event route goes, per request, on the three
 * servers of `bench:http` (no key / PostHog on / host hanging). A diagnostic, not a bench for docs/performance.md:
 * the same production build (.next-bench, built by `npm run bench:http`), each server under `--cpu-prof`, a few
 * interleaved autocannon rounds of POST /api/contact-sales only. Only the samples taken inside the load windows
 * count (V8's profile clock and `process.hrtime` are both CLOCK_MONOTONIC). Prints, per server: CPU per request
 * from /proc, then the busy profile time per request attributed inclusively to source files of the build (through
 * its source maps), packages and node internals, and the functions of lib/telemetry, with the difference to the
 * no-key server beside each.
 *
 * env: PROF_ROUNDS (3), PROF_SECONDS (4), PROF_INTERVAL_US (250), PROF_CONNECTIONS (20), PROF_TOP (30),
 * PROF_WARMUP (8 s per server), PROF_SCENARIOS (noKey,on,hanging; `on@.next-base` runs that scenario from another build directory, to compare
 * builds in one run), PROF_TOGETHER=1 (load all servers at once), PROF_CPU=0 (no profiler: /proc CPU only), PROF_KEEP=1 keeps tmp/bench/event-prof.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { startCaptureServer } from "../tests/helpers/capture-server";
import { freePort } from "../e2e/support/app";
import { CONTACT_SALES_FORM, createBenchDatabase, dropBenchDatabase, loadavg, median, originalPosition, processCpuMs } from "./stats";

const DIST = ".next-bench";
const ROUNDS = Number(process.env.PROF_ROUNDS ?? 3);
const SECONDS = Number(process.env.PROF_SECONDS ?? 4);
const INTERVAL_US = Number(process.env.PROF_INTERVAL_US ?? 250);
const CONNECTIONS = Number(process.env.PROF_CONNECTIONS ?? 20);
const TOP = Number(process.env.PROF_TOP ?? 30);
const SCENARIOS = (process.env.PROF_SCENARIOS ?? "noKey,on,hanging").split(",");
const PROFILE = process.env.PROF_CPU !== "0";
const PROF_DIR = path.resolve("tmp/bench/event-prof");

type Key = "noKey" | "on" | "hanging";
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

type Server = { key: Key; label: string; url: string; child: ChildProcess; db: string; exited: Promise<unknown>; windows: [number, number][]; requests: number; cpuMs: number[] };

async function start(label: string, posthogHost: string | undefined): Promise<Server> {
  const [key, dist = DIST] = label.split("@") as [Key, string?];
  const { name: db, url: dbUrl } = await createBenchDatabase("tandem_prof");
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    ...process.env,
    NEXT_DIST_DIR: dist,
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: dbUrl,
    REDIS_URL: undefined,
    POSTHOG_API_KEY: posthogHost ? "phc_bench" : undefined,
    POSTHOG_HOST: posthogHost,
    ANALYTICS_DISABLED: "false",
    RATE_LIMIT_CONTACT_SALES_IP: "1000000000",
    RATE_LIMIT_CONTACT_SALES_EMAIL: "1000000000",
    NODE_OPTIONS: "",
  }))
    if (v !== undefined) env[k] = v;
  const prof = ["--cpu-prof", `--cpu-prof-dir=${path.join(PROF_DIR, label)}`, `--cpu-prof-interval=${INTERVAL_US}`];
  const args = [...(PROFILE ? prof : []), "server.mjs"];
  const child = spawn(process.execPath, args, { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise((r) => child.once("exit", r));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 120_000; ; await sleep(50)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${key}: did not start:\n${out}`);
    if (await fetch(`${url}/api/health`).then((r) => r.status === 200, () => false)) break;
  }
  return { key, label, url, child, db, exited, windows: [], requests: 0, cpuMs: [] };
}

const body = JSON.stringify(CONTACT_SALES_FORM);

async function load(s: Server, seconds: number, record: boolean): Promise<void> {
  const pid = s.child.pid!;
  const c0 = processCpuMs(pid);
  const t0 = nowUs();
  const r = await autocannon({
    url: s.url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: "POST", path: "/api/contact-sales", headers: { "content-type": "application/json" }, body }],
  });
  const t1 = nowUs();
  if (r.non2xx || r.errors) throw new Error(`${s.label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  if (!record) return;
  s.windows.push([t0, t1]);
  s.requests += r.requests.total;
  s.cpuMs.push((processCpuMs(pid) - c0) / r.requests.total);
}

// ---------------------------------------------------------------------------------------------------------------

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };

/** What a frame counts as: a source file of ours, a package, a node internal, or V8's own (GC, program). */
function tagsOf(n: Node): { file: string; fn?: string } {
  const { url, functionName, lineNumber, columnNumber } = n.callFrame;
  if (!url) return { file: `(${functionName || "anonymous"})` };
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split("/");
    const pkg = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
    if (pkg !== "next" || !url.includes("/compiled/")) return { file: `pkg:${pkg}` };
    return { file: `pkg:next/compiled/${rest[rest.indexOf("compiled") + 1]}` };
  }
  if (url.startsWith("node:")) return { file: url };
  const o = originalPosition(url, lineNumber, columnNumber);
  if (!o) return { file: url.includes(`/${DIST}/`) ? `${DIST}:(unmapped)` : url };
  const src = o.source.replace(/^.*?\/(lib|app|node_modules)\//, "$1/").replace(/^webpack:\/\/[^/]*\//, "");
  if (src.startsWith("node_modules/")) {
    const rest = src.slice(13).split("/");
    return { file: `pkg:${rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]}` };
  }
  return { file: src, fn: `${src}:${o.line} ${functionName || o.name || "(anon)"}` };
}

type Attribution = { busyUs: number; idleUs: number; files: Map<string, number>; fns: Map<string, number>; self: Map<string, number> };

function attribute(file: string, windows: [number, number][]): Attribution {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const tags = new Map<number, { file: string; fn?: string }>();
  const tag = (id: number) => {
    let t = tags.get(id);
    if (!t) tags.set(id, (t = tagsOf(byId.get(id)!)));
    return t;
  };
  const stackSets = new Map<number, { files: Set<string>; fns: Set<string> }>();
  const stackOf = (id: number) => {
    let s = stackSets.get(id);
    if (s) return s;
    s = { files: new Set(), fns: new Set() };
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const t = tag(cur);
      s.files.add(t.file);
      if (t.fn && t.file.startsWith("lib/")) s.fns.add(t.fn);
    }
    stackSets.set(id, s);
    return s;
  };
  const a: Attribution = { busyUs: 0, idleUs: 0, files: new Map(), fns: new Map(), self: new Map() };
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    // A sample stands for the interval up to the next one.
    const dt = p.timeDeltas[i + 1] ?? INTERVAL_US;
    if (!windows.some(([a0, a1]) => t >= a0 && t < a1)) continue;
    const id = p.samples[i];
    const fn = byId.get(id)!.callFrame.functionName;
    if (fn === "(idle)") {
      a.idleUs += dt;
      continue;
    }
    a.busyUs += dt;
    const s = stackOf(id);
    for (const f of s.files) add(a.files, f, dt);
    for (const f of s.fns) add(a.fns, f, dt);
    add(a.self, tag(id).file, dt);
  }
  return a;
}

async function main() {
  fs.rmSync(PROF_DIR, { recursive: true, force: true });
  const answering = await startCaptureServer({ keepBodies: false });
  const hanging = await startCaptureServer({ mode: "hang" });
  console.log(`load average at start ${loadavg()}`);
  const servers: Server[] = [];
  try {
    for (const label of SCENARIOS) {
      const k = label.split("@")[0];
      servers.push(await start(label, k === "noKey" ? undefined : k === "on" ? answering.url : hanging.url));
    }
    // JIT and pools: CPU per request keeps falling for several seconds of load after start.
    for (const s of servers) await load(s, Number(process.env.PROF_WARMUP ?? 8), false);
    for (let round = 0; round < ROUNDS; round++) {
      // PROF_TOGETHER=1: all servers under load at once (each with its own connections), so that whatever else the
      // machine is doing weighs on all of them alike; the CPU-per-request ratios are then far steadier.
      if (process.env.PROF_TOGETHER === "1") await Promise.all(servers.map((s) => load(s, SECONDS, true)));
      else for (let i = 0; i < servers.length; i++) await load(servers[(i + round) % servers.length], SECONDS, true);
      console.log(`round ${round + 1}/${ROUNDS}, load average ${loadavg()}`);
    }
  } finally {
    for (const s of servers) {
      s.child.kill("SIGTERM");
      await Promise.race([s.exited, sleep(20_000)]);
      await dropBenchDatabase(s.db).catch(() => {});
    }
    await answering.stop();
    await hanging.stop();
  }
  console.log(`load average at end ${loadavg()}; accepted by the answering stand-in: ${answering.acceptedEvents().length}`);
  console.log("\nCPU per request (/proc, ms), median of rounds (per round), and per-round ratio no key ÷ this of the same build:");
  for (const s of servers) {
    const dist = s.label.split("@")[1] ?? "";
    const noKey = servers.find((x) => x.key === "noKey" && (x.label.split("@")[1] ?? "") === dist);
    const ratios = noKey ? s.cpuMs.map((x, i) => noKey.cpuMs[i]! / x) : [];
    console.log(
      `  ${s.label.padEnd(20)} ${median(s.cpuMs).toFixed(3)} ms (${s.cpuMs.map((x) => x.toFixed(2)).join(", ")})  ` +
        (ratios.length ? `ratio ${median(ratios).toFixed(3)} (${ratios.map((x) => x.toFixed(2)).join(", ")})` : ""),
    );
  }
  if (!PROFILE) process.exit(0);
  const results = new Map<string, { s: Server; a: Attribution }>();
  for (const s of servers) {
    const dir = path.join(PROF_DIR, s.label);
    const f = fs.readdirSync(dir).find((x) => x.endsWith(".cpuprofile"))!;
    results.set(s.label, { s, a: attribute(path.join(dir, f), s.windows) });
  }
  const base = results.get("noKey");
  const per = (a: Attribution, s: Server, v: number) => v / s.requests;
  for (const { s, a } of results.values())
    console.log(`  ${s.label.padEnd(20)} ${s.requests} requests; profile busy ${per(a, s, a.busyUs).toFixed(0)} µs/req, idle ${per(a, s, a.idleUs).toFixed(0)} µs/req`);
  const table = (title: string, pick: (a: Attribution) => Map<string, number>) => {
    const keys = new Set<string>();
    for (const { a } of results.values()) for (const k of pick(a).keys()) keys.add(k);
    const rows = [...keys].map((k) => {
      const vals = [...results.values()].map(({ s, a }) => per(a, s, pick(a).get(k) ?? 0));
      const b = base ? per(base.a, base.s, pick(base.a).get(k) ?? 0) : 0;
      return { k, vals, diff: Math.max(...vals.map((v) => Math.abs(v - b))), top: Math.max(...vals) };
    });
    rows.sort((x, y) => y.diff - x.diff || y.top - x.top);
    console.log(`\n${title} (µs per request; ${[...results.keys()].join(" / ")}; sorted by largest difference to noKey)`);
    for (const r of rows.slice(0, TOP)) console.log(`  ${r.vals.map((v) => v.toFixed(1).padStart(8)).join("")}  ${r.k}`);
  };
  table("inclusive by file / package", (a) => a.files);
  table("self by file / package", (a) => a.self);
  table("inclusive, functions of lib/", (a) => a.fns);
  if (process.env.PROF_KEEP !== "1") fs.rmSync(PROF_DIR, { recursive: true, force: true });
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { MemoryStore } from "@/lib/store/memory";
import { BusinessSampler, COLD_SCRAPE_DEADLINE_MS, closeSampler, registerSampler, type SamplerOptions } from "./sampler";
import { AcquireError, type SamplerExecutor } from "./sampler-executor";
import { SAMPLER_QUERIES, type Row } from "./sampler-queries";

type Answer = Row[] | Error | "hang";
type Answers = Record<string, Answer | (() => Answer | Promise<Answer>)>;

const quiet = { info: () => {}, warn: () => {} };
const nameOf = (sql: string) => SAMPLER_QUERIES.find((q) => q.sql === sql)?.name ?? "custom";

/** An executor answering each named query from a table; "hang" never answers, an Error rejects. */
function fakeExecutor(answers: Answers, opts: { acquire?: () => Error | undefined } = {}): SamplerExecutor & { calls: string[] } {
  const calls: string[] = [];
  return {
    kind: "postgres",
    calls,
    async session(fn) {
      const err = opts.acquire?.();
      if (err) throw new AcquireError(err);
      return fn(async (sql) => {
        const name = nameOf(sql);
        calls.push(name);
        const a = answers[name];
        const v = typeof a === "function" ? await a() : (a ?? []);
        if (v === "hang") return new Promise<Row[]>(() => {});
        if (v instanceof Error) throw v;
        return v;
      });
    },
    async close() {},
  };
}

const FULL: Answers = {
  active_users: [{ m5: 7, h1: 12, h24: 40 }],
  active_workspaces: [{ m5: 2, h1: 3, h24: 9 }],
  task_queued: [{ source: "chat", n: 4 }],
  task_running: [{ source: "chat", runtime_mode: "cloud", n: 3 }],
  task_stuck: [{ source: "issue", n: 1 }],
  runtime_online: [{ runtime_mode: "cloud", provider: "kiro", n: 2 }],
  // ages 0.5, 5, 30 and 75 s, counted per bucket by the query
  runtime_heartbeat_age: [
    { runtime_mode: "local", bucket: 0, n: 1, sum: 0.5 },
    { runtime_mode: "local", bucket: 1, n: 1, sum: 5 },
    { runtime_mode: "local", bucket: 3, n: 1, sum: 30 },
    { runtime_mode: "local", bucket: 5, n: 1, sum: 75 },
  ],
  workspace_total: [{ n: 250 }],
};

function setup(answers: Answers = FULL, options: Partial<SamplerOptions> = {}) {
  const executor = fakeExecutor(answers);
  const sampler = new BusinessSampler({ executor, log: quiet, ...options });
  const registry = new Registry();
  sampler.register(registry);
  return { sampler, registry, executor };
}

const series = (text: string, family: string) =>
  text.split("\n").filter((l) => l.startsWith(family + "{") || l.startsWith(family + " "));

describe("business sampler: emission", () => {
  it("emits every gauge from the snapshot, with zero series for known labels", async () => {
    const { registry } = setup();
    const text = await registry.metrics();
    expect(text).toContain('tandem_active_users{window="5m"} 7');
    expect(text).toContain('tandem_active_users{window="1h"} 12');
    expect(text).toContain('tandem_active_users{window="24h"} 40');
    expect(text).toContain('tandem_active_workspaces{window="24h"} 9');
    expect(text).toContain('tandem_agent_task_queued{source="chat"} 4');
    expect(text).toContain('tandem_agent_task_queued{source="autopilot"} 0');
    expect(text).toContain('tandem_agent_task_running{source="chat",runtime_mode="cloud"} 3');
    expect(text).toContain('tandem_agent_task_running{source="issue",runtime_mode="local"} 0');
    expect(text).toContain('tandem_agent_task_in_progress{source="chat",runtime_mode="cloud"} 3');
    expect(text).toContain('tandem_agent_task_stuck{source="issue"} 1');
    expect(text).toContain('tandem_agent_task_stuck{source="chat"} 0');
    expect(text).not.toContain("tandem_agent_task_stuck_total");
    expect(text).toContain('tandem_runtime_online{runtime_mode="cloud",provider="kiro"} 2');
    expect(text).toContain('tandem_runtime_heartbeat_age_seconds_count{runtime_mode="local"} 4');
    expect(text).toContain('tandem_runtime_heartbeat_age_seconds_sum{runtime_mode="local"} 110.5');
    expect(text).toContain("tandem_workspace_total 250");
    expect(series(text, "tandem_agent_task_queued")).toHaveLength(8);
    expect(series(text, "tandem_agent_task_running")).toHaveLength(24);
    expect(series(text, "tandem_agent_task_in_progress")).toHaveLength(24);
    expect(series(text, "tandem_agent_task_stuck")).toHaveLength(8);
  });

  it("exposes its self-metrics", async () => {
    const { registry } = setup();
    const text = await registry.metrics();
    expect(text).toContain('tandem_business_sampler_query_seconds_count{name="active_users"} 1');
    expect(text).toContain('tandem_business_sampler_query_errors_total{name="acquire"} 0');
    expect(text).toContain('tandem_business_sampler_query_errors_total{name="workspace_total"} 0');
  });

  it("buckets heartbeat ages cumulatively", async () => {
    const { registry } = setup();
    const text = await registry.metrics();
    const le = (b: string) =>
      series(text, "tandem_runtime_heartbeat_age_seconds_bucket")
        .find((l) => l.startsWith(`tandem_runtime_heartbeat_age_seconds_bucket{le="${b}",runtime_mode="local"}`))
        ?.split(" ")[1];
    expect(["1", "5", "15", "30", "60", "120", "300", "600", "+Inf"].map(le)).toEqual(["1", "2", "2", "3", "3", "4", "4", "4", "4"]);
  });

  it("keeps cardinality bounded whatever the table holds", async () => {
    const rogueSources = Array.from({ length: 50 }, (_, i) => ({ source: `rogue-${i}`, n: 1 }));
    const { registry } = setup({
      ...FULL,
      task_queued: rogueSources,
      task_stuck: rogueSources,
      task_running: rogueSources.map((r, i) => ({ ...r, runtime_mode: `mode-${i}` })),
      runtime_online: Array.from({ length: 30 }, (_, i) => ({ runtime_mode: `m${i}`, provider: `p${i}`, n: 1 })),
      runtime_heartbeat_age: Array.from({ length: 30 }, (_, i) => ({ runtime_mode: `m${i}`, bucket: 8, n: 1, sum: 700 + i })),
    });
    const text = await registry.metrics();
    expect(series(text, "tandem_agent_task_queued")).toHaveLength(8);
    expect(text).toContain('tandem_agent_task_queued{source="other"} 50'); // collapsed values add up
    expect(series(text, "tandem_agent_task_stuck")).toHaveLength(8);
    expect(series(text, "tandem_agent_task_running")).toHaveLength(24);
    expect(text).toContain('tandem_agent_task_running{source="other",runtime_mode="unknown"} 50');
    expect(series(text, "tandem_runtime_online")).toEqual(['tandem_runtime_online{runtime_mode="unknown",provider="other"} 30']);
    expect(series(text, "tandem_runtime_heartbeat_age_seconds_count")).toHaveLength(1);
  });

  it("omits the gauge of a failed query, counts the error and serves the rest", async () => {
    const { registry } = setup({ ...FULL, task_queued: Object.assign(new Error("boom"), { code: "XX000" }), workspace_total: new Error("x") });
    const text = await registry.metrics();
    expect(series(text, "tandem_agent_task_queued")).toHaveLength(0);
    expect(series(text, "tandem_workspace_total")).toHaveLength(0);
    expect(text).toContain('tandem_business_sampler_query_errors_total{name="task_queued"} 1');
    expect(text).toContain('tandem_active_users{window="5m"} 7');
    expect(series(text, "tandem_agent_task_running")).toHaveLength(24);
  });
});

describe("business sampler: cache", () => {
  it("serves scrapes inside the TTL from one refresh, and refreshes after it", async () => {
    let now = 1_000_000;
    const { sampler, registry } = setup(FULL, { cacheTtlMs: 8000, now: () => now });
    await registry.metrics();
    await registry.metrics();
    expect(sampler.refreshes).toBe(1);
    now += 8001;
    await registry.metrics();
    expect(sampler.refreshes).toBe(2);
  });

  it("shares one refresh between concurrent scrapes", async () => {
    const { sampler, registry } = setup({
      ...FULL,
      active_users: () => new Promise((r) => setTimeout(() => r(FULL.active_users as Row[]), 50)),
    });
    const texts = await Promise.all([registry.metrics(), registry.metrics(), registry.metrics()]);
    expect(sampler.refreshes).toBe(1);
    for (const t of texts) expect(t).toContain('tandem_active_users{window="5m"} 7');
  });

  it("shares snapshots across nodes through the store: N nodes, one refresh per TTL", async () => {
    const store = new MemoryStore();
    let now = 5_000_000;
    const slowFull: Answers = {
      ...FULL,
      active_users: () => new Promise((r) => setTimeout(() => r(FULL.active_users as Row[]), 100)),
    };
    const nodes = [1, 2, 3].map(() => setup(slowFull, { store: async () => store, now: () => now }));
    const texts = await Promise.all(nodes.map((n) => n.registry.metrics()));
    expect(nodes.reduce((sum, n) => sum + n.sampler.refreshes, 0)).toBe(1);
    for (const t of texts) expect(t).toContain("tandem_workspace_total 250");
    // A node that starts later reads the shared snapshot instead of querying.
    const late = setup(FULL, { store: async () => store, now: () => now });
    await late.registry.metrics();
    expect(late.sampler.refreshes).toBe(0);
    now += 9000;
    await Promise.all(nodes.map((n) => n.registry.metrics()));
    expect(nodes.reduce((sum, n) => sum + n.sampler.refreshes, 0)).toBe(2);
  });
});

describe("business sampler: cache across nodes when the database is down", () => {
  it("stops waiting for another node's refresh once it releases the lock without a snapshot", async () => {
    const store = new MemoryStore();
    const down = () => new Error("ECONNREFUSED");
    const slowDown = () => new Promise<Error | undefined>((r) => setTimeout(() => r(down()), 100));
    const nodes = [1, 2].map(() => {
      const executor = fakeExecutor(FULL, { acquire: down });
      executor.session = async () => {
        throw new AcquireError(await slowDown());
      };
      return new BusinessSampler({ executor, log: quiet, store: async () => store, queryTimeoutMs: 5000 });
    });
    const started = performance.now();
    await Promise.all(nodes.map((n) => n.snapshot()));
    // close() waits for a refresh in flight: both settle soon after the holder gives up, not after the ~44 s lock budget.
    await Promise.all(nodes.map((n) => n.close()));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(nodes.reduce((sum, n) => sum + n.refreshes, 0)).toBe(1);
  });
});

describe("business sampler: never hangs a scrape", () => {
  it("answers within the deadline when the database hangs, with no snapshot yet", async () => {
    const { registry } = setup({ active_users: "hang" }, { scrapeDeadlineMs: 200 });
    const started = performance.now();
    const text = await registry.metrics();
    // With no snapshot yet the first scrape waits the cold deadline; the slack is for a loaded machine, not the code.
    expect(performance.now() - started).toBeLessThan(COLD_SCRAPE_DEADLINE_MS + 1000);
    expect(series(text, "tandem_active_users")).toHaveLength(0);
    expect(text).toContain("# TYPE tandem_active_users gauge");
  });

  it("while a refresh hangs, later scrapes do not wait for it again", async () => {
    const { sampler } = setup({ active_users: "hang" }, { scrapeDeadlineMs: 200 });
    let started = performance.now();
    await sampler.snapshot();
    expect(performance.now() - started).toBeGreaterThanOrEqual(180);
    started = performance.now();
    await Promise.all([sampler.snapshot(), sampler.snapshot()]);
    // Waiting again would take at least the 200 ms deadline; answering from what is there takes ~1 ms.
    expect(performance.now() - started).toBeLessThan(150);
  });

  it("serves the previous snapshot overlaid with the finished part when a refresh is slow", async () => {
    let now = 0;
    let hang = false;
    const answers: Answers = { ...FULL, task_queued: () => (hang ? "hang" : (FULL.task_queued as Row[])) };
    answers.active_users = () => (hang ? [{ m5: 8, h1: 13, h24: 41 }] : (FULL.active_users as Row[]));
    const { registry } = setup(answers, { scrapeDeadlineMs: 150, now: () => now });
    await registry.metrics();
    hang = true;
    now += 60_000;
    const started = performance.now();
    const text = await registry.metrics();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(text).toContain('tandem_active_users{window="5m"} 8'); // finished in this refresh
    expect(text).toContain('tandem_agent_task_queued{source="chat"} 4'); // previous snapshot
    expect(text).toContain("tandem_workspace_total 250");
  });

  it("keeps the previous snapshot when every query fails, and retries on the next scrape", async () => {
    let now = 0;
    let failing = false;
    const answers: Answers = Object.fromEntries(
      SAMPLER_QUERIES.map((q) => [q.name, () => (failing ? new Error("connection reset") : (FULL[q.name] as Row[]))]),
    );
    const { sampler, registry } = setup(answers, { now: () => now });
    await registry.metrics();
    failing = true;
    now += 60_000;
    const text = await registry.metrics();
    expect(text).toContain("tandem_workspace_total 250");
    expect(text).toContain('tandem_business_sampler_query_errors_total{name="workspace_total"} 1');
    await registry.metrics();
    expect(sampler.refreshes).toBe(3);
  });

  it("counts a failed acquire, keeps the previous snapshot and retries on the next scrape", async () => {
    let now = 0;
    let down = false;
    const executor = fakeExecutor(FULL, { acquire: () => (down ? new Error("ECONNREFUSED") : undefined) });
    const sampler = new BusinessSampler({ executor, log: quiet, now: () => now });
    const registry = new Registry();
    sampler.register(registry);
    await registry.metrics();
    down = true;
    now += 60_000;
    const text = await registry.metrics();
    expect(text).toContain('tandem_business_sampler_query_errors_total{name="acquire"} 1');
    expect(text).toContain("tandem_workspace_total 250");
    await registry.metrics();
    expect(sampler.refreshes).toBe(3);
  });
});

describe("business sampler: wiring", () => {
  afterEach(async () => {
    for (const k of ["METRICS_TOKEN", "SAMPLER_ENABLED"]) delete process.env[k];
    resetConfigForTests();
    await closeSampler();
  });

  it.each([
    ["METRICS_TOKEN unset", { METRICS_TOKEN: "" }],
    ["SAMPLER_ENABLED=false", { METRICS_TOKEN: "t", SAMPLER_ENABLED: "false" }],
  ])("adds no sampler families when disabled (%s)", async (_, env) => {
    Object.assign(process.env, env);
    resetConfigForTests();
    const registry = new Registry();
    expect(registerSampler(registry, { executor: fakeExecutor(FULL) })).toBeUndefined();
    const text = await registry.metrics();
    for (const family of ["tandem_active_users", "tandem_agent_task_queued", "tandem_runtime_online", "tandem_business_sampler_query_seconds"])
      expect(text).not.toContain(family);
  });

  it("registers its families once when enabled", async () => {
    Object.assign(process.env, { METRICS_TOKEN: "t", SAMPLER_ENABLED: "true" });
    resetConfigForTests();
    const registry = new Registry();
    const sampler = registerSampler(registry, { executor: fakeExecutor(FULL), log: quiet });
    expect(sampler).toBeDefined();
    expect(registerSampler(registry)).toBe(sampler);
    const text = await registry.metrics();
    expect(text).toContain("tandem_workspace_total 250");
  });
});

/**
 * The business sampler against a real database. The seeded-data cases run on both backends; the timeout, hang and
 * cross-node cases need PostgreSQL + Redis (TEST_BACKEND=postgres) and are skipped on PGlite.
 */
import net from "node:net";
import { sql } from "drizzle-orm";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getStore } from "@/lib/store";
import { call } from "@/tests/helpers/api";
import { resetMetricsForTests } from "./metrics";
import { BusinessSampler, COLD_SCRAPE_DEADLINE_MS, SAMPLER_SNAPSHOT_KEY, appPgliteExecutor, closeSampler, type SamplerOptions } from "./sampler";
import { postgresExecutor } from "./sampler-executor";

/** A scrape with no snapshot yet waits at most the cold deadline; the rest is slack for a loaded machine. */
const SCRAPE_BOUND_MS = COLD_SCRAPE_DEADLINE_MS + 1000;

const onPostgres = process.env.TEST_BACKEND === "postgres";
const quiet = { info: () => {}, warn: () => {} };
const samplers: BusinessSampler[] = [];

function newSampler(options: Partial<SamplerOptions> = {}) {
  const executor = options.executor ?? (onPostgres ? postgresExecutor(process.env.DATABASE_URL!) : appPgliteExecutor());
  const sampler = new BusinessSampler({ log: quiet, ...options, executor });
  samplers.push(sampler);
  const registry = new Registry();
  sampler.register(registry);
  return { sampler, registry };
}

afterAll(async () => {
  await Promise.all(samplers.map((s) => s.close()));
});

const series = (text: string, family: string) =>
  text.split("\n").filter((l) => l.startsWith(family + "{") || l.startsWith(family + " "));

const U = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const W = (n: number) => `00000000-0000-4000-9000-00000000000${n}`;
const A = (n: number) => `00000000-0000-4000-a000-00000000000${n}`;
const R = (n: number) => `00000000-0000-4000-b000-00000000000${n}`;
const I = (n: number) => `00000000-0000-4000-c000-00000000000${n}`;
const S = (n: number) => `00000000-0000-4000-d000-00000000000${n}`;
const ago = (s: number) => `now() - interval '${s} seconds'`;

const SEED = `
INSERT INTO users (id, email) VALUES ('${U(1)}', 'u1@x.test'), ('${U(2)}', 'u2@x.test'), ('${U(3)}', 'u3@x.test');
INSERT INTO workspaces (id, name, slug, issue_prefix) VALUES
  ('${W(1)}', 'W1', 'w1', 'W'), ('${W(2)}', 'W2', 'w2', 'W'), ('${W(3)}', 'W3', 'w3', 'W');
INSERT INTO agents (id, workspace_id, name) VALUES ('${A(1)}', '${W(1)}', 'a1'), ('${A(2)}', '${W(2)}', 'a2'), ('${A(3)}', '${W(3)}', 'a3');
INSERT INTO runtimes (id, workspace_id, daemon_id, provider, name, runtime_mode, last_seen_at) VALUES
  ('${R(1)}', '${W(1)}', 'd1', 'kiro', 'r', 'cloud', ${ago(0.5)}),
  ('${R(2)}', '${W(1)}', 'd2', 'claude', 'r', 'local', ${ago(4)}),
  ('${R(3)}', '${W(2)}', 'd3', 'claude', 'r', 'local', ${ago(20)}),
  ('${R(4)}', '${W(2)}', 'd4', 'codex', 'r', 'cloud', ${ago(75)}),
  ('${R(5)}', '${W(3)}', 'd5', 'Rogue-Provider', 'r', 'rogue-mode', ${ago(2)}),
  ('${R(6)}', '${W(3)}', 'd6', 'claude', 'r', 'local', ${ago(1000)});
INSERT INTO issues (id, workspace_id, number, title, creator_type, creator_id) VALUES
  ('${I(1)}', '${W(1)}', 1, 'i1', 'member', '${U(1)}'),
  ('${I(2)}', '${W(2)}', 1, 'i2', 'agent', '${A(2)}');
INSERT INTO agent_tasks (workspace_id, agent_id, issue_id, chat_session_id, runtime_id, source, status, created_at, started_at) VALUES
  ('${W(1)}', '${A(1)}', NULL, NULL, NULL, 'chat', 'queued', ${ago(259200)}, NULL),
  ('${W(1)}', '${A(1)}', NULL, NULL, NULL, 'Chat ', 'queued', ${ago(259200)}, NULL),
  ('${W(1)}', '${A(1)}', NULL, NULL, NULL, 'rogue-source', 'queued', ${ago(259200)}, NULL),
  ('${W(1)}', '${A(1)}', NULL, NULL, '${R(1)}', 'chat', 'dispatched', ${ago(259200)}, NULL),
  ('${W(1)}', '${A(1)}', '${I(1)}', NULL, '${R(2)}', 'issue', 'running', ${ago(259200)}, ${ago(2700)}),
  ('${W(1)}', '${A(1)}', NULL, NULL, NULL, 'autopilot', 'running', ${ago(259200)}, ${ago(300)}),
  ('${W(1)}', '${A(1)}', '${I(1)}', NULL, '${R(2)}', 'issue', 'completed', ${ago(120)}, ${ago(100)}),
  ('${W(2)}', '${A(2)}', '${I(2)}', NULL, '${R(3)}', 'issue', 'completed', ${ago(1800)}, ${ago(1700)});
INSERT INTO chat_sessions (id, workspace_id, agent_id, creator_id) VALUES
  ('${S(1)}', '${W(3)}', '${A(3)}', '${U(2)}'), ('${S(2)}', '${W(1)}', '${A(1)}', '${U(3)}');
INSERT INTO chat_messages (session_id, workspace_id, role, content, created_at) VALUES
  ('${S(1)}', '${W(3)}', 'agent', 'hi', ${ago(10800)}),
  ('${S(2)}', '${W(1)}', 'user', 'old', ${ago(172800)});
`;

beforeAll(async () => {
  const db = await getDb();
  for (const statement of SEED.split(";").map((s) => s.trim()).filter(Boolean)) await db.execute(sql.raw(statement));
});

describe("business sampler on the database", () => {
  it("computes every gauge from seeded rows", async () => {
    const { registry, sampler } = newSampler();
    const text = await registry.metrics();
    expect(series(text, "tandem_business_sampler_query_errors_total").filter((l) => !l.endsWith(" 0"))).toEqual([]);
    expect(sampler.refreshes).toBe(1);
    expect(series(text, "tandem_active_users")).toEqual([
      'tandem_active_users{window="5m"} 1',
      'tandem_active_users{window="1h"} 1',
      'tandem_active_users{window="24h"} 2',
    ]);
    expect(series(text, "tandem_active_workspaces")).toEqual([
      'tandem_active_workspaces{window="5m"} 1',
      'tandem_active_workspaces{window="1h"} 2',
      'tandem_active_workspaces{window="24h"} 3',
    ]);
    expect(text).toContain('tandem_agent_task_queued{source="chat"} 2');
    expect(text).toContain('tandem_agent_task_queued{source="other"} 1');
    expect(text).toContain('tandem_agent_task_queued{source="issue"} 0');
    for (const family of ["tandem_agent_task_running", "tandem_agent_task_in_progress"]) {
      expect(text).toContain(`${family}{source="chat",runtime_mode="cloud"} 1`);
      expect(text).toContain(`${family}{source="issue",runtime_mode="local"} 1`);
      expect(text).toContain(`${family}{source="autopilot",runtime_mode="unknown"} 1`);
      expect(series(text, family).filter((l) => !l.endsWith(" 0"))).toHaveLength(3);
    }
    expect(series(text, "tandem_agent_task_stuck").filter((l) => !l.endsWith(" 0"))).toEqual(['tandem_agent_task_stuck{source="issue"} 1']);
    expect(series(text, "tandem_runtime_online").sort()).toEqual([
      'tandem_runtime_online{runtime_mode="cloud",provider="kiro"} 1',
      'tandem_runtime_online{runtime_mode="local",provider="claude"} 2',
      'tandem_runtime_online{runtime_mode="unknown",provider="other"} 1',
    ]);
    expect(text).toContain("tandem_workspace_total 3");
    await registry.metrics();
    expect(sampler.refreshes).toBe(1); // the second scrape inside the TTL is served from the snapshot
  });

  it("keeps cardinality bounded whatever values the tables hold", async () => {
    const db = await getDb();
    await db.execute(
      sql.raw(`INSERT INTO agent_tasks (workspace_id, agent_id, source, status, started_at, created_at)
        SELECT '${W(2)}', '${A(2)}', 'rogue-' || g, CASE WHEN g % 2 = 0 THEN 'queued' ELSE 'running' END,
               now() - interval '2 hours', now() - interval '3 days'
          FROM generate_series(1, 50) g`),
    );
    await db.execute(
      sql.raw(`INSERT INTO runtimes (workspace_id, daemon_id, provider, name, runtime_mode, last_seen_at)
        SELECT '${W(2)}', 'rogue-' || g, 'provider-' || g, 'r', 'mode-' || g, now() FROM generate_series(1, 30) g`),
    );
    try {
      const { registry } = newSampler();
      const text = await registry.metrics();
      expect(series(text, "tandem_agent_task_queued")).toHaveLength(8);
      expect(text).toContain('tandem_agent_task_queued{source="other"} 26'); // 25 rogue + the seeded one
      expect(series(text, "tandem_agent_task_running")).toHaveLength(24);
      expect(series(text, "tandem_agent_task_in_progress")).toHaveLength(24);
      expect(series(text, "tandem_agent_task_stuck")).toHaveLength(8);
      expect(text).toContain('tandem_agent_task_stuck{source="other"} 25');
      expect(text).toContain('tandem_runtime_online{runtime_mode="unknown",provider="other"} 31');
      expect(series(text, "tandem_runtime_online")).toHaveLength(3);
      expect(series(text, "tandem_runtime_heartbeat_age_seconds_count")).toHaveLength(3);
    } finally {
      await db.execute(sql.raw(`DELETE FROM agent_tasks WHERE source LIKE 'rogue-%' AND workspace_id = '${W(2)}'`));
      await db.execute(sql.raw(`DELETE FROM runtimes WHERE daemon_id LIKE 'rogue-%'`));
    }
  });

  it("400 junk providers cannot hide real runtimes: grouped by the normalised label in SQL, no LIMIT to fall behind", async () => {
    const db = await getDb();
    await db.execute(
      sql.raw(`INSERT INTO runtimes (workspace_id, daemon_id, provider, name, runtime_mode, last_seen_at)
        SELECT '${W(2)}', 'junk-' || g, 'junk-provider-' || g, 'r', 'local', now() FROM generate_series(1, 400) g`),
    );
    await db.execute(
      sql.raw(`INSERT INTO runtimes (workspace_id, daemon_id, provider, name, runtime_mode, last_seen_at)
        SELECT '${W(2)}', 'junk-real-' || g, ' Claude', 'r', 'local', now() - interval '1 second' FROM generate_series(1, 2) g`),
    );
    try {
      const { registry } = newSampler();
      const text = await registry.metrics();
      // The seed's R(2) and R(3) are local claude runtimes seen within the minute too: 2 + 2.
      expect(text).toContain('tandem_runtime_online{runtime_mode="local",provider="claude"} 4');
      expect(text).toContain('tandem_runtime_online{runtime_mode="local",provider="other"} 400');
      // Every runtime seen in the last 15 minutes is in the histogram (the seed's cloud/local/unknown ones + 402).
      const count = (mode: string) => Number(series(text, "tandem_runtime_heartbeat_age_seconds_count").find((l) => l.includes(`"${mode}"`))?.split(" ")[1]);
      expect(count("local")).toBe(2 + 402);
      expect(count("cloud")).toBe(2);
    } finally {
      await db.execute(sql.raw(`DELETE FROM runtimes WHERE daemon_id LIKE 'junk-%'`));
    }
  });

  it("buckets heartbeat ages from last_seen_at", async () => {
    // Re-stamp the bucketed heartbeats right before the scrape, so a slow machine cannot age them across a bucket.
    const db = await getDb();
    for (const [n, s] of [[1, 0.2], [2, 3], [3, 20], [4, 75]])
      await db.execute(sql.raw(`UPDATE runtimes SET last_seen_at = ${ago(s)} WHERE id = '${R(n)}'`));
    const { registry } = newSampler();
    const text = await registry.metrics();
    const bucket = (mode: string, le: string) =>
      series(text, "tandem_runtime_heartbeat_age_seconds_bucket")
        .find((l) => l.startsWith(`tandem_runtime_heartbeat_age_seconds_bucket{le="${le}",runtime_mode="${mode}"}`))
        ?.split(" ")[1];
    // cloud: 0.2 s and 75 s; local: 3 s and 20 s (the runtime seen 1000 s ago is outside the 15 minutes)
    expect(["1", "5", "15", "30", "60", "120", "600"].map((le) => bucket("cloud", le))).toEqual(["1", "1", "1", "1", "1", "2", "2"]);
    expect(["1", "5", "15", "30", "60"].map((le) => bucket("local", le))).toEqual(["0", "1", "1", "2", "2"]);
    expect(text).toContain('tandem_runtime_heartbeat_age_seconds_count{runtime_mode="unknown"} 1');
  });

  it("runs its queries read-only", async () => {
    const { sampler, registry } = newSampler();
    const err = await sampler.query("write_canary", "CREATE TABLE sampler_should_not_exist (a int)").catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("25006");
    expect(await registry.metrics()).toContain('tandem_business_sampler_query_errors_total{name="write_canary"} 1');
  });
});

describe.skipIf(!onPostgres)("business sampler safety on PostgreSQL", () => {
  it("cancels a slow query at the statement timeout (SQLSTATE 57014) and counts it", async () => {
    const { sampler, registry } = newSampler({ queryTimeoutMs: 500 });
    const started = performance.now();
    const err = await sampler.query("pg_sleep_canary", "SELECT pg_sleep(2)").catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect((err as { code?: string }).code).toBe("57014");
    expect(elapsed).toBeGreaterThan(250);
    expect(elapsed).toBeLessThan(1500);
    const text = await registry.metrics();
    expect(text).toContain('tandem_business_sampler_query_errors_total{name="pg_sleep_canary"} 1');
    expect(text).toContain('tandem_business_sampler_query_seconds_count{name="pg_sleep_canary"} 1');
    // The connection is usable afterwards: the next refresh succeeds.
    expect(text).toContain("tandem_workspace_total 3");
  });

  it("answers a scrape within the deadline when the database is unreachable", async () => {
    const { registry } = newSampler({ executor: postgresExecutor("postgres://postgres@127.0.0.1:1/none") });
    const started = performance.now();
    const text = await registry.metrics();
    expect(performance.now() - started).toBeLessThan(SCRAPE_BOUND_MS);
    expect(series(text, "tandem_agent_task_queued")).toHaveLength(0);
    expect(text).toContain('tandem_business_sampler_query_errors_total{name="acquire"} 1');
  });

  it("answers a scrape within the deadline when the database accepts connections and never answers", async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => sockets.add(socket)); // swallows the startup message
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const { registry } = newSampler({ executor: postgresExecutor(`postgres://postgres@127.0.0.1:${port}/none`) });
      for (let i = 0; i < 2; i++) {
        const started = performance.now();
        const text = await registry.metrics();
        expect(performance.now() - started).toBeLessThan(SCRAPE_BOUND_MS);
        expect(text).toContain("# TYPE tandem_active_users gauge");
      }
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it("shares one refresh per TTL across nodes through Redis", async () => {
    const store = await getStore();
    expect(store.kind).toBe("redis");
    let now = Date.now() + 3_600_000; // clear of snapshots written by other cases
    const nodes = [1, 2, 3].map(() => newSampler({ store: async () => store, now: () => now }));
    const texts = await Promise.all(nodes.map((n) => n.registry.metrics()));
    expect(nodes.map((n) => n.sampler.refreshes).reduce((a, b) => a + b)).toBe(1);
    for (const t of texts) expect(t).toContain("tandem_workspace_total 3");
    now += 9000;
    await Promise.all(nodes.map((n) => n.registry.metrics()));
    expect(nodes.map((n) => n.sampler.refreshes).reduce((a, b) => a + b)).toBe(2);
  });
});

describe("business sampler behind GET /api/metrics", () => {
  const keys = ["METRICS_TOKEN", "SAMPLER_ENABLED", "SAMPLER_DATABASE_URL"];
  afterEach(async () => {
    for (const k of keys) delete process.env[k];
    resetConfigForTests();
    resetMetricsForTests();
    await closeSampler();
  });

  const scrape = async (env: Record<string, string>) => {
    Object.assign(process.env, { METRICS_TOKEN: "metrics-secret", ...env });
    resetConfigForTests();
    resetMetricsForTests();
    await closeSampler();
    await (await getStore()).del(SAMPLER_SNAPSHOT_KEY); // each case starts without a snapshot shared by an earlier one
    const started = performance.now();
    const res = await call(metricsRoute, { path: "/api/metrics", headers: { authorization: "Bearer metrics-secret" } });
    return { ...res, ms: performance.now() - started, text: res.body as string };
  };

  it("serves the sampler families from the app database", async () => {
    const { status, text } = await scrape({});
    expect(status).toBe(200);
    expect(text).toContain("tandem_workspace_total 3");
    expect(text).toContain('tandem_agent_task_queued{source="chat"} 2');
    expect(text).toContain("tandem_http_requests_total"); // the rest of the registry is there too
  });

  it("has no sampler families with SAMPLER_ENABLED=false", async () => {
    const { status, text } = await scrape({ SAMPLER_ENABLED: "false" });
    expect(status).toBe(200);
    for (const family of ["tandem_active_users", "tandem_agent_task_queued", "tandem_runtime_online", "tandem_business_sampler_query_seconds"])
      expect(text).not.toContain(family);
  });

  it("answers within the deadline when the sampler database is unreachable", async () => {
    const { status, text, ms } = await scrape({ SAMPLER_DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" });
    expect(status).toBe(200);
    expect(ms).toBeLessThan(SCRAPE_BOUND_MS);
    expect(text).toContain('tandem_business_sampler_query_errors_total{name="acquire"} 1');
    expect(text).toContain("tandem_build_info");
  });
});

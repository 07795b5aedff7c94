/**
 * Business sampler benchmark (issue 8): seeds a throwaway PostgreSQL database with 1,000,000 tasks, 100,000 users,
 * 10,000 workspaces and 50,000 chat messages (generate_series), then reports each sampler query's time, its
 * EXPLAIN plan, and the time of a cold and a warm scrape of the app's /api/metrics exposition.
 * Targets: every query < 100 ms, cold scrape < 500 ms, warm scrape < 20 ms.
 *
 *   npm run bench:sampler                 # admin URL: BENCH_PG_ADMIN_URL or postgres://postgres@127.0.0.1:5432/postgres
 *   npm run bench:sampler -- --keep       # keep the database afterwards (its name is printed)
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { Registry } from "prom-client";

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const KEEP = process.argv.includes("--keep");
const RUNS = 7;
// BENCH_SCALE=0.01 gives a quick smoke run of the script; the recorded results use the default 1.
const SCALE = Number(process.env.BENCH_SCALE ?? "1");
const N = {
  tasks: Math.round(1_000_000 * SCALE),
  users: Math.round(100_000 * SCALE),
  workspaces: Math.round(10_000 * SCALE),
  messages: Math.round(50_000 * SCALE),
};
const WS = N.workspaces;
const TARGET = { queryMs: 100, coldMs: 500, warmMs: 20 };

const SEED = [
  `CREATE TEMP TABLE us AS SELECT g AS idx, gen_random_uuid() AS id FROM generate_series(0, ${N.users - 1}) g`,
  `INSERT INTO users (id, email, created_at) SELECT id, 'u' || idx || '@bench.test', now() - interval '200 days' FROM us`,
  `CREATE TEMP TABLE ws AS SELECT g AS idx, gen_random_uuid() AS id, gen_random_uuid() AS agent_id, gen_random_uuid() AS session_id
     FROM generate_series(0, ${WS - 1}) g`,
  `INSERT INTO workspaces (id, name, slug, issue_prefix, issue_counter)
     SELECT id, 'Workspace ' || idx, 'w' || idx, 'W', 20 FROM ws`,
  `INSERT INTO agents (id, workspace_id, name) SELECT agent_id, id, 'agent ' || idx FROM ws`,
  // Two runtimes per workspace: 5% seen in the last minute, 10% in the last 15 minutes, the rest days ago.
  `CREATE TEMP TABLE rt AS SELECT w.idx * 2 + k AS idx, w.idx AS ws_idx, w.id AS ws_id, gen_random_uuid() AS id
     FROM ws w, generate_series(0, 1) k`,
  `INSERT INTO runtimes (id, workspace_id, daemon_id, provider, name, runtime_mode, status, last_seen_at)
     SELECT id, ws_id, 'daemon-' || idx,
            (ARRAY['claude', 'codex', 'gemini', 'cursor', 'kiro', 'opencode'])[1 + idx % 6], 'rt',
            CASE WHEN idx % 3 = 0 THEN 'cloud' ELSE 'local' END,
            CASE WHEN idx % 20 = 0 THEN 'online' ELSE 'offline' END,
            CASE WHEN idx % 20 = 0 THEN now() - random() * interval '50 seconds'
                 WHEN idx % 20 IN (1, 2) THEN now() - interval '60 seconds' - random() * interval '800 seconds'
                 ELSE now() - interval '1 day' - random() * interval '30 days' END
       FROM rt`,
  // 20 issues per workspace; 4 in 5 created by a member.
  `CREATE TEMP TABLE iss AS SELECT w.idx * 20 + (n - 1) AS idx, w.idx AS ws_idx, w.id AS ws_id, w.agent_id, n, gen_random_uuid() AS id
     FROM ws w, generate_series(1, 20) n`,
  `INSERT INTO issues (id, workspace_id, number, title, creator_type, creator_id, created_at)
     SELECT i.id, i.ws_id, i.n, 'Issue ' || i.n,
            CASE WHEN i.idx % 5 = 0 THEN 'agent' ELSE 'member' END,
            CASE WHEN i.idx % 5 = 0 THEN i.agent_id ELSE u.id END,
            now() - interval '100 days'
       FROM iss i JOIN us u ON u.idx = (i.idx * 7) % ${N.users}`,
  `INSERT INTO chat_sessions (id, workspace_id, agent_id, creator_id)
     SELECT w.session_id, w.id, w.agent_id, u.id FROM ws w JOIN us u ON u.idx = (w.idx * 10) % ${N.users}`,
  // 50,000 chat messages over the last 7 days. Rows go in in time order, laid out like an append-only table.
  `INSERT INTO chat_messages (session_id, workspace_id, role, content, created_at)
     SELECT w.session_id, w.id, CASE WHEN m.g % 2 = 0 THEN 'user' ELSE 'agent' END, 'message ' || m.g, m.at
       FROM (SELECT g, now() - random() * interval '7 days' AS at FROM generate_series(0, ${N.messages - 1}) g) m
       JOIN ws w ON w.idx = m.g % ${WS}
      ORDER BY m.at`,
  // 1,000,000 tasks over the last 90 days: 60% issue, 30% chat, 10% autopilot; 1% queued, 0.3% dispatched, 1% running
  // (open tasks are recent; most running ones started over 30 minutes ago, i.e. stuck), the rest finished.
  `INSERT INTO agent_tasks (workspace_id, agent_id, runtime_id, issue_id, chat_session_id, autopilot_run_id, source, status,
                           created_at, dispatched_at, started_at, completed_at)
     SELECT w.id, w.agent_id,
            CASE WHEN s.st = 'queued' THEN NULL ELSE r.id END,
            CASE WHEN g % 10 < 6 THEN i.id END,
            CASE WHEN g % 10 BETWEEN 6 AND 8 THEN w.session_id END,
            NULL,
            CASE WHEN g % 10 < 6 THEN 'issue' WHEN g % 10 < 9 THEN 'chat' ELSE 'autopilot' END,
            s.st, s.created, s.created + interval '2 seconds',
            CASE WHEN s.st IN ('queued', 'dispatched') THEN NULL ELSE s.created + interval '5 seconds' END,
            CASE WHEN s.st IN ('completed', 'failed', 'cancelled') THEN s.created + interval '3 minutes' END
       FROM generate_series(0, ${N.tasks - 1}) g
       JOIN ws w ON w.idx = g % ${WS}
       JOIN iss i ON i.idx = (g % ${WS}) * 20 + (g / ${WS}) % 20
       JOIN rt r ON r.idx = (g % ${WS}) * 2 + (g / ${WS}) % 2
       CROSS JOIN LATERAL (SELECT (g::bigint * 7919) % 1000 AS h) k
       CROSS JOIN LATERAL (
         SELECT CASE WHEN k.h < 10 THEN 'queued' WHEN k.h < 13 THEN 'dispatched' WHEN k.h < 23 THEN 'running'
                     WHEN k.h < 900 THEN 'completed' WHEN k.h < 970 THEN 'failed' ELSE 'cancelled' END AS st,
                CASE WHEN k.h < 23 THEN now() - random() * interval '2 hours'
                     ELSE now() - random() * interval '90 days' END AS created
       ) s
      ORDER BY s.created`,
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

async function main() {
  const name = `tandem_bench_sampler_${randomBytes(4).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  console.log(`database ${name}`);
  const failures: string[] = [];
  try {
    const db = postgres(dbUrl, { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle({ client: db }), { migrationsFolder: path.join(process.cwd(), "drizzle") });
      const [, seedMs] = await timed(async () => {
        await db.begin(async (tx) => {
          for (const statement of SEED) await tx.unsafe(statement);
        });
        await db.unsafe("VACUUM ANALYZE");
      });
      // Heartbeats are stamped after seeding (which takes a while), so "online in the last minute" has members.
      await db.unsafe(`UPDATE runtimes SET last_seen_at = CASE
          WHEN split_part(daemon_id, '-', 2)::int % 20 = 0 THEN now() - random() * interval '50 seconds'
          ELSE now() - interval '60 seconds' - random() * interval '800 seconds' END
        WHERE split_part(daemon_id, '-', 2)::int % 20 IN (0, 1, 2)`);
      const [counts] = await db.unsafe(`SELECT (SELECT count(*) FROM agent_tasks)::int AS tasks, (SELECT count(*) FROM users)::int AS users,
        (SELECT count(*) FROM workspaces)::int AS workspaces, (SELECT count(*) FROM chat_messages)::int AS chat_messages,
        (SELECT count(*) FROM issues)::int AS issues, (SELECT count(*) FROM runtimes)::int AS runtimes`);
      console.log(`seeded in ${(seedMs / 1000).toFixed(1)} s:`, counts);
      const [{ server_version }] = await db.unsafe("SHOW server_version");
      console.log(`PostgreSQL ${server_version}`);
      // How much CPU this run gets: the machine is shared, so report a fixed reference workload with the results.
      const calibration: number[] = [];
      for (let i = 0; i < 3; i++) calibration.push((await timed(() => db.unsafe("SELECT count(*) FROM generate_series(1, 1000000)")))[1]);
      console.log(`calibration: SELECT count(*) FROM generate_series(1, 1000000) median ${ms(median(calibration))}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs`);
    } finally {
      await db.end();
    }

    // The app's wiring: the sampler registered on the one registry, reading the bench database.
    Object.assign(process.env, { METRICS_TOKEN: "bench", SAMPLER_DATABASE_URL: dbUrl, SAMPLER_ENABLED: "true" });
    delete process.env.REDIS_URL;
    const { SAMPLER_QUERIES } = await import("@/lib/telemetry/sampler-queries");
    const { BusinessSampler, closeSampler } = await import("@/lib/telemetry/sampler");
    const { postgresExecutor } = await import("@/lib/telemetry/sampler-executor");
    const { renderMetrics } = await import("@/lib/telemetry/exposition");

    // Load the modules and build the registry first: their one-off start-up cost (tsx transpiling on import) is not a
    // scrape's. The sampler's pool is not opened until the first scrape.
    const { registry } = await import("@/lib/telemetry/metrics");
    registry();
    await Promise.all([import("@/lib/store"), import("@/lib/ops/lifecycle"), import("postgres")]);

    // Cold scrape: first /api/metrics exposition of the process (new pool, empty cache, all queries).
    const [cold, coldMs] = await timed(() => renderMetrics(null));
    const sampled = cold.body.split("\n").filter((l) => /^tandem_(active|agent_task_(queued|running|stuck|in_progress)|runtime_online|workspace_total)/.test(l) && !l.endsWith(" 0"));
    // Warm scrapes: inside the TTL, served from the snapshot.
    const warm: number[] = [];
    for (let i = 0; i < 20; i++) warm.push((await timed(() => renderMetrics(null)))[1]);
    const errors = cold.body.split("\n").filter((l) => l.startsWith("tandem_business_sampler_query_errors_total") && !l.endsWith(" 0"));

    // Each query the way a refresh runs it (own READ ONLY transaction, statement timeout), RUNS times.
    const sampler = new BusinessSampler({ executor: postgresExecutor(dbUrl), log: console });
    sampler.register(new Registry());
    const perQuery: Array<{ name: string; median: number; max: number }> = [];
    for (const q of SAMPLER_QUERIES) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) times.push((await timed(() => sampler.query(q.name, q.sql)))[1]);
      perQuery.push({ name: q.name, median: median(times), max: Math.max(...times) });
    }
    // A refresh with a warm pool (the steady state: one every TTL), and warm scrapes of the sampler families alone.
    const refresh: number[] = [];
    const samplerWarm: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = new BusinessSampler({ executor: sampler.executor, log: console });
      const r = new Registry();
      s.register(r);
      refresh.push((await timed(() => r.metrics()))[1]);
      for (let j = 0; j < 4; j++) samplerWarm.push((await timed(() => r.metrics()))[1]);
    }

    console.log("\n## Sampler values at seed time\n");
    for (const l of sampled) console.log(`    ${l}`);
    console.log(`\n## Query times (${RUNS} runs each, through the sampler: BEGIN READ ONLY + SET LOCAL + query + COMMIT)\n`);
    console.log("| query | median | max |\n|---|---:|---:|");
    for (const q of perQuery) {
      console.log(`| ${q.name} | ${ms(q.median)} | ${ms(q.max)} |`);
      if (q.max >= TARGET.queryMs) failures.push(`${q.name}: ${ms(q.max)} ≥ ${TARGET.queryMs} ms`);
    }
    const warmMedian = median(warm);
    const warmMax = Math.max(...warm);
    console.log(`\n## Scrapes (full /api/metrics exposition)\n`);
    console.log(`| scrape | time |\n|---|---:|`);
    console.log(`| cold (new pool, empty cache) | ${ms(coldMs)} |`);
    console.log(`| refresh (warm pool, empty cache; sampler families only), median of 5 | ${ms(median(refresh))} |`);
    console.log(`| warm (cached snapshot), median of 20 | ${ms(warmMedian)} (max ${ms(warmMax)}) |`);
    console.log(`| warm, sampler families only, median of 20 | ${ms(median(samplerWarm))} |`);
    if (errors.length) failures.push(`query errors in the cold scrape: ${errors.join(", ")}`);
    if (coldMs >= TARGET.coldMs) failures.push(`cold scrape ${ms(coldMs)} ≥ ${TARGET.coldMs} ms`);
    if (warmMedian >= TARGET.warmMs) failures.push(`warm scrape ${ms(warmMedian)} ≥ ${TARGET.warmMs} ms`);

    console.log("\n## EXPLAIN (ANALYZE, BUFFERS)\n");
    const explain = postgres(dbUrl, { max: 1, onnotice: () => {} });
    try {
      await explain.unsafe("SET max_parallel_workers_per_gather = 0"); // as in the sampler's transactions
      for (const q of SAMPLER_QUERIES) {
        const rows = await explain.unsafe(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${q.sql}`);
        console.log(`### ${q.name}\n\n\`\`\`\n${rows.map((r) => r["QUERY PLAN"]).join("\n")}\n\`\`\`\n`);
      }
    } finally {
      await explain.end();
    }
    await sampler.close();
    await closeSampler();
  } finally {
    if (!KEEP) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    else console.log(`kept database ${name}`);
    await admin.end();
  }
  console.log(failures.length ? `\nTARGETS MISSED:\n- ${failures.join("\n- ")}` : "\nall targets met");
  if (SCALE !== 1) console.log(`(BENCH_SCALE=${SCALE}: a smoke run, not the benchmark)`);
  process.exitCode = failures.length ? 1 : 0;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

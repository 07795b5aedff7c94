/**
 * The business sampler's SQL (TELEMETRY.md §6, reference §5.1) and the parsing of its rows into a snapshot.
 * Every label value passes through a normaliser and collapsed values are summed, so each family has a fixed upper
 * bound of series whatever the table holds. Grouped queries carry LIMIT 100 as a second bound, except the runtime
 * queries: they group by the label values normalised in SQL, so their bound is the allow-lists and no LIMIT can drop
 * real runtimes behind junk provider names (issue 11: 400 junk runtimes made two heartbeating `claude` ones read 0).
 * Indexes: drizzle/0001_sampler_indexes.sql; plans and timings: docs/performance.md ("Business sampler").
 */
import { normalizeRuntimeMode, normalizeRuntimeProvider, normalizeTaskSource, RUNTIME_MODES, RUNTIME_PROVIDERS } from "./labels";

/** The fixed windows of the active users / workspaces gauges, in emission order. */
export const ACTIVE_WINDOWS = ["5m", "1h", "24h"] as const;
export type ActiveWindow = (typeof ACTIVE_WINDOWS)[number];

/** Age buckets of `tandem_runtime_heartbeat_age_seconds` (reference §5.1). */
export const HEARTBEAT_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600];

/** What one refresh produces. A query that failed leaves its key absent (its gauge is omitted, never a false zero). */
export type SamplerData = {
  activeUsers?: Record<ActiveWindow, number>;
  activeWorkspaces?: Record<ActiveWindow, number>;
  /** source → queued tasks */
  taskQueued?: Record<string, number>;
  /** dispatched or running tasks: [source, runtime_mode, count] */
  taskRunning?: Array<[string, string, number]>;
  /** source → tasks running for more than 30 minutes */
  taskStuck?: Record<string, number>;
  /** runtimes seen in the last minute: [runtime_mode, provider, count] */
  runtimeOnline?: Array<[string, string, number]>;
  /** heartbeat ages of runtimes seen in the last 15 minutes, per (runtime_mode, bucket): [runtime_mode, count, sum of ages] */
  heartbeatAges?: Array<[string, number, number]>;
  workspaceTotal?: number;
};

export type Row = Record<string, unknown>;

export type SamplerQuery = {
  /** The `name` label of the self-metrics; a fixed set. */
  name: string;
  key: keyof SamplerData;
  sql: string;
  parse(rows: Row[]): SamplerData[keyof SamplerData];
};

const num = (v: unknown): number => {
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
};

function windows(rows: Row[]): Record<ActiveWindow, number> {
  const r = rows[0] ?? {};
  return { "5m": num(r.m5), "1h": num(r.h1), "24h": num(r.h24) };
}

function bySource(rows: Row[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) {
    const source = normalizeTaskSource(r.source);
    out[source] = (out[source] ?? 0) + num(r.n);
  }
  return out;
}

function byPair(rows: Row[], a: (r: Row) => string, b: (r: Row) => string): Array<[string, string, number]> {
  const sums = new Map<string, [string, string, number]>();
  for (const r of rows) {
    const x = a(r);
    const y = b(r);
    const key = `${x}\u0000${y}`;
    const entry = sums.get(key) ?? [x, y, 0];
    entry[2] += num(r.n);
    sums.set(key, entry);
  }
  return [...sums.values()];
}

/*
 * Active users / workspaces: one pass over the last 24 hours; each id's latest activity is found first, then the
 * three windows are counted with FILTER (cheaper than three count(DISTINCT) sorts), so a scrape reads each table's
 * recent slice once instead of three times. No inner LIMIT: it would cap the count (a bug the reference fixed in
 * review). Users: the creator of a chat session with a message of any role, or the member who created an issue that
 * got a task. Workspaces: the same shape, the issue side not filtered by creator.
 */
const COUNT_WINDOWS = `
SELECT (count(*) FILTER (WHERE at > now() - interval '5 minutes'))::int AS m5,
       (count(*) FILTER (WHERE at > now() - interval '1 hour'))::int AS h1,
       count(*)::int AS h24
  FROM (SELECT id, max(at) AS at FROM activity GROUP BY id) latest`;

/*
 * The issue side looks up each active issue's creator (a scalar subquery, evaluated once per issue through the
 * covering partial index issues_member_creator_idx) instead of hash-joining every issue: its cost follows the
 * issues active today, not the size of the issues table.
 */
const ACTIVE_USERS = `
WITH issue_side AS MATERIALIZED (
  SELECT (SELECT i.creator_id FROM issues i WHERE i.id = t.issue_id AND i.creator_type = 'member') AS id, t.at
    FROM (SELECT issue_id, max(created_at) AS at
            FROM agent_tasks
           WHERE created_at > now() - interval '24 hours' AND issue_id IS NOT NULL
           GROUP BY issue_id) t
), activity AS (
  SELECT cs.creator_id AS id, max(cm.created_at) AS at
    FROM chat_messages cm JOIN chat_sessions cs ON cs.id = cm.session_id
   WHERE cm.created_at > now() - interval '24 hours'
   GROUP BY cs.creator_id
  UNION ALL
  SELECT id, at FROM issue_side WHERE id IS NOT NULL
)${COUNT_WINDOWS}`;

const ACTIVE_WORKSPACES = `
WITH activity AS (
  SELECT workspace_id AS id, max(created_at) AS at
    FROM chat_messages
   WHERE created_at > now() - interval '24 hours'
   GROUP BY workspace_id
  UNION ALL
  SELECT workspace_id, max(created_at)
    FROM agent_tasks
   WHERE created_at > now() - interval '24 hours' AND issue_id IS NOT NULL
   GROUP BY workspace_id
)${COUNT_WINDOWS}`;

// Our tasks carry their source in a column (the reference inferred it from which foreign key was set).
const TASK_QUEUED = `
SELECT source, count(*)::int AS n
  FROM agent_tasks
 WHERE status = 'queued'
 GROUP BY source
 LIMIT 100`;

const TASK_RUNNING = `
SELECT t.source, COALESCE(r.runtime_mode, 'unknown') AS runtime_mode, count(*)::int AS n
  FROM agent_tasks t LEFT JOIN runtimes r ON r.id = t.runtime_id
 WHERE t.status IN ('dispatched', 'running')
 GROUP BY 1, 2
 LIMIT 100`;

const TASK_STUCK = `
SELECT source, count(*)::int AS n
  FROM agent_tasks
 WHERE status = 'running' AND started_at IS NOT NULL AND started_at < now() - interval '30 minutes'
 GROUP BY source
 LIMIT 100`;

/**
 * An allow-list normaliser in SQL, the same as labels.ts's `allowList` (trim + lower-case, else the fallback), so a
 * query can GROUP BY the label value itself. Values are our own constants, checked to be plain identifiers.
 */
function sqlAllowList(column: string, values: readonly string[], fallback: string): string {
  const known = values.filter((v) => v !== fallback);
  for (const v of [...known, fallback]) if (!/^[a-z0-9_]+$/.test(v)) throw new Error(`not a plain label value: ${v}`);
  const cleaned = `lower(btrim(${column}))`;
  return `CASE WHEN ${cleaned} IN (${known.map((v) => `'${v}'`).join(", ")}) THEN ${cleaned} ELSE '${fallback}' END`;
}

const RUNTIME_MODE_LABEL = sqlAllowList("runtime_mode", RUNTIME_MODES, normalizeRuntimeMode.fallback);

// The status column is not checked: "online" means a heartbeat in the last minute, whatever the row says.
const RUNTIME_ONLINE = `
SELECT ${RUNTIME_MODE_LABEL} AS runtime_mode,
       ${sqlAllowList("provider", RUNTIME_PROVIDERS, normalizeRuntimeProvider.fallback)} AS provider,
       count(*)::int AS n
  FROM runtimes
 WHERE last_seen_at > now() - interval '60 seconds'
 GROUP BY 1, 2`;

// Bucket index per age (upper bounds inclusive, as Prometheus' `le`); the histogram is rebuilt from (count, sum).
const HEARTBEAT_BUCKET = `CASE ${HEARTBEAT_BUCKETS.map((b, i) => `WHEN age <= ${b} THEN ${i}`).join(" ")} ELSE ${HEARTBEAT_BUCKETS.length} END`;

const RUNTIME_HEARTBEAT_AGE = `
SELECT runtime_mode, ${HEARTBEAT_BUCKET} AS bucket, count(*)::int AS n, sum(age)::float8 AS sum
  FROM (SELECT ${RUNTIME_MODE_LABEL} AS runtime_mode,
               GREATEST(EXTRACT(EPOCH FROM now() - last_seen_at), 0)::float8 AS age
          FROM runtimes
         WHERE last_seen_at > now() - interval '15 minutes') r
 GROUP BY 1, 2`;

const WORKSPACE_TOTAL = `SELECT count(*)::int AS n FROM workspaces`;

/** Run in this order, sequentially, one transaction each. */
export const SAMPLER_QUERIES: readonly SamplerQuery[] = [
  { name: "active_users", key: "activeUsers", sql: ACTIVE_USERS, parse: windows },
  { name: "active_workspaces", key: "activeWorkspaces", sql: ACTIVE_WORKSPACES, parse: windows },
  { name: "task_queued", key: "taskQueued", sql: TASK_QUEUED, parse: bySource },
  {
    name: "task_running",
    key: "taskRunning",
    sql: TASK_RUNNING,
    parse: (rows) => byPair(rows, (r) => normalizeTaskSource(r.source), (r) => normalizeRuntimeMode(r.runtime_mode)),
  },
  { name: "task_stuck", key: "taskStuck", sql: TASK_STUCK, parse: bySource },
  {
    name: "runtime_online",
    key: "runtimeOnline",
    sql: RUNTIME_ONLINE,
    parse: (rows) =>
      byPair(rows, (r) => normalizeRuntimeMode(r.runtime_mode), (r) => normalizeRuntimeProvider(r.provider)),
  },
  {
    name: "runtime_heartbeat_age",
    key: "heartbeatAges",
    sql: RUNTIME_HEARTBEAT_AGE,
    parse: (rows) =>
      rows.filter((r) => num(r.n) > 0).map((r) => [normalizeRuntimeMode(r.runtime_mode), num(r.n), Math.max(0, num(r.sum))] as [string, number, number]),
  },
  { name: "workspace_total", key: "workspaceTotal", sql: WORKSPACE_TOTAL, parse: (rows) => num(rows[0]?.n) },
];

/** Every value of the self-metrics' `name` label ("acquire": getting a connection failed). */
export const SAMPLER_QUERY_NAMES = [...SAMPLER_QUERIES.map((q) => q.name), "acquire"] as const;

/**
 * The business sampler (TELEMETRY.md §6, reference §5): gauges computed from SQL at scrape time.
 *
 * Safety contract: the queries run sequentially on one connection of a pool of their own, each in a READ ONLY
 * transaction with `SET LOCAL statement_timeout`; their result is a snapshot cached for a TTL and shared by
 * concurrent scrapes (one refresh in flight at a time) and, through the shared store, by all app nodes (a lock key
 * elects the node that refreshes; the others read its snapshot). A scrape waits for a refresh at most
 * `scrapeDeadlineMs` (counted from the refresh's start; 750 ms before the first snapshot), then serves the previous snapshot overlaid with whatever the
 * refresh has finished — so `/api/metrics` answers within half a second even when the database or Redis hangs. A failed query omits its gauge and moves
 * `tandem_business_sampler_query_errors_total{name}`; the rest of the scrape is served.
 */
import { randomUUID } from "node:crypto";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { config, type Config } from "@/lib/config";
import type { SharedStore } from "@/lib/store";
import { RUNTIME_MODES, TASK_SOURCES } from "./labels";
import {
  AcquireError,
  CLIENT_SLACK_MS,
  CONNECT_TIMEOUT_S,
  ConnectionLostError,
  pgliteExecutor,
  postgresExecutor,
  type PGliteLike,
  type RunQuery,
  type SamplerExecutor,
} from "./sampler-executor";
import {
  ACTIVE_WINDOWS,
  HEARTBEAT_BUCKETS,
  SAMPLER_QUERIES,
  SAMPLER_QUERY_NAMES,
  type Row,
  type SamplerData,
} from "./sampler-queries";

export type SamplerSnapshot = SamplerData & {
  /** When the refresh that produced it finished (epoch ms, the refreshing node's clock). */
  at: number;
};

export type SamplerOptions = {
  executor: SamplerExecutor;
  /** The store that shares snapshots across nodes; undefined → this process only. */
  store?: () => Promise<SharedStore | undefined>;
  queryTimeoutMs?: number;
  cacheTtlMs?: number;
  /** How long a scrape waits for a refresh before serving what it has. */
  scrapeDeadlineMs?: number;
  /** Clock for the cache's freshness checks (tests advance it). */
  now?: () => number;
  log?: Pick<Console, "info" | "warn">;
};

// With rendering, a scrape stays well under 500 ms even while the database or Redis hangs (issue 11).
export const DEFAULT_SCRAPE_DEADLINE_MS = 300;
/** Before the first snapshot there is nothing to serve instead: a cold refresh (new pool) may take this long. */
export const COLD_SCRAPE_DEADLINE_MS = 750;
export const SAMPLER_SNAPSHOT_KEY = "sampler:snapshot";
const LOCK_KEY = "sampler:lock";
const SNAPSHOT_VERSION = 2; // 2: heartbeat ages as (count, sum) per bucket
const POLL_MS = 25;
const LOG_EVERY_MS = 60_000;

const QUERY_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

function isStatementTimeout(err: unknown): boolean {
  return (err as { code?: unknown })?.code === "57014";
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

/** Resolves with `{ done: true, value }`, or `{ done: false }` once `ms` pass. */
function within<T>(p: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
    timer.unref?.();
  });
  return Promise.race([p.then((value) => ({ done: true as const, value })), late]).finally(() => clearTimeout(timer));
}

export class BusinessSampler {
  readonly executor: SamplerExecutor;
  readonly queryTimeoutMs: number;
  readonly cacheTtlMs: number;
  readonly scrapeDeadlineMs: number;
  /** Refreshes that ran the queries on this node (tests: N scrapes inside the TTL → 1). */
  refreshes = 0;

  private readonly store?: () => Promise<SharedStore | undefined>;
  private readonly now: () => number;
  private readonly log: Pick<Console, "info" | "warn">;
  private readonly token = randomUUID();
  private readonly lastLogged = new Map<string, number>();
  private current?: SamplerSnapshot;
  private inflight?: { promise: Promise<SamplerSnapshot | undefined>; partial: SamplerData; startedAt: number };

  readonly querySeconds: Histogram<"name">;
  readonly queryErrors: Counter<"name">;
  private readonly gauges: Array<Gauge<string> | Histogram<string>>;

  constructor(options: SamplerOptions) {
    this.executor = options.executor;
    this.store = options.store;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 500;
    this.cacheTtlMs = options.cacheTtlMs ?? 8000;
    this.scrapeDeadlineMs = options.scrapeDeadlineMs ?? DEFAULT_SCRAPE_DEADLINE_MS;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? console;
    // The self-metrics join the scrape's refresh too, so they report the queries this very scrape ran.
    const sampler = this;
    this.querySeconds = new Histogram<"name">({
      name: "tandem_business_sampler_query_seconds",
      help: "Duration of business sampler queries (failures included).",
      labelNames: ["name"],
      buckets: QUERY_SECONDS_BUCKETS,
      registers: [],
      async collect() {
        await sampler.snapshot();
      },
    });
    this.queryErrors = new Counter<"name">({
      name: "tandem_business_sampler_query_errors_total",
      help: "Business sampler failures: begin, SET LOCAL, the query, commit, or acquiring a connection (name=acquire).",
      labelNames: ["name"],
      registers: [],
      async collect() {
        await sampler.snapshot();
      },
    });
    for (const name of SAMPLER_QUERY_NAMES) this.queryErrors.inc({ name }, 0);
    this.gauges = this.buildGauges();
  }

  /** Adds the sampler's families (gauges + self-metrics) to a registry. */
  register(registry: Registry): void {
    for (const m of [...this.gauges, this.querySeconds, this.queryErrors])
      if (!registry.getSingleMetric((m as unknown as { name: string }).name)) registry.registerMetric(m);
  }

  /**
   * The snapshot a scrape emits: the cached one while fresh; otherwise the result of a refresh (joined if one is in
   * flight) if it finishes within the scrape deadline, else the previous snapshot overlaid with the finished part.
   */
  async snapshot(): Promise<SamplerSnapshot | undefined> {
    if (this.current && this.now() - this.current.at < this.cacheTtlMs) return this.current;
    const flight = this.inflight ?? this.startRefresh();
    // The deadline counts from the refresh's start: while one hangs, later scrapes do not wait for it again.
    const deadline = this.current ? this.scrapeDeadlineMs : Math.max(this.scrapeDeadlineMs, COLD_SCRAPE_DEADLINE_MS);
    const r = await within(flight.promise, Math.max(0, flight.startedAt + deadline - performance.now()));
    if (r.done) return r.value ?? this.current;
    if (!this.current && Object.keys(flight.partial).length === 0) return undefined;
    return { at: this.current?.at ?? 0, ...this.current, ...flight.partial };
  }

  /** Runs one statement the way refreshes do (own session, timeout, self-metrics). Used by tests and the bench. */
  async query(name: string, sql: string): Promise<Row[]> {
    try {
      return await this.executor.session((run) => this.timed(name, sql, run));
    } catch (err) {
      if (err instanceof AcquireError) this.failed("acquire", err);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.inflight?.promise.catch(() => {});
    await this.executor.close();
  }

  private startRefresh() {
    const partial: SamplerData = {};
    const promise = this.refresh(partial)
      .then((snap) => {
        if (snap && (!this.current || snap.at >= this.current.at)) this.current = snap;
        return snap;
      })
      .catch((err) => {
        this.warn("refresh", err);
        return undefined;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    this.inflight = { promise, partial, startedAt: performance.now() };
    return this.inflight;
  }

  /** With a shared store: a fresh shared snapshot wins; else the lock holder refreshes and the others wait for it. */
  private async refresh(partial: SamplerData): Promise<SamplerSnapshot | undefined> {
    const store = await this.store?.().catch(() => undefined);
    if (!store) return this.runQueries(partial);

    const shared = await this.readShared(store);
    if (shared && this.now() - shared.at < this.cacheTtlMs) return shared;
    const lockTtlMs = this.refreshBudgetMs();
    const mine = await store.setIfAbsent(LOCK_KEY, this.token, lockTtlMs).catch(() => true); // store down: go alone
    if (!mine) return (await this.waitForShared(store, shared?.at ?? -Infinity, lockTtlMs)) ?? shared;
    try {
      const snap = await this.runQueries(partial);
      if (snap) {
        const keepMs = Math.max(10 * this.cacheTtlMs, 60_000);
        await store.set(SAMPLER_SNAPSHOT_KEY, JSON.stringify({ v: SNAPSHOT_VERSION, ...snap }), keepMs).catch(() => {});
      }
      return snap;
    } finally {
      // Release only our own lock (it may have expired and been taken by another node).
      if ((await store.get(LOCK_KEY).catch(() => null)) === this.token) await store.del(LOCK_KEY).catch(() => {});
    }
  }

  private async readShared(store: SharedStore): Promise<SamplerSnapshot | undefined> {
    try {
      const raw = await store.get(SAMPLER_SNAPSHOT_KEY);
      if (!raw) return undefined;
      const { v, ...snap } = JSON.parse(raw) as SamplerSnapshot & { v?: number };
      return v === SNAPSHOT_VERSION && typeof snap.at === "number" ? snap : undefined;
    } catch {
      return undefined;
    }
  }

  /** Polls for the lock holder's snapshot; gives up when the lock is released without one (its refresh failed). */
  private async waitForShared(store: SharedStore, after: number, budgetMs: number) {
    const until = Date.now() + budgetMs;
    while (Date.now() < until) {
      await sleep(POLL_MS);
      const snap = await this.readShared(store);
      if (snap && snap.at > after) return snap;
      if ((await store.get(LOCK_KEY).catch(() => null)) === null) {
        const last = await this.readShared(store); // the holder writes the snapshot before releasing the lock
        return last && last.at > after ? last : undefined;
      }
    }
    return undefined;
  }

  /** Longest a refresh can take: connecting, then every query up to its client-side deadline. */
  private refreshBudgetMs(): number {
    return CONNECT_TIMEOUT_S * 1000 + SAMPLER_QUERIES.length * (this.queryTimeoutMs + CLIENT_SLACK_MS) + 1000;
  }

  private async runQueries(partial: SamplerData): Promise<SamplerSnapshot | undefined> {
    this.refreshes++;
    try {
      return await this.executor.session(async (run) => {
        let succeeded = 0;
        for (const q of SAMPLER_QUERIES) {
          try {
            const rows = await this.timed(q.name, q.sql, run);
            (partial as Record<string, unknown>)[q.key] = q.parse(rows);
            succeeded++;
          } catch (err) {
            if (err instanceof ConnectionLostError) break; // every later query would hang the same way
          }
        }
        // Nothing answered: like a failed acquire, keep the previous snapshot and retry on the next scrape.
        return succeeded > 0 ? { ...partial, at: this.now() } : undefined;
      });
    } catch (err) {
      // No connection: keep the previous snapshot (and its age), so the next scrape retries.
      if (err instanceof AcquireError) this.failed("acquire", err);
      else this.warn("refresh", err);
      return undefined;
    }
  }

  private async timed(name: string, sql: string, run: RunQuery): Promise<Row[]> {
    const started = performance.now();
    try {
      return await run(sql, this.queryTimeoutMs);
    } catch (err) {
      this.failed(name, err);
      throw err;
    } finally {
      this.querySeconds.observe({ name }, (performance.now() - started) / 1000);
    }
  }

  private failed(name: string, err: unknown) {
    this.queryErrors.inc({ name });
    if (isStatementTimeout(err)) this.throttled(`info:${name}`, () => this.log.info(`business sampler: ${name} hit the statement timeout (${this.queryTimeoutMs} ms)`));
    else this.warn(name, err);
  }

  private warn(what: string, err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    this.throttled(`warn:${what}`, () => this.log.warn(`business sampler: ${what} failed: ${message}`));
  }

  /** One line per kind of failure per minute: a database that is down must not flood the log on every scrape. */
  private throttled(key: string, write: () => void) {
    const t = Date.now();
    if (t - (this.lastLogged.get(key) ?? -Infinity) < LOG_EVERY_MS) return;
    this.lastLogged.set(key, t);
    write();
  }

  private buildGauges() {
    // `collect` runs on every scrape; reset + fill happens synchronously after the await, so concurrent scrapes
    // never interleave half-filled families.
    const sampler = this;
    const gauge = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      fill: (g: Gauge<L>, s: SamplerSnapshot) => void,
    ) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers: [],
        async collect() {
          const snap = await sampler.snapshot();
          this.reset();
          if (snap) fill(this, snap);
          else if (labelNames.length === 0) this.remove();
        },
      });
    const runningBy = (g: Gauge<"source" | "runtime_mode">, s: SamplerSnapshot) => {
      if (!s.taskRunning) return;
      for (const source of TASK_SOURCES) for (const runtime_mode of RUNTIME_MODES) g.set({ source, runtime_mode }, 0);
      for (const [source, runtime_mode, n] of s.taskRunning) g.inc({ source, runtime_mode }, n);
    };
    const perSource = (g: Gauge<"source">, counts: Record<string, number> | undefined) => {
      if (!counts) return;
      for (const source of TASK_SOURCES) g.set({ source }, 0);
      for (const [source, n] of Object.entries(counts)) g.inc({ source }, n);
    };
    const perWindow = (g: Gauge<"window">, counts: SamplerData["activeUsers"]) => {
      if (counts) for (const window of ACTIVE_WINDOWS) g.set({ window }, counts[window]);
    };

    return [
      gauge("tandem_active_users", "Distinct users active in the window (chat messages, issue tasks).", ["window"], (g, s) =>
        perWindow(g, s.activeUsers),
      ),
      gauge("tandem_active_workspaces", "Distinct workspaces active in the window.", ["window"], (g, s) =>
        perWindow(g, s.activeWorkspaces),
      ),
      gauge("tandem_agent_task_queued", "Tasks waiting for a runtime.", ["source"], (g, s) => perSource(g, s.taskQueued)),
      gauge("tandem_agent_task_running", "Tasks dispatched or running.", ["source", "runtime_mode"], runningBy),
      gauge(
        "tandem_agent_task_in_progress",
        "Tasks between dispatch and a terminal status, from the database (all nodes).",
        ["source", "runtime_mode"],
        runningBy,
      ),
      gauge("tandem_agent_task_stuck", "Tasks running for more than 30 minutes.", ["source"], (g, s) =>
        perSource(g, s.taskStuck),
      ),
      gauge("tandem_runtime_online", "Runtimes with a heartbeat in the last 60 seconds.", ["runtime_mode", "provider"], (g, s) => {
        for (const [runtime_mode, provider, n] of s.runtimeOnline ?? []) g.inc({ runtime_mode, provider }, n);
      }),
      new Histogram<"runtime_mode">({
        name: "tandem_runtime_heartbeat_age_seconds",
        help: "Seconds since the last heartbeat of runtimes seen in the last 15 minutes.",
        labelNames: ["runtime_mode"],
        buckets: HEARTBEAT_BUCKETS,
        registers: [],
        async collect() {
          const snap = await sampler.snapshot();
          this.reset();
          // The query counts per bucket; each bucket's mean age (inside the bucket) observed `count` times rebuilds
          // the exact buckets, count and sum.
          for (const [runtime_mode, count, sum] of snap?.heartbeatAges ?? []) {
            const mean = sum / count;
            for (let i = 0; i < count; i++) this.observe({ runtime_mode }, mean);
          }
        },
      }),
      gauge("tandem_workspace_total", "Workspaces.", [], (g, s) => {
        // A label-less gauge shows 0 after reset; a failed count must be absent, not a false zero.
        if (s.workspaceTotal !== undefined) g.set(s.workspaceTotal);
        else g.remove();
      }),
    ];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Wiring from the configuration (one sampler per process, on globalThis)

const KEY = Symbol.for("tandem.telemetry.sampler");
type G = typeof globalThis & { [KEY]?: BusinessSampler };

/** Enabled when METRICS_TOKEN is set and SAMPLER_ENABLED is not false. */
export function samplerEnabled(c: Config = config()): boolean {
  return Boolean(c.METRICS_TOKEN) && c.SAMPLER_ENABLED;
}

/** The app's own PGlite database (opened lazily) as a sampler executor. */
export function appPgliteExecutor(): SamplerExecutor {
  return pgliteExecutor(async () => {
    const { dbHandle } = await import("@/lib/db");
    const { db } = await dbHandle();
    return (db as unknown as { $client: PGliteLike }).$client;
  });
}

function fromConfig(c: Config, overrides: Partial<SamplerOptions>): BusinessSampler {
  const url = c.SAMPLER_DATABASE_URL ?? c.DATABASE_URL;
  let executor = overrides.executor;
  if (!executor && url) executor = postgresExecutor(url);
  if (!executor) {
    console.warn(
      "business sampler: running on PGlite through the app database; its queries have no statement timeout guarantee",
    );
    executor = appPgliteExecutor();
  }
  return new BusinessSampler({
    store: async () => {
      const { getStore } = await import("@/lib/store");
      const store = await getStore();
      return store.kind === "redis" ? store : undefined; // in one process the in-flight refresh is shared already
    },
    queryTimeoutMs: c.SAMPLER_QUERY_TIMEOUT_MS,
    cacheTtlMs: c.SAMPLER_CACHE_TTL_MS,
    ...overrides,
    executor,
  });
}

/**
 * Called by the metrics registry when it is built: adds the sampler's families when enabled (METRICS_TOKEN set,
 * SAMPLER_ENABLED not false) and returns the process's sampler; otherwise adds nothing and returns undefined.
 */
export function registerSampler(registry: Registry, overrides: Partial<SamplerOptions> = {}): BusinessSampler | undefined {
  const c = config();
  if (!samplerEnabled(c)) return undefined;
  const g = globalThis as G;
  if (!g[KEY]) {
    g[KEY] = fromConfig(c, overrides);
    import("@/lib/ops/lifecycle")
      .then(({ onShutdown }) => onShutdown("business sampler", closeSampler))
      .catch(() => {});
  }
  g[KEY].register(registry);
  return g[KEY];
}

/** Closes the process's sampler (its pool); the next registerSampler builds a new one. */
export async function closeSampler(): Promise<void> {
  const g = globalThis as G;
  const s = g[KEY];
  delete g[KEY];
  await s?.close();
}

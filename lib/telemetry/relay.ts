import http from "node:http";
import https from "node:https";
import { sql } from "drizzle-orm";
import { getDb, type Db } from "@/lib/db/client";
import { sendPendingErasures, type ErasureTarget } from "./erasure";
import { countAnalyticsOutcome, families } from "./metrics";
import { trimTrailingSlashes } from "@/lib/http/text";
import { setSpanAttributes, withSpan } from "@/lib/ops/tracing";
import { expireAfter } from "@/lib/ops/deadline";

/**
 * The outbox relay (issue 12). Every node runs one. A cycle claims up to `batchSize` due rows (`FOR UPDATE SKIP
 * LOCKED` inside one short UPDATE that also sets `lease_until` past the send timeout: a lease, so no transaction
 * stays open while PostHog is slow and two nodes never send the same row), posts them to PostHog's
 * `/batch/` endpoint with their stable `uuid`, and deletes them on a 2xx. A failure reschedules them with
 * exponential backoff and jitter (and pauses this relay as long); a 4xx PostHog will never accept dead-letters them
 * (a refused batch is retried one event at a time first, so one bad event does not take its batch with it).
 * A commit wakes the relay at once; a poll finds rows other nodes wrote. A periodic pass enforces the backlog cap
 * and refreshes the gauges.
 */
export type RelayOptions = {
  apiKey: string;
  host: string;
  batchSize?: number;
  /** Per request. */
  timeoutMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** How often an idle relay looks for rows (written by other nodes, or due after a backoff). */
  pollMs?: number;
  maxRows?: number;
  maxAgeMs?: number;
  /** How long a woken relay waits for more commits before it sends (default 100 ms). */
  lingerMs?: number;
  /**
   * The same while events keep coming (a batch went out less than two of these ago; default 500 ms): a busy node sends
   * a few larger batches a second rather than ten small ones, each of which costs a claim, a request and a delete.
   */
  busyLingerMs?: number;
  /** Batches in flight at once while draining a backlog (default 3). */
  concurrency?: number;
  /** Cap and gauge pass interval (default 5 s). */
  maintainMs?: number;
  /** Defaults to the app database. */
  db?: () => Promise<Db>;
  /** ANALYTICS_CONSENT=required: users who have not agreed are treated like those who refused (see `applyConsent`). */
  consentRequired?: boolean;
  /** Where account erasures go (PostHog's persons API); null: not configured. Sent on the maintenance pass. */
  erasure?: ErasureTarget | null;
};

type Row = { id: string; uuid: string; event: string; distinct_id: string; user_id: string | null; props: string; ts: string; attempts: number; skip?: boolean };
type Outcome = { kind: "ok" } | { kind: "retry"; status: number } | { kind: "reject"; status: number };

/** 4xx answers that may succeed later (auth fixed, rate limit over, timeouts): retried, not dead-lettered. */
const RETRYABLE_4XX = new Set([401, 403, 404, 408, 409, 425, 429]);

/** Exponential backoff with "equal jitter": the n-th consecutive failure waits between half and all of its step. */
export function backoffDelay(failures: number, minMs: number, maxMs: number): number {
  const cap = Math.min(maxMs, minMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

/** Rows of `db.execute`, as postgres.js (an array) and PGlite (`{rows}`) return them. */
export const rowsOf = <T>(res: unknown): T[] => (Array.isArray(res) ? (res as T[]) : ((res as { rows?: T[] }).rows ?? []));
/**
 * The rows' ids as a literal list (`where id in (…)`): a statement without parameters is one round trip, where
 * postgres.js first asks for the parameters' types of one with them. Each id goes through BigInt, so only digits.
 */
const idList = (rows: Row[]) => sql.raw(rows.map((r) => BigInt(r.id).toString()).join(","));

export class OutboxRelay {
  readonly batchSize: number;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly leaseSeconds: number;
  private readonly db: () => Promise<Db>;
  private readonly url: string;
  private readonly hostName: string;
  private started = false;
  private stopping = false;
  private timer?: NodeJS.Timeout;
  private maintainTimer?: NodeJS.Timeout;
  private pump?: Promise<void>;
  private rewake = false;
  private lingering = false;
  private readonly lingerMs: number;
  private readonly busyLingerMs: number;
  /** When this relay last had a batch accepted (the busy linger applies shortly after). */
  private lastSentAt = 0;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private failures = 0;
  private pausedUntil = 0;
  private readonly abort = new AbortController();
  /** Events this relay delivered (tests: two relays share the work). */
  sentCount = 0;

  constructor(private readonly opts: RelayOptions) {
    this.batchSize = opts.batchSize ?? 1000;
    this.concurrency = opts.concurrency ?? 3;
    this.lingerMs = opts.lingerMs ?? 100;
    this.busyLingerMs = Math.max(this.lingerMs, opts.busyLingerMs ?? 500);
    this.timeoutMs = opts.timeoutMs ?? 5000;
    // Longer than a request can take, so a live sender's rows are never claimed twice.
    this.leaseSeconds = Math.ceil((2 * this.timeoutMs + 5000) / 1000);
    this.db = opts.db ?? getDb;
    this.url = `${trimTrailingSlashes(opts.host)}/batch/`;
    this.hostName = new URL(this.url).hostname;
    // node:http(s) rather than fetch: a third of the CPU per request, and Next's patched fetch stays out of the way.
    const secure = this.url.startsWith("https:");
    this.agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: this.concurrency });
    this.request = secure ? https.request : http.request;
  }

  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    this.schedule(0);
    const every = this.opts.maintainMs ?? 5000;
    this.maintainTimer = setInterval(() => void this.maintain().catch(() => {}), every);
    this.maintainTimer.unref();
    void this.maintain().catch(() => {});
  }

  /**
   * Called after a commit: send within `lingerMs` (`busyLingerMs` while events keep coming), unless the host is
   * failing and we are backing off. The linger lets a busy node's commits share one request instead of paying a
   * claim, a request and a delete each.
   */
  wake(): void {
    if (!this.started || this.stopping || Date.now() < this.pausedUntil) return;
    if (this.pump) this.rewake = true;
    else if (!this.lingering) {
      this.lingering = true;
      this.schedule(this.linger());
    }
  }

  private linger(): number {
    return Date.now() - this.lastSentAt < 2 * this.busyLingerMs ? this.busyLingerMs : this.lingerMs;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), ms);
    this.timer.unref();
  }

  private run(): void {
    this.lingering = false;
    if (this.pump || this.stopping) return;
    this.pump = this.drain(Infinity)
      .catch((err) => console.error("analytics relay:", err instanceof Error ? err.message : err))
      .finally(() => {
        this.pump = undefined;
        if (this.stopping) return;
        const paused = this.pausedUntil - Date.now();
        if (paused > 0) this.schedule(paused);
        else this.schedule(this.rewake ? this.linger() : (this.opts.pollMs ?? 2000));
        this.rewake = false;
      });
  }

  /**
   * Cycles until nothing is due, a send fails, or the deadline passes. While full batches keep coming (a backlog),
   * `concurrency` cycles run side by side, so one batch's request overlaps the next one's claim and delete.
   */
  private async drain(deadline: number, anyPending = false): Promise<void> {
    let backlog = true;
    const loop = async () => {
      while (backlog && Date.now() < deadline) {
        this.rewake = false;
        if ((await this.cycle(anyPending)) < this.batchSize) backlog = false;
      }
    };
    // The first cycle alone: the usual case is a handful of rows, or a failing host.
    if (Date.now() >= deadline) return;
    this.rewake = false;
    if ((await this.cycle(anyPending)) < this.batchSize) return;
    await Promise.all(Array.from({ length: this.concurrency }, loop));
  }

  /**
   * One claim-send-settle round; returns the rows claimed, or -1 when the send failed. `anyPending` (shutdown) also
   * takes rows waiting out a backoff — never rows another relay holds.
   */
  async cycle(anyPending = false): Promise<number> {
    const db = await this.db();
    const due = anyPending ? sql`true` : sql`next_attempt_at <= now()`;
    const rows = rowsOf<Row>(
      await db.execute(sql`
        update analytics_outbox set lease_until = now() + make_interval(secs => ${this.leaseSeconds}), attempts = attempts + 1
        where id in (
          select id from analytics_outbox where dead_at is null and ${due} and (lease_until is null or lease_until < now())
          order by next_attempt_at, id limit ${this.batchSize} for update skip locked)
        returning id::text as id, uuid::text as uuid, event, distinct_id, user_id::text as user_id, properties::text as props,
          to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ts, attempts`),
    );
    if (rows.length === 0) return 0;
    // With tracing on, one trace per delivery (lib/ops/tracing.ts): consent, the request, the settling queries.
    return withSpan("posthog.deliver", { "posthog.events": rows.length, "server.address": this.hostName }, () => this.deliver(db, rows), { root: true });
  }

  private async deliver(db: Db, rows: Row[]): Promise<number> {
    await this.applyConsent(db, rows);
    const outcome = await this.send(rows);
    setSpanAttributes({ "posthog.outcome": outcome.kind, "http.response.status_code": outcome.kind === "ok" ? undefined : outcome.status || undefined });
    if (outcome.kind === "ok") {
      await this.settleSent(db, rows);
      return rows.length;
    }
    if (outcome.kind === "reject") {
      // Find the events PostHog refuses: one request each (bounded by the batch), the rest go through.
      if (rows.length === 1) await this.deadLetter(db, rows, outcome.status);
      else
        for (const row of rows) {
          const one = await this.send([row]);
          if (one.kind === "ok") await this.settleSent(db, [row]);
          else if (one.kind === "reject") await this.deadLetter(db, [row], one.status);
          else return this.retry(db, [row], one.status);
        }
      return rows.length;
    }
    return this.retry(db, rows, outcome.status);
  }

  private async settleSent(db: Db, rows: Row[]): Promise<void> {
    await db.execute(sql`delete from analytics_outbox where id in (${idList(rows)})`);
    countAnalyticsOutcome("sent", rows.length);
    this.sentCount += rows.length;
    this.lastSentAt = Date.now();
    this.failures = 0;
    this.pausedUntil = 0;
  }

  private async deadLetter(db: Db, rows: Row[], status: number): Promise<void> {
    await db.execute(sql`update analytics_outbox set dead_at = now(), last_status = ${status} where id in (${idList(rows)})`);
    countAnalyticsOutcome("failed", rows.length);
    countAnalyticsOutcome("dead_lettered", rows.length);
  }

  private async retry(db: Db, rows: Row[], status: number): Promise<number> {
    let delay = 0;
    if (this.abort.signal.aborted) {
      // Cut short by the shutdown deadline: hand the rows back at once for the next process.
    } else {
      this.failures++;
      delay = backoffDelay(this.failures, this.opts.backoffMinMs ?? 1000, this.opts.backoffMaxMs ?? 300_000);
      this.pausedUntil = Date.now() + delay;
      countAnalyticsOutcome("failed", rows.length);
      countAnalyticsOutcome("retried", rows.length);
    }
    await db.execute(
      sql`update analytics_outbox set next_attempt_at = now() + make_interval(secs => ${delay / 1000}), lease_until = null, last_status = ${status}
          where id in (${idList(rows)})`,
    );
    return -1;
  }

  /**
   * Issue 16: events about a person who refused analytics (or, with ANALYTICS_CONSENT=required, has not agreed, or
   * whose account was erased) are sent without person processing: no `$set`/`$set_once`, `$process_person_profile: false`, and no alias. Decided at
   * send time, so a choice made just after the commit still counts. Counters are untouched: they hold no personal data.
   */
  private async applyConsent(db: Db, rows: Row[]): Promise<void> {
    const ids = [...new Set(rows.map((r) => r.user_id).filter((id): id is string => id !== null))];
    if (ids.length === 0) return;
    const found = rowsOf<{ id: string; refused: boolean }>(
      await db.execute(sql`
        select id::text as id,
          (analytics_consent = 'denied' or (${this.opts.consentRequired === true} and analytics_consent is distinct from 'granted')) as refused
        from users where id = any(${`{${ids.join(",")}}`}::uuid[])`),
    );
    // An erased account (no row any more: its `account_deleted`) is never profiled again either.
    const agreed = new Set(found.filter((u) => !u.refused).map((u) => u.id));
    const refused = new Set(ids.filter((id) => !agreed.has(id)));
    for (const row of rows) {
      if (!row.user_id || !refused.has(row.user_id)) continue;
      if (row.event === "$create_alias") {
        row.skip = true;
        continue;
      }
      const props = JSON.parse(row.props) as Record<string, unknown>;
      delete props.$set;
      delete props.$set_once;
      props.$process_person_profile = false;
      row.props = JSON.stringify(props);
    }
  }

  private async send(all: Row[]): Promise<Outcome> {
    const rows = all.filter((r) => !r.skip);
    if (rows.length === 0) return { kind: "ok" };
    // The properties stay the JSON text the database holds: no parse/serialise round trip per event.
    const items = rows.map(
      (r) =>
        `{"type":"capture","event":${JSON.stringify(r.event)},"distinct_id":${JSON.stringify(r.distinct_id)},"uuid":"${r.uuid}","timestamp":"${r.ts}","properties":${r.props}}`,
    );
    const body = `{"api_key":${JSON.stringify(this.opts.apiKey)},"sent_at":"${new Date().toISOString()}","batch":[${items.join(",")}]}`;
    // Encoded once (its length and its bytes), not once for Content-Length and again for the socket.
    const status = await this.post(Buffer.from(body));
    if (status >= 200 && status < 300) return { kind: "ok" };
    if (status >= 400 && status < 500 && !RETRYABLE_4XX.has(status)) return { kind: "reject", status };
    return { kind: "retry", status };
  }

  /**
   * POSTs a batch; resolves with the answer's status, or 0 when there was none (network error, the request timeout,
   * or the shutdown deadline). Never rejects. A plain timer per request: AbortSignal.any/timeout chains can be
   * collected before they fire. A kept-alive connection the host closed just as it was reused is retried once at
   * once (the race Node's documentation describes for `reusedSocket`): a resent batch is deduplicated by uuid.
   */
  private post(body: Buffer, again = true): Promise<number> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (status: number | Promise<number>) => {
        if (settled) return;
        settled = true;
        cancelTimeout();
        this.abort.signal.removeEventListener("abort", cut);
        resolve(status);
      };
      const req = this.request(
        this.url,
        { method: "POST", agent: this.agent, headers: { "content-type": "application/json", "content-length": body.length } },
        (res) => {
          // The status decides; the body (PostHog's `{"status":1}`) is read and dropped so the connection is reused.
          answered = res.statusCode ?? 0;
          res.on("error", () => {});
          res.on("close", () => done(answered!));
          res.resume();
        },
      );
      let answered: number | undefined;
      const cut = () => req.destroy(new Error("analytics relay: request cut"));
      // The timeout is judged after the I/O already waiting (`expireAfter`): when the event loop was busy past it, an
      // answer that arrived meanwhile still counts, instead of being cut and sent again. A status whose body never
      // ends counts too; the connection is dropped.
      const cancelTimeout = expireAfter(this.timeoutMs, () => {
        if (answered !== undefined) done(answered);
        cut();
      });
      this.abort.signal.addEventListener("abort", cut);
      req.on("error", (err: NodeJS.ErrnoException) => {
        const stale = again && !settled && req.reusedSocket && err.code === "ECONNRESET" && !this.abort.signal.aborted;
        done(stale ? this.post(body, false) : 0);
      });
      req.end(body);
    });
  }

  /** Backlog cap (oldest first, by age then by count) and the gauges. Safe on several nodes at once. */
  async maintain(): Promise<void> {
    const db = await this.db();
    const maxAgeMs = this.opts.maxAgeMs ?? 7 * 86_400_000;
    const maxRows = this.opts.maxRows ?? 1_000_000;
    let dropped = 0;
    // Ids grow with time, so the oldest rows are the lowest ids: delete in bounded chunks from the front.
    for (;;) {
      const del = rowsOf<{ n: number }>(
        await db.execute(sql`
          with gone as (delete from analytics_outbox where id in (
            select id from analytics_outbox order by id limit 5000) and created_at < now() - make_interval(secs => ${maxAgeMs / 1000})
            returning dead_at)
          select count(*)::int as n, count(*) filter (where dead_at is null)::int as pending from gone`),
      )[0] as { n: number; pending: number } | undefined;
      dropped += del?.pending ?? 0;
      if (!del || del.n < 5000) break;
    }
    const [stats] = rowsOf<{ total: number; pending: number; oldest: number | null }>(
      await db.execute(sql`
        select count(*)::int as total, count(*) filter (where dead_at is null)::int as pending,
          extract(epoch from now() - min(created_at) filter (where dead_at is null))::float8 as oldest
        from analytics_outbox`),
    );
    let pending = stats?.pending ?? 0;
    const excess = (stats?.total ?? 0) - maxRows;
    if (excess > 0) {
      const [del] = rowsOf<{ pending: number }>(
        await db.execute(sql`
          with gone as (delete from analytics_outbox where id in (select id from analytics_outbox order by id limit ${excess}) returning dead_at)
          select count(*) filter (where dead_at is null)::int as pending from gone`),
      );
      dropped += del?.pending ?? 0;
      pending = Math.max(0, pending - (del?.pending ?? 0));
    }
    if (dropped > 0) {
      countAnalyticsOutcome("dropped", dropped);
      console.warn(`analytics outbox: dropped ${dropped} undelivered events beyond the backlog cap`);
    }
    if (this.opts.erasure && !this.stopping)
      await sendPendingErasures(db, this.opts.erasure, {
        timeoutMs: this.timeoutMs,
        backoffMinMs: this.opts.backoffMinMs ?? 1000,
        backoffMaxMs: this.opts.backoffMaxMs ?? 300_000,
      });
    const f = families();
    f.analyticsOutboxBacklog.set(pending);
    f.analyticsOutboxOldestSeconds.set(pending > 0 ? Math.max(0, Number(stats?.oldest ?? 0)) : 0);
    f.analyticsOutboxDead.set((stats?.total ?? 0) - (stats?.pending ?? 0));
  }

  /** Sends everything due now (tests, shutdown); stops at the first failure. */
  async flush(deadline = Infinity): Promise<void> {
    while (this.pump) await this.pump;
    const run = this.drain(deadline);
    this.pump = run.finally(() => (this.pump = undefined));
    await run;
  }

  /**
   * Stops polling and sends what it can within `timeoutMs` (rows waiting out a backoff included); rows in flight at
   * the deadline are handed back at once, and whatever is left is sent by the next process.
   */
  async stop(timeoutMs = 5000, drainEvenIfNotStarted = false): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const wasStarted = this.started || drainEvenIfNotStarted;
    this.stopping = true;
    clearTimeout(this.timer);
    clearInterval(this.maintainTimer);
    const cut = setTimeout(() => this.abort.abort(), Math.max(0, timeoutMs - 250));
    try {
      while (this.pump) await this.pump;
      // One more try for everything pending, backoff or not: the host may be back, and the deadline bounds it.
      if (wasStarted) await this.drain(deadline, true);
    } catch (err) {
      console.error("analytics relay: flush on shutdown failed:", err instanceof Error ? err.message : err);
    } finally {
      clearTimeout(cut);
      this.agent.destroy();
    }
  }
}

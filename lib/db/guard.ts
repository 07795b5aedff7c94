/**
 * The database path's safety net, in one place:
 * - every failed query surfaces as a DatabaseError that names the query, never its parameters (errors.ts);
 * - on PostgreSQL every query — and a transaction's BEGIN and COMMIT — has a client-side deadline, so a hung path
 *   answers 503 instead of holding the request for the length of the outage. The server's own
 *   `statement_timeout` (a little shorter) ends slow statements first; the client deadline only fires when nothing
 *   answers at all;
 * - when a deadline fires, a probe on a fresh connection tells a hung path from a busy pool. A hung path opens a
 *   breaker (requests fail fast with 503) and replaces the pool, whose connections may be stuck mid-query for as
 *   long as TCP takes to give up; the probe repeats every RECHECK_MS and closes the breaker when it answers.
 * PGlite runs in-process: only the error mapping applies there.
 */
import { entityKind } from "drizzle-orm";
import { PgPreparedQuery } from "drizzle-orm/pg-core";
import { DependencyUnavailableError } from "@/lib/http/errors";
import { withDeadline } from "@/lib/ops/deadline";
import { tracingEnabled, withSpan } from "@/lib/ops/tracing";
import { isConnectionCode, toDatabaseError } from "./errors";

type QueryWithCache = (this: unknown, queryString: string, params: unknown[], query: () => Promise<unknown>) => Promise<unknown>;

const PATCHED = Symbol.for("tandem.db.queryGuardInstalled");
const GUARD = Symbol.for("tandem.db.postgresGuard");
type G = typeof globalThis & { [GUARD]?: PostgresGuard };

/** While the breaker is open, how often the probe checks whether the path is back. */
export const RECHECK_MS = 500;

/**
 * Wraps drizzle's single funnel for running a statement (`PgPreparedQuery.queryWithCache`, used by every driver,
 * inside and outside transactions). drizzle offers no hook here: its DrizzleQueryError puts the parameters in the
 * message. Idempotent per copy of drizzle (Next may bundle it more than once; the copy that opens the database is
 * the one whose queries run).
 */
export function installQueryGuard(): void {
  const proto = PgPreparedQuery.prototype as unknown as { queryWithCache: QueryWithCache; [PATCHED]?: boolean };
  if (proto[PATCHED]) return;
  const original = proto.queryWithCache;
  const guarded: QueryWithCache = async function (queryString, params, query) {
    const guard = isPostgresJs(this) ? (globalThis as G)[GUARD] : undefined;
    try {
      return await original.call(this, queryString, params, guard ? () => guard.run(query) : query);
    } catch (err) {
      const mapped = toDatabaseError(err, queryString);
      if (guard && isConnectionCode((mapped as { code?: string }).code)) guard.connectionFailed();
      throw mapped;
    }
  };
  // With tracing on, a span per statement inside a trace (lib/ops/tracing.ts): the SQL text, never its parameters.
  proto.queryWithCache = function (queryString, params, query) {
    if (!tracingEnabled()) return guarded.call(this, queryString, params, query);
    const operation = sqlOperation(queryString);
    return withSpan(
      operation,
      { "db.system.name": "postgresql", "db.system": "postgresql", "db.operation.name": operation, "db.query.text": queryString.slice(0, 2000) },
      () => guarded.call(this, queryString, params, query),
    );
  };
  proto[PATCHED] = true;
}

/** The statement's first keyword, upper-cased (`SELECT`, `INSERT`, `WITH`...): a bounded span name. */
export function sqlOperation(queryString: string): string {
  let i = 0;
  while (i < queryString.length && queryString.charCodeAt(i) <= 32) i++;
  let j = i;
  while (j < queryString.length && j - i < 16 && isAsciiLetter(queryString.charCodeAt(j))) j++;
  return j > i ? queryString.slice(i, j).toUpperCase() : "QUERY";
}

const isAsciiLetter = (c: number) => (c | 32) >= 97 && (c | 32) <= 122;

function isPostgresJs(q: unknown): boolean {
  const ctor = (q as { constructor?: { [entityKind]?: string } })?.constructor;
  return ctor?.[entityKind] === "PostgresJsPreparedQuery";
}

/** Makes `guard` the one the patched queries of this process use (undefined: none). */
export function setPostgresGuard(guard: PostgresGuard | undefined): void {
  const g = globalThis as G;
  if (guard) g[GUARD] = guard;
  else delete g[GUARD];
}

export type GuardOptions = {
  /** The longest a statement (or BEGIN, or COMMIT) may go without an answer. */
  deadlineMs: number;
  /** Resolves true when a fresh connection answers promptly (a busy pool, not a hung path). */
  probe: () => Promise<boolean>;
  /** The path is hung: replace the pool. */
  onHang: () => void;
  now?: () => number;
};

export class PostgresGuard {
  private downSince: number | undefined;
  private probing = false;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly opts: GuardOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Stops the recovery loop (the pool is being closed). */
  close(): void {
    this.closed = true;
  }

  /** True while the breaker is open. */
  get down(): boolean {
    return this.downSince !== undefined;
  }

  /** Runs one statement under the deadline and the breaker. */
  async run<T>(query: () => Promise<T>): Promise<T> {
    this.admit();
    return this.deadline(query(), "the query");
  }

  /**
   * Runs a transaction under the breaker with a deadline on its BEGIN (which includes waiting for a connection)
   * and on its COMMIT; the statements inside have their own. A transaction whose BEGIN answered after the
   * caller already got its 503 rolls back instead of running.
   */
  async transaction<T, Tx>(begin: (body: (tx: Tx) => Promise<T>) => Promise<T>, body: (tx: Tx) => Promise<T>): Promise<T> {
    this.admit();
    let expired = false;
    let began: () => void = () => {};
    const beganP = new Promise<void>((resolve) => (began = resolve));
    let bodyDone: () => void = () => {};
    const bodyDoneP = new Promise<void>((resolve) => (bodyDone = resolve));
    const whole = begin(async (tx) => {
      began();
      if (expired) throw new DependencyUnavailableError("database", "database: transaction began after its deadline");
      try {
        return await body(tx);
      } finally {
        bodyDone();
      }
    }).catch((e: unknown) => {
      // BEGIN / COMMIT failures come straight from postgres.js (the body's own errors pass through as they are).
      const code = (e as { code?: string })?.code;
      const driver = (e as Error)?.name === "PostgresError" || isConnectionCode(code);
      if (isConnectionCode(code)) this.connectionFailed();
      throw driver ? toDatabaseError(e, "begin") : e;
    });
    whole.catch(() => {});
    const noAnswer = (phase: string) => () => {
      expired = true;
      this.noAnswer();
      return new DependencyUnavailableError("database", `database: no answer to ${phase} within ${this.opts.deadlineMs} ms`);
    };
    // BEGIN (with the wait for a connection): until the body starts, or the transaction fails before it.
    await withDeadline(Promise.race([beganP, whole.then(() => {})]), this.opts.deadlineMs, noAnswer("BEGIN"));
    // The body has no deadline of its own (its statements do); COMMIT gets one once the body is done.
    await Promise.race([bodyDoneP, whole.then(() => {}, () => {})]);
    return withDeadline(whole, this.opts.deadlineMs, noAnswer("COMMIT"));
  }

  /**
   * A connection was reset or refused. postgres.js may leave other queries it had pipelined on that connection
   * unanswered until their deadline; probing now (and renewing the pool if the path is gone) releases them at once.
   */
  connectionFailed(): void {
    this.noAnswer();
  }

  /** Breaker open: fail fast. */
  private admit() {
    if (this.downSince !== undefined) {
      throw new DependencyUnavailableError("database", "database: unavailable (the path gave no answer; rechecking)");
    }
  }

  private deadline<T>(p: Promise<T>, what: string): Promise<T> {
    p.catch(() => {}); // an abandoned query rejects later, when its pool is ended
    return withDeadline(p, this.opts.deadlineMs, () => {
      this.noAnswer();
      return new DependencyUnavailableError("database", `database: no answer to ${what} within ${this.opts.deadlineMs} ms`);
    });
  }

  /** A deadline passed: probe once (not per request); a hung path opens the breaker until a probe answers. */
  private noAnswer() {
    if (this.probing || this.downSince !== undefined) return;
    this.probing = true;
    void this.recheck().finally(() => {
      this.probing = false;
    });
  }

  private async recheck() {
    const answered = () => this.opts.probe().catch(() => false);
    if (await answered()) return; // a busy pool, not a hung path
    this.downSince = this.now();
    this.opts.onHang();
    while (!this.closed) {
      await new Promise((r) => setTimeout(r, RECHECK_MS).unref?.());
      if (await answered()) break;
    }
    this.downSince = undefined;
  }
}

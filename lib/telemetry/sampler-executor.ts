/**
 * Where the business sampler's queries run. PostgreSQL: a pool of its own (max 2), one reserved connection per
 * refresh, each query in its own READ ONLY transaction with `SET LOCAL statement_timeout`. PGlite: the app's
 * database, which cannot interrupt a running statement (no timeout guarantee).
 */
import type { ReservedSql, Sql } from "postgres";
import type { Row } from "./sampler-queries";

/** Runs one statement inside a session; rejects with the database error (SQLSTATE in `code`). */
export type RunQuery = (sql: string, timeoutMs: number) => Promise<Row[]>;

export interface SamplerExecutor {
  readonly kind: "postgres" | "pglite";
  /** Acquires one connection, passes a runner bound to it, releases it. Acquire failures reject with AcquireError. */
  session<T>(fn: (run: RunQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class AcquireError extends Error {
  constructor(readonly cause: unknown) {
    super(`sampler: cannot acquire a connection: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** The server did not answer in time, not even with a statement-timeout error: the connection is abandoned. */
export class ConnectionLostError extends Error {
  readonly code = "connection_lost";
}

/** Server-side statement timeout + this slack = the client's own deadline for BEGIN, the query and COMMIT. */
export const CLIENT_SLACK_MS = 250;
export const CONNECT_TIMEOUT_S = 2;

function timeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref?.();
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

export function postgresExecutor(url: string): SamplerExecutor {
  let pool: Sql | undefined;

  const open = async (): Promise<Sql> => {
    if (pool) return pool;
    const { default: postgres } = await import("postgres");
    pool ??= postgres(url, {
      max: 2,
      idle_timeout: 300,
      connect_timeout: CONNECT_TIMEOUT_S,
      // Keep fetch_types on: with it off, postgres.js 3.4 never resolves reserve() on a freshly opened connection.
      onnotice: () => {},
      connection: { application_name: "tandem-sampler" },
    });
    return pool;
  };

  /** Drops the whole pool: a connection stuck mid-query cannot be recovered or safely reused. */
  const abandon = (sql: Sql) => {
    if (pool === sql) pool = undefined;
    sql.end({ timeout: 0 }).catch(() => {});
  };

  return {
    kind: "postgres",
    async session(fn) {
      let sql: Sql;
      let conn: ReservedSql;
      try {
        sql = await open();
        const s = sql;
        conn = await timeout(s.reserve(), CONNECT_TIMEOUT_S * 1000 + CLIENT_SLACK_MS, () => {
          abandon(s);
          return new Error("connect timeout");
        });
      } catch (err) {
        throw new AcquireError(err);
      }
      let lost = false;
      const run: RunQuery = async (text, timeoutMs) => {
        if (lost) throw new ConnectionLostError("sampler: connection abandoned earlier in this refresh");
        const ms = Math.max(1, Math.floor(timeoutMs));
        const body = (async () => {
          // One backend per query, no parallel workers: the sampler must not take cores from the app's queries
          // (and on a busy server, parallel plans were slower in the benchmark, docs/performance.md).
          await conn
            .unsafe(
              `BEGIN READ ONLY ISOLATION LEVEL READ COMMITTED; SET LOCAL statement_timeout = ${ms}; ` +
                "SET LOCAL max_parallel_workers_per_gather = 0",
            )
            .simple();
          try {
            const rows = await conn.unsafe(text);
            await conn.unsafe("COMMIT");
            return rows as unknown as Row[];
          } catch (err) {
            await conn.unsafe("ROLLBACK").catch(() => {});
            throw err;
          }
        })();
        try {
          return await timeout(body, ms + CLIENT_SLACK_MS, () => {
            lost = true;
            abandon(sql);
            return new ConnectionLostError(`sampler: no answer within ${ms + CLIENT_SLACK_MS} ms`);
          });
        } finally {
          body.catch(() => {}); // the abandoned query rejects later, when the pool is ended
        }
      };
      try {
        return await fn(run);
      } finally {
        if (!lost) conn.release();
      }
    },
    async close() {
      const p = pool;
      pool = undefined;
      await p?.end({ timeout: 1 });
    },
  };
}

/** The slice of PGlite the sampler uses. */
export type PGliteLike = {
  transaction<T>(fn: (tx: { query(sql: string): Promise<{ rows: unknown[] }>; exec(sql: string): Promise<unknown> }) => Promise<T>): Promise<T>;
};

/** Runs through the app's PGlite database (opened lazily). `timeoutMs` cannot be enforced there. */
export function pgliteExecutor(client: () => Promise<PGliteLike>): SamplerExecutor {
  return {
    kind: "pglite",
    async session(fn) {
      let pg: PGliteLike;
      try {
        pg = await client();
      } catch (err) {
        throw new AcquireError(err);
      }
      return fn((text) =>
        pg.transaction(async (tx) => {
          await tx.exec("SET TRANSACTION READ ONLY");
          return (await tx.query(text)).rows as Row[];
        }),
      );
    },
    async close() {},
  };
}

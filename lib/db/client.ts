import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type PostgresFactory from "postgres";
import * as schema from "./schema";
import { config } from "@/lib/config";
import { withDeadline } from "@/lib/ops/deadline";
import { installQueryGuard, PostgresGuard, setPostgresGuard } from "./guard";

/** Both drivers expose the same drizzle query builder; domain code only sees this type. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle has the same query surface as the database. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

type Handle = { db: Db; driver: "postgres" | "pglite"; close: () => Promise<void> };

const KEY = Symbol.for("tandem.db");
type G = typeof globalThis & { [KEY]?: Promise<Handle> };

const MIGRATIONS = path.join(process.cwd(), "drizzle");
// Arbitrary constant: serialises migrations when several app nodes start at once.
const MIGRATION_LOCK_ID = 7_262_736;

/**
 * Options every postgres.js client of the app's database shares. `fetch_types: false`: postgres.js would otherwise
 * run a query of its own for the array types on each new connection, and a reset during it is a rejection nobody
 * can catch (an unhandled rejection, seen in a CI run). No column or result of ours is an array; array parameters
 * are sent as literals with a cast. It also saves a round trip per new connection.
 * (The sampler's pool keeps the fetch: postgres.js 3.4's reserve() needs it, lib/telemetry/sampler-executor.ts.)
 */
const CLIENT_OPTIONS = { onnotice: () => {}, fetch_types: false } as const;

async function openPostgres(url: string): Promise<Handle> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  // Migrate over one dedicated connection so the advisory lock and the DDL share a session.
  const migrator = postgres(url, { ...CLIENT_OPTIONS, max: 1, connect_timeout: 5 });
  try {
    await migrator`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migrate(drizzle({ client: migrator }), { migrationsFolder: MIGRATIONS });
  } finally {
    await migrator.end({ timeout: 5 });
  }
  return openPool(url, postgres, drizzle);
}

/** Slack between the server's statement_timeout and the client's own deadline (the server's error must win). */
const CLIENT_SLACK_MS = 500;
const CONNECT_TIMEOUT_S = 2;

/**
 * The app's pool behind a stable client: drizzle holds a proxy that forwards to the current postgres.js pool, so
 * the guard can replace a pool whose connections hang (a cut path) without anyone holding a dead reference.
 */
function openPool(
  url: string,
  postgres: typeof PostgresFactory,
  drizzle: typeof import("drizzle-orm/postgres-js").drizzle,
): Handle {
  const statementTimeoutMs = config().DB_STATEMENT_TIMEOUT_MS;
  const make = () =>
    postgres(url, {
      ...CLIENT_OPTIONS,
      max: 10,
      connect_timeout: CONNECT_TIMEOUT_S,
      connection: {
        application_name: "tandem",
        statement_timeout: statementTimeoutMs,
        // A transaction whose client vanished must not hold its locks for long.
        idle_in_transaction_session_timeout: 30_000,
      },
    });
  let current = make();
  const first = current;
  const renew = () => {
    const old = current;
    current = make();
    // drizzle installs its type parsers on the client's options once; the new pool needs the same.
    Object.assign(current.options.parsers, first.options.parsers);
    Object.assign(current.options.serializers, first.options.serializers);
    old.end({ timeout: 0 }).catch(() => {});
  };
  const guard = new PostgresGuard({
    deadlineMs: statementTimeoutMs + CLIENT_SLACK_MS,
    onHang: () => {
      console.error("database: no answer from the database path; failing fast and reconnecting");
      renew();
    },
    probe: async () => {
      const probe = postgres(url, { ...CLIENT_OPTIONS, max: 1, connect_timeout: 1 });
      try {
        await withDeadline(probe`select 1`.then(() => {}), 1000, () => new Error("probe: no answer"));
        return true;
      } catch {
        return false;
      } finally {
        probe.end({ timeout: 0 }).catch(() => {});
      }
    },
  });
  type Sql = typeof current;
  const client = new Proxy((() => {}) as unknown as Sql, {
    get(_target, prop) {
      if (prop === "begin") {
        return (...args: unknown[]) => {
          const body = args.pop() as (tx: unknown) => Promise<unknown>;
          return guard.transaction((b) => (current.begin as (...a: unknown[]) => Promise<unknown>)(...args, b), body);
        };
      }
      return Reflect.get(current, prop);
    },
    apply(_target, thisArg, args) {
      return Reflect.apply(current as unknown as (...a: unknown[]) => unknown, thisArg, args);
    },
  });
  const db = drizzle({ client, schema }) as unknown as Db;
  setPostgresGuard(guard);
  return {
    db,
    driver: "postgres",
    close: async () => {
      setPostgresGuard(undefined);
      guard.close();
      await current.end({ timeout: 5 });
    },
  };
}

const PGLITE_SHARED_BUFFERS = "16MB";

async function openPglite(dataDir: string): Promise<Handle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  if (!dataDir.startsWith("memory://")) {
    // A fresh folder becomes a copy of the build's template, else it is initialised + migrated in a child process
    // (pglite-template.mjs: speed and RSS); server.mjs may have started this already. migrate() below runs anyway.
    const { ensureDataFolder } = await import("./pglite-template.mjs");
    await ensureDataFolder(dataDir);
  }
  // PGlite's default shared_buffers (128 MB) is most of its idle RSS; one embedded node reads through the OS page
  // cache anyway. 16 MB: ~200 MB idle RSS instead of ~310 MB, ~25 MB below 32 MB at the same open time (issue 15,
  // docs/performance.md, PGlite start-up).
  const client = await PGlite.create(dataDir, { postgresqlconf: [`shared_buffers=${PGLITE_SHARED_BUFFERS}`] });
  const db = drizzle({ client, schema });
  await migrate(db, { migrationsFolder: MIGRATIONS });
  return { db: db as unknown as Db, driver: "pglite", close: () => client.close() };
}

function open(): Promise<Handle> {
  const c = config();
  installQueryGuard();
  if (c.DATABASE_URL) return openPostgres(c.DATABASE_URL);
  // DATA_DIR=memory:// gives a throwaway in-memory database (tests).
  return openPglite(c.DATA_DIR.startsWith("memory://") ? c.DATA_DIR : path.resolve(c.DATA_DIR, "pglite"));
}

/** Opens the database on first use (never at import time) and applies pending migrations. */
export function dbHandle(): Promise<Handle> {
  const g = globalThis as G;
  if (!g[KEY]) {
    g[KEY] = open();
    g[KEY].catch(() => delete g[KEY]); // a failed open may be retried
  }
  return g[KEY];
}

export async function getDb(): Promise<Db> {
  return (await dbHandle()).db;
}

export async function closeDb(): Promise<void> {
  const g = globalThis as G;
  const h = g[KEY];
  delete g[KEY];
  if (h) await (await h).close();
}

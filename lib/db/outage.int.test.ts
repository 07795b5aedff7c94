/**
 * Issue 11 item 12: every PostgreSQL query has a deadline. A cut or hung database path answers 503 + Retry-After
 * in about the deadline (then at once, while the breaker is open) instead of waiting out the outage, a connection
 * reset is a 503 rather than a 500, and the app recovers without a restart. Always real PostgreSQL behind a TCP
 * proxy the test breaks (PGlite is in-process: there is no path to break).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listWorkspaces } from "@/app/api/workspaces/route";
import { resetConfigForTests } from "@/lib/config";
import { errorToResponse, unavailableDependency } from "@/lib/http/errors";
import { call, signIn, type Session } from "@/tests/helpers/api";
import { startTcpProxy, targetOf, type TcpProxy } from "@/tests/helpers/tcp-proxy";
import { createTestDatabase, dropTestDatabase, TEST_PG_ADMIN_URL } from "@/tests/setup/services";
import { closeDb, getDb } from "./client";

const STATEMENT_TIMEOUT_MS = 600;
const DEADLINE_MS = STATEMENT_TIMEOUT_MS + 500;

let proxy: TcpProxy;
let dbName: string;
let session: Session;
const saved = { url: process.env.DATABASE_URL, timeout: process.env.DB_STATEMENT_TIMEOUT_MS };

beforeAll(async () => {
  const created = await createTestDatabase();
  dbName = created.name;
  proxy = await startTcpProxy(targetOf(TEST_PG_ADMIN_URL, 5432));
  await closeDb();
  process.env.DATABASE_URL = proxy.url(created.url);
  process.env.DB_STATEMENT_TIMEOUT_MS = String(STATEMENT_TIMEOUT_MS);
  resetConfigForTests();
  await getDb();
  session = await signIn();
});

afterAll(async () => {
  proxy?.restore();
  await closeDb();
  await proxy?.close();
  setEnv("DATABASE_URL", saved.url);
  setEnv("DB_STATEMENT_TIMEOUT_MS", saved.timeout);
  resetConfigForTests();
  if (dbName) await dropTestDatabase(dbName);
});

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; err?: unknown }> {
  const started = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - started, value };
  } catch (err) {
    return { ms: performance.now() - started, err };
  }
}

async function eventually<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const select1 = async () => (await getDb()).execute(sql`select 1 as one`);
const workspaces = () => call(listWorkspaces, { path: "/api/workspaces", session });

describe("database outage", () => {
  it("a slow statement is ended by statement_timeout and answered 503 with Retry-After", async () => {
    const db = await getDb();
    const r = await timed(() => db.execute(sql`select pg_sleep(5)`));
    expect(r.ms).toBeLessThan(DEADLINE_MS + 300);
    expect((r.err as { code?: string }).code).toBe("57014");
    const res = errorToResponse(r.err);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    await select1(); // the connection is still usable
  });

  it("path cut: requests answer 503 (not 500) at once, and the app recovers without a restart", async () => {
    expect((await workspaces()).status).toBe(200);
    proxy.cut();
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const res = await workspaces();
      expect(performance.now() - started).toBeLessThan(DEADLINE_MS + 500);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    }
    proxy.restore();
    await eventually(async () => {
      const res = await workspaces();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    });
  });

  it("path hung: the first request gives up at the deadline, later ones fail fast; recovery follows the restore", async () => {
    expect((await workspaces()).status).toBe(200);
    proxy.hang();
    const first = await timed(() => workspaces());
    expect(first.value?.status).toBe(503);
    expect(first.ms).toBeLessThan(DEADLINE_MS + 700);
    // The probe confirms the path is hung and opens the breaker: no request waits for the deadline any more.
    await new Promise((r) => setTimeout(r, 1200));
    for (let i = 0; i < 5; i++) {
      const r = await timed(() => workspaces());
      expect(r.value?.status).toBe(503);
      expect(r.value?.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(r.ms).toBeLessThan(300);
    }
    const direct = await timed(select1);
    expect(unavailableDependency(direct.err)).toBe("database");
    proxy.restore();
    await eventually(async () => {
      const res = await workspaces();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    });
  });

  it("a transaction whose BEGIN gets no answer gives up at the deadline", async () => {
    await eventually(select1);
    proxy.hang();
    const db = await getDb();
    const r = await timed(() => db.transaction(async (tx) => tx.execute(sql`select 1`)));
    expect(unavailableDependency(r.err)).toBe("database");
    expect(r.ms).toBeLessThan(DEADLINE_MS + 700);
    proxy.restore();
    await eventually(select1);
  });

  it("a connection reset right after its handshake is an error the caller gets, never an unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      // Opening: the migrator's connection. Then the pool's: more concurrent queries than it has connections.
      await closeDb();
      proxy.resetAfterReady();
      await expect(getDb()).rejects.toMatchObject({ code: "ECONNRESET" });
      proxy.restore();
      await eventually(select1);
      proxy.resetAfterReady();
      const results = await Promise.allSettled(Array.from({ length: 12 }, select1));
      expect(results.some((r) => r.status === "rejected")).toBe(true);
      for (const r of results) if (r.status === "rejected") expect(unavailableDependency(r.reason)).toBe("database");
      await new Promise((r) => setTimeout(r, 300)); // a stray rejection surfaces within a few turns
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      proxy.restore();
    }
    await eventually(select1);
  });
});

function setEnv(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

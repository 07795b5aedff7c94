import { randomBytes } from "node:crypto";
import postgres from "postgres";

// The servers the suite runs against: DATABASE_URL / REDIS_URL as given when the test run started (each test file
// then gets its own database and key prefix, and the setup repoints DATABASE_URL / REDIS_URL at those), else the
// local defaults. The first values are pinned in TANDEM_TEST_* so later files do not pick up a per-file database.
process.env.TANDEM_TEST_PG_URL ??= process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
process.env.TANDEM_TEST_REDIS_URL ??= process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const TEST_PG_ADMIN_URL: string = process.env.TANDEM_TEST_PG_URL;
export const TEST_REDIS_URL: string = process.env.TANDEM_TEST_REDIS_URL;

/** Creates an empty database with a random name on the test PostgreSQL server. */
export async function createTestDatabase(): Promise<{ name: string; url: string }> {
  const name = `tandem_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropTestDatabase(name: string): Promise<void> {
  const admin = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const r = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== "0");
  } finally {
    r.disconnect();
  }
}

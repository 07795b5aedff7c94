/**
 * Gives each integration test file its own database and store namespace:
 * TEST_BACKEND=postgres → a fresh PostgreSQL database + a random Redis key prefix, dropped/deleted afterwards;
 * TEST_BACKEND=pglite (default) → an in-memory PGlite + the in-memory store.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { closeDb, getDb } from "@/lib/db";
import { closeStore } from "@/lib/store";
import { createTestDatabase, dropTestDatabase, deleteRedisPrefix, TEST_REDIS_URL } from "./services";

const backend = process.env.TEST_BACKEND ?? "pglite";
let dbName: string | undefined;
let prefix: string | undefined;

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  delete process.env.REDIS_URL;
  process.env.ANALYTICS_DISABLED ??= "true";
  // In-process requests all come from the same "unknown" client IP; tests of the per-IP limit set their own.
  process.env.RATE_LIMIT_SEND_CODE_IP ??= "100000";
  if (backend === "postgres") {
    const created = await createTestDatabase();
    dbName = created.name;
    process.env.DATABASE_URL = created.url;
    prefix = `tandem-test:${randomBytes(6).toString("hex")}:`;
    process.env.REDIS_URL = TEST_REDIS_URL;
    process.env.REDIS_KEY_PREFIX = prefix;
  } else {
    process.env.DATA_DIR = "memory://";
  }
  resetConfigForTests();
  // Open and migrate here, under the hook timeout, so a loaded machine does not time out a file's first test.
  await getDb();
});

afterAll(async () => {
  await closeDb();
  await closeStore();
  if (dbName) await dropTestDatabase(dbName);
  if (prefix) await deleteRedisPrefix(prefix);
});

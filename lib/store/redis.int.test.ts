import { randomBytes } from "node:crypto";
import { afterAll } from "vitest";
import { deleteRedisPrefix, TEST_REDIS_URL } from "@/tests/setup/services";
import { storeContract } from "./contract";
import { createStore } from "./index";

// Always real Redis: each store gets its own key prefix, removed afterwards.
const prefixes: string[] = [];
storeContract("redis", async () => {
  const prefix = `tandem-test:${randomBytes(6).toString("hex")}:`;
  prefixes.push(prefix);
  return createStore(TEST_REDIS_URL, prefix);
});

afterAll(async () => {
  for (const p of prefixes) await deleteRedisPrefix(p);
});

import { config } from "@/lib/config";
import { MemoryStore } from "./memory";
import { RedisStore } from "./redis";
import type { SharedStore } from "./types";

export type { SharedStore } from "./types";
export { MemoryStore } from "./memory";
export { RedisStore } from "./redis";

const KEY = Symbol.for("tandem.store");
type G = typeof globalThis & { [KEY]?: Promise<SharedStore> };

/** Builds a store for a Redis URL (or memory without one). Connects lazily; commands fail fast when Redis is down. */
export async function createStore(redisUrl: string | undefined, prefix: string): Promise<SharedStore> {
  if (!redisUrl) return new MemoryStore();
  const { Redis } = await import("ioredis");
  const client = new Redis(redisUrl, {
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 2000,
  });
  client.on("error", () => {}); // reported through /api/health; ioredis reconnects by itself
  return new RedisStore(client, prefix);
}

/** The process-wide shared store, kept on globalThis (Next loads server modules twice): one Redis client per process. */
export function getStore(): Promise<SharedStore> {
  const g = globalThis as G;
  if (!g[KEY]) {
    g[KEY] = createStore(config().REDIS_URL, config().REDIS_KEY_PREFIX);
    g[KEY].catch(() => delete g[KEY]); // a failed connect may be retried
  }
  return g[KEY];
}

export async function closeStore(): Promise<void> {
  const g = globalThis as G;
  const s = g[KEY];
  delete g[KEY];
  await (await s?.catch(() => undefined))?.close();
}

/** Fixed-window rate limit on the shared store. */
export async function rateLimit(
  store: SharedStore,
  key: string,
  limit: number,
  windowMs: number,
): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  const { count, resetInMs } = await store.hit(`rl:${key}`, windowMs);
  return { allowed: count <= limit, retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)) };
}

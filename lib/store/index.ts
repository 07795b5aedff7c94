import type { Redis } from "ioredis";
import { config } from "@/lib/config";
import { markUnavailable } from "@/lib/http/errors";
import { MemoryStore } from "./memory";
import { RedisStore } from "./redis";
import type { SharedStore } from "./types";

export type { SharedStore } from "./types";
export { MemoryStore } from "./memory";
export { RedisStore } from "./redis";

const KEY = Symbol.for("tandem.store");
type G = typeof globalThis & { [KEY]?: Promise<SharedStore> };

/** A request never waits longer than this for Redis (its commands take well under a millisecond). */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
const REDIS_CONNECT_TIMEOUT_MS = 2000;

/**
 * Builds a store for a Redis URL (or memory without one), connected. While Redis is down or hung, commands fail
 * at once (no offline queue) or after REDIS_COMMAND_TIMEOUT_MS, with an error branded "redis unavailable" that the
 * route mapper answers with 503 + Retry-After; ioredis keeps reconnecting in the background, so the store recovers
 * without a restart.
 */
export async function createStore(redisUrl: string | undefined, prefix: string): Promise<SharedStore> {
  if (!redisUrl) return new MemoryStore();
  const { Redis } = await import("ioredis");
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    // A command in flight when the connection drops fails instead of waiting for the reconnect.
    maxRetriesPerRequest: 0,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  client.on("error", () => {}); // reported through /api/health and 503s; ioredis reconnects by itself
  brandConnectionErrors(client);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw markUnavailable(err, "redis");
  }
  return new RedisStore(client, prefix);
}

/**
 * Marks every failed command that Redis did not answer (timeout, connection down or closed) as "redis unavailable";
 * a reply error (a bug in a script, WRONGTYPE...) stays a plain error. Covers users of the raw client too
 * (pending requests).
 */
function brandConnectionErrors(client: Redis) {
  const send = client.sendCommand.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as { sendCommand: unknown }).sendCommand = (...args: unknown[]) => {
    const p = send(...args);
    // Runs before the caller's own handlers (registered first), so the caller sees the brand.
    p.catch((err: unknown) => {
      if ((err as Error)?.name !== "ReplyError") markUnavailable(err, "redis");
    });
    return p;
  };
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

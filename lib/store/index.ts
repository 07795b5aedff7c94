import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { config } from "@/lib/config";
import { markUnavailable } from "@/lib/http/errors";
import { withDeadline } from "@/lib/ops/deadline";
import { tracingEnabled, withSpan } from "@/lib/ops/tracing";
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
    // A command in flight when the connection drops fails instead of waiting for the reconnect.
    maxRetriesPerRequest: 0,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // Reported through /api/health and 503s; ioredis reconnects by itself. The last one is kept for start-up: a failed
  // connect() only says "Connection is closed.", its cause (ECONNREFUSED, ENOTFOUND, a timeout) came as an event.
  let lastError: unknown;
  client.on("error", (err) => (lastError = err));
  failFast(client);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw markUnavailable(lastError ?? err, "redis");
  }
  return new RedisStore(client, prefix);
}

/**
 * Every command gets a deadline (REDIS_COMMAND_TIMEOUT_MS, checked after pending I/O so an event-loop stall alone
 * does not fail it), and every failure that is not a Redis reply (timeout, connection down or closed) is branded
 * "redis unavailable"; a reply error (a bug in a script, WRONGTYPE...) stays a plain error. Wraps the client's one
 * command funnel, so users of the raw client (pending requests) get the same.
 */
function failFast(client: Redis) {
  const send = client.sendCommand.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as { sendCommand: unknown }).sendCommand = (...args: unknown[]) => {
    const name = (args[0] as { name?: string })?.name ?? "command";
    const answer = tracedCommand(name, () => withDeadline(send(...args), REDIS_COMMAND_TIMEOUT_MS, () => new Error(`redis: no answer to ${name} within ${REDIS_COMMAND_TIMEOUT_MS} ms`)).catch(
      (err: unknown) => {
        throw (err as Error)?.name === "ReplyError" ? err : markUnavailable(err, "redis");
      },
    ));
    // ioredis's own callback-style calls (ready check, INFO) ignore this promise: its rejection must not go unhandled.
    answer.catch(() => {});
    return answer;
  };
}

/** With tracing on, a span per command inside a trace (lib/ops/tracing.ts): the command's name, never its keys. */
function tracedCommand<T>(name: string, send: () => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return send();
  const operation = name.toUpperCase();
  return withSpan(operation, { "db.system.name": "redis", "db.system": "redis", "db.operation.name": operation }, send);
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

/** A rate-limit key part for personal data (an email): its digest, so the store never holds the address itself. */
export const personalKey = (value: string): string => createHash("sha256").update(value).digest("hex").slice(0, 32);

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

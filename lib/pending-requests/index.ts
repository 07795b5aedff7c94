import { getStore, RedisStore, type SharedStore } from "@/lib/store";
import { MemoryPendingRequestStore } from "./memory";
import { RedisPendingRequestStore } from "./redis";
import type { PendingRequestStore } from "./types";

export * from "./types";
export { MemoryPendingRequestStore } from "./memory";
export { RedisPendingRequestStore } from "./redis";

const KEY = Symbol.for("tandem.pendingRequests");
type State = { shared: SharedStore | null; store: PendingRequestStore };
type G = typeof globalThis & { [KEY]?: State };

/** Redis-backed when the shared store is Redis (several nodes), in memory otherwise. */
export async function getPendingRequestStore(): Promise<PendingRequestStore> {
  const g = globalThis as G;
  const s = g[KEY];
  if (s && s.shared === null) return s.store; // set by a test
  const shared = await getStore();
  // Rebuilt if the shared store was replaced (closed and reopened).
  if (!s || s.shared !== shared) {
    const store = shared instanceof RedisStore ? new RedisPendingRequestStore(shared.client, shared.prefix) : new MemoryPendingRequestStore();
    g[KEY] = { shared, store };
  }
  return g[KEY]!.store;
}

/** Tests: swap the store (e.g. one whose writes fail); undefined resets to the default. */
export function setPendingRequestStoreForTests(store: PendingRequestStore | undefined): void {
  const g = globalThis as G;
  if (store) g[KEY] = { shared: null, store };
  else delete g[KEY];
}

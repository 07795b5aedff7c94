/**
 * Shared state that must hold across app nodes: rate-limit counters, locks, short caches.
 * Redis when REDIS_URL is set, process memory otherwise; both pass one contract suite (store.contract.ts).
 */
export interface SharedStore {
  readonly kind: "redis" | "memory";
  get(key: string): Promise<string | null>;
  /** Sets a value; with ttlMs it expires. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only when absent (a lock or a claim); true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(key: string): Promise<void>;
  /** Fixed-window counter: adds one and returns the count in the current window (the window starts on the first hit). */
  hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

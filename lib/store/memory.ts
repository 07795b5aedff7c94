import type { SharedStore } from "./types";

type Entry = { value: string; expiresAt: number | null };

/** Single-node store. Expired entries are dropped lazily on read and by a periodic sweep. */
export class MemoryStore implements SharedStore {
  readonly kind = "memory" as const;
  private entries = new Map<string, Entry>();
  private sweep: NodeJS.Timeout;

  constructor(private now: () => number = Date.now) {
    this.sweep = setInterval(() => this.dropExpired(), 60_000);
    this.sweep.unref();
  }

  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && e.expiresAt !== null && e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private dropExpired() {
    for (const key of this.entries.keys()) this.live(key);
  }

  async get(key: string) {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs?: number) {
    this.entries.set(key, { value, expiresAt: ttlMs ? this.now() + ttlMs : null });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number) {
    if (this.live(key)) return false;
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    return true;
  }

  async del(key: string) {
    this.entries.delete(key);
  }

  async hit(key: string, windowMs: number) {
    const e = this.live(key);
    if (!e) {
      const expiresAt = this.now() + windowMs;
      this.entries.set(key, { value: "1", expiresAt });
      return { count: 1, resetInMs: windowMs };
    }
    e.value = String(Number(e.value) + 1);
    return { count: Number(e.value), resetInMs: Math.max(0, (e.expiresAt ?? this.now()) - this.now()) };
  }

  async ping() {}

  async close() {
    clearInterval(this.sweep);
    this.entries.clear();
  }
}

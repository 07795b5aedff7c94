import type { Redis } from "ioredis";
import type { SharedStore } from "./types";

// INCR and set the window's expiry on the first hit, atomically.
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`;

export class RedisStore implements SharedStore {
  readonly kind = "redis" as const;

  constructor(
    readonly client: Redis,
    readonly prefix: string,
  ) {}

  private k(key: string) {
    return this.prefix + key;
  }

  async get(key: string) {
    return this.client.get(this.k(key));
  }

  async set(key: string, value: string, ttlMs?: number) {
    if (ttlMs) await this.client.set(this.k(key), value, "PX", ttlMs);
    else await this.client.set(this.k(key), value);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number) {
    return (await this.client.set(this.k(key), value, "PX", ttlMs, "NX")) === "OK";
  }

  async del(key: string) {
    await this.client.del(this.k(key));
  }

  async hit(key: string, windowMs: number) {
    const [count, ttl] = (await this.client.eval(HIT_SCRIPT, 1, this.k(key), String(windowMs))) as [number, number];
    return { count, resetInMs: ttl };
  }

  async ping() {
    await this.client.ping();
  }

  async close() {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

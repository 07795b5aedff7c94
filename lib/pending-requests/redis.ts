import type { Redis } from "ioredis";
import {
  newPendingRequest,
  applyTimeouts,
  DEFAULT_TIMEOUTS,
  isTerminal,
  type CreateInput,
  type FinishOutcome,
  type PendingRequest,
  type PendingRequestStore,
  type Timeouts,
} from "./types";

/**
 * The claim (reference §6.3): remove the id from the runtime's pending set and, only if this call removed it,
 * write the running record. One script, so concurrent pops on different nodes have exactly one winner and a crash
 * between the two writes cannot strand a request (it is either still pending or already running).
 * KEYS: pending zset, record key. ARGV: id, record JSON, TTL ms. Returns 1 when claimed.
 */
const CLAIM_SCRIPT = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
`;

/**
 * Writes a terminal state unless the stored record already is terminal (a compare-and-set, so a late report
 * never overwrites a timeout or another report). KEYS: record key, pending zset. ARGV: JSON, id.
 * Returns 0 missing, 1 already terminal, 2 stored.
 */
const FINISH_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local s = cjson.decode(v).status
if s == 'completed' or s == 'failed' or s == 'timeout' then return 1 end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
redis.call('ZREM', KEYS[2], ARGV[2])
return 2
`;

const MAX_CLAIM_ATTEMPTS = 5;

/** Multi-node store on the shared Redis: a JSON record with a TTL + a per-runtime sorted set of pending ids. */
export class RedisPendingRequestStore implements PendingRequestStore {
  readonly kind = "redis" as const;

  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly timeouts: Timeouts = DEFAULT_TIMEOUTS,
    private readonly now: () => number = Date.now,
  ) {}

  private recordKey(id: string) {
    return `${this.prefix}pending_req:req:${id}`;
  }
  private pendingKey(runtimeId: string) {
    return `${this.prefix}pending_req:pending:${runtimeId}`;
  }

  async create(input: CreateInput): Promise<PendingRequest> {
    const now = this.now();
    const r = newPendingRequest(input, now);
    const pending = this.pendingKey(r.runtimeId);
    const res = await this.client
      .multi()
      .set(this.recordKey(r.id), JSON.stringify(r), "PX", this.timeouts.retentionMs)
      .zadd(pending, String(now), r.id)
      .pexpire(pending, 2 * this.timeouts.retentionMs)
      .exec();
    const failed = res?.find(([err]) => err);
    if (!res || failed) throw new Error(`persist pending request: ${failed?.[0]?.message ?? "transaction aborted"}`);
    return r;
  }

  private async load(id: string): Promise<PendingRequest | null> {
    const raw = await this.client.get(this.recordKey(id));
    return raw ? (JSON.parse(raw) as PendingRequest) : null;
  }

  /** Persists a lazily applied timeout (through the compare-and-set, so it never overwrites a real result). */
  private async persistTimeout(r: PendingRequest): Promise<void> {
    await this.client.eval(FINISH_SCRIPT, 2, this.recordKey(r.id), this.pendingKey(r.runtimeId), JSON.stringify(r), r.id);
  }

  async get(id: string) {
    const r = await this.load(id);
    if (!r) return null;
    if (applyTimeouts(r, this.timeouts, this.now())) await this.persistTimeout(r);
    return r;
  }

  async popPending(runtimeId: string, limit = 1) {
    const pending = this.pendingKey(runtimeId);
    const claimed: PendingRequest[] = [];
    let misses = 0;
    while (claimed.length < limit && misses < MAX_CLAIM_ATTEMPTS) {
      const [id] = await this.client.zrange(pending, "0", "0");
      if (!id) break;
      const r = await this.load(id);
      if (!r || r.status !== "pending") {
        await this.client.zrem(pending, id);
        misses++;
        continue;
      }
      const now = this.now();
      if (applyTimeouts(r, this.timeouts, now)) {
        await this.persistTimeout(r);
        misses++;
        continue;
      }
      r.status = "running";
      r.runStartedAt = now;
      r.updatedAt = now;
      const won = await this.client.eval(CLAIM_SCRIPT, 2, pending, this.recordKey(id), id, JSON.stringify(r), String(this.timeouts.retentionMs));
      if (won === 1) claimed.push(r);
      else misses++; // another node claimed it first
    }
    return claimed;
  }

  private async finish(id: string, apply: (r: PendingRequest) => void): Promise<FinishOutcome> {
    const r = await this.load(id);
    if (!r) return "not_found";
    if (applyTimeouts(r, this.timeouts, this.now())) {
      await this.persistTimeout(r);
      return "ignored";
    }
    if (isTerminal(r.status)) return "ignored";
    apply(r);
    r.updatedAt = this.now();
    const out = await this.client.eval(FINISH_SCRIPT, 2, this.recordKey(id), this.pendingKey(r.runtimeId), JSON.stringify(r), id);
    return out === 2 ? "stored" : out === 1 ? "ignored" : "not_found";
  }

  async complete(id: string, result: unknown) {
    return this.finish(id, (r) => {
      r.status = "completed";
      r.result = result ?? null;
    });
  }

  async fail(id: string, error: string) {
    return this.finish(id, (r) => {
      r.status = "failed";
      r.error = error;
    });
  }
}

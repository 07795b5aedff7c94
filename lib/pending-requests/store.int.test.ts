/**
 * One contract for both pending-request stores, plus the reference's multi-node Redis suite (§6.5): create on
 * node A / pop on node B, N concurrent pops → one winner, timeouts, per-runtime isolation, the atomic claim.
 * The Redis part runs against real Redis (TEST_BACKEND=postgres, or TEST_REDIS_URL set).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { deleteRedisPrefix, TEST_REDIS_URL } from "@/tests/setup/services";
import { MemoryPendingRequestStore } from "./memory";
import { RedisPendingRequestStore } from "./redis";
import type { PendingRequestStore, Timeouts } from "./types";

const TIMEOUTS: Timeouts = { pendingMs: 30_000, runningMs: 60_000, retentionMs: 300_000 };
const useRedis = process.env.TEST_BACKEND === "postgres" || Boolean(process.env.TEST_REDIS_URL);

/** A controllable clock shared by the "nodes" of one test. */
function clock() {
  let t = Date.now();
  const now = () => t;
  return Object.assign(now, { advance: (ms: number) => (t += ms) });
}

const clients: Redis[] = [];
const prefixes: string[] = [];
afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const p of prefixes) await deleteRedisPrefix(p);
});

type Nodes = { nodes: PendingRequestStore[]; now: ReturnType<typeof clock>; redis?: Redis; prefix?: string };

/** `count` stores sharing one backing state: separate Redis connections, or (memory) one instance. */
function makeNodes(kind: "memory" | "redis", count: number): Nodes {
  const now = clock();
  if (kind === "memory") {
    const store = new MemoryPendingRequestStore(TIMEOUTS, now);
    return { nodes: Array.from({ length: count }, () => store), now };
  }
  const prefix = `tandem-test:${randomBytes(6).toString("hex")}:`;
  prefixes.push(prefix);
  const nodes = Array.from({ length: count }, () => {
    const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    clients.push(client);
    return new RedisPendingRequestStore(client, prefix, TIMEOUTS, now);
  });
  return { nodes, now, redis: clients.at(-1), prefix };
}

const kinds = (useRedis ? ["memory", "redis"] : ["memory"]) as ("memory" | "redis")[];

describe.each(kinds)("%s pending-request store", (kind) => {
  it("create → get → pop (running) → complete; later reports are ignored", async () => {
    const { nodes: [a] } = makeNodes(kind, 1);
    const r = await a!.create({ runtimeId: "rt-1", kind: "list_skills", params: { dir: "~" }, creatorId: "u1" });
    expect(r).toMatchObject({ status: "pending", runtimeId: "rt-1", kind: "list_skills", creatorId: "u1" });
    expect(r.id).toMatch(/^[0-9a-f]{32}$/);
    expect((await a!.get(r.id))!.status).toBe("pending");
    const [claimed] = await a!.popPending("rt-1");
    expect(claimed).toMatchObject({ id: r.id, status: "running", params: { dir: "~" } });
    expect(await a!.popPending("rt-1")).toEqual([]);
    expect(await a!.complete(r.id, { skills: ["a"] })).toBe("stored");
    expect(await a!.fail(r.id, "late")).toBe("ignored");
    expect(await a!.get(r.id)).toMatchObject({ status: "completed", result: { skills: ["a"] }, error: null, creatorId: "u1" });
    expect(await a!.complete("0".repeat(32), {})).toBe("not_found");
    expect(await a!.get("0".repeat(32))).toBeNull();
  });

  it("created on node A, popped on node B", async () => {
    const { nodes: [a, b] } = makeNodes(kind, 2);
    const r = await a!.create({ runtimeId: "rt-1", kind: "ping" });
    const popped = await b!.popPending("rt-1");
    expect(popped.map((p) => p.id)).toEqual([r.id]);
    expect((await a!.get(r.id))!.status).toBe("running");
  });

  it("N concurrent pops of one request from different nodes → exactly one winner", async () => {
    const { nodes } = makeNodes(kind, 8);
    const r = await nodes[0]!.create({ runtimeId: "rt-1", kind: "list_models" });
    const results = await Promise.all(nodes.flatMap((n) => [n.popPending("rt-1"), n.popPending("rt-1")]));
    const winners = results.filter((x) => x.length > 0);
    expect(winners).toHaveLength(1);
    expect(winners[0]![0]!.id).toBe(r.id);
  });

  it("many requests and concurrent pops: each request claimed exactly once (none lost), oldest first", async () => {
    const { nodes, now } = makeNodes(kind, 4);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push((await nodes[i % 4]!.create({ runtimeId: "rt-1", kind: "ping" })).id);
      now.advance(1);
    }
    const results = await Promise.all(nodes.flatMap((n) => [n.popPending("rt-1", 3), n.popPending("rt-1", 3), n.popPending("rt-1", 3)]));
    // Under contention a pop may give up after a few lost races; what was not claimed stays pending.
    const claimed = results.flat().map((r) => r.id);
    for (;;) {
      const more = await nodes[0]!.popPending("rt-1", 12);
      if (more.length === 0) break;
      claimed.push(...more.map((r) => r.id));
    }
    expect(claimed.sort()).toEqual([...ids].sort());
    const { nodes: [single], now: clock2 } = makeNodes(kind, 1);
    const x = await single!.create({ runtimeId: "rt-2", kind: "ping" });
    clock2.advance(1);
    await single!.create({ runtimeId: "rt-2", kind: "ping" });
    expect((await single!.popPending("rt-2", 1))[0]!.id).toBe(x.id);
  });

  it("pending too long → timeout (and removed from the pending set); running too long → timeout", async () => {
    const { nodes: [a, b], now } = makeNodes(kind, 2);
    const waiting = await a!.create({ runtimeId: "rt-1", kind: "ping" });
    now.advance(TIMEOUTS.pendingMs + 1);
    expect(await b!.get(waiting.id)).toMatchObject({ status: "timeout", error: "daemon did not respond within 30 seconds" });
    expect(await b!.popPending("rt-1")).toEqual([]);
    expect(await a!.complete(waiting.id, {})).toBe("ignored");

    const claimed = await a!.create({ runtimeId: "rt-1", kind: "ping" });
    expect(await b!.popPending("rt-1")).toHaveLength(1);
    now.advance(TIMEOUTS.runningMs + 1);
    // The claim time survives the store (node A reads what node B claimed).
    expect(await a!.get(claimed.id)).toMatchObject({ status: "timeout", error: "daemon did not finish within 60 seconds" });
  });

  it("an expired pending request is skipped by pop, a fresh one behind it is claimed", async () => {
    const { nodes: [a], now } = makeNodes(kind, 1);
    await a!.create({ runtimeId: "rt-1", kind: "ping" });
    now.advance(TIMEOUTS.pendingMs - 10);
    const fresh = await a!.create({ runtimeId: "rt-1", kind: "ping" });
    now.advance(20);
    expect((await a!.popPending("rt-1")).map((r) => r.id)).toEqual([fresh.id]);
  });

  it("per-runtime isolation", async () => {
    const { nodes: [a, b] } = makeNodes(kind, 2);
    const one = await a!.create({ runtimeId: "rt-1", kind: "ping" });
    const two = await a!.create({ runtimeId: "rt-2", kind: "ping" });
    expect((await b!.popPending("rt-2")).map((r) => r.id)).toEqual([two.id]);
    expect(await b!.popPending("rt-2")).toEqual([]);
    expect((await b!.popPending("rt-1")).map((r) => r.id)).toEqual([one.id]);
  });
});

describe.skipIf(!useRedis)("redis layout", () => {
  it("a JSON record with a TTL and a per-runtime sorted set; the claim moves the id out atomically", async () => {
    const { nodes: [a], redis, prefix } = makeNodes("redis", 1);
    const r = await a!.create({ runtimeId: "rt-9", kind: "ping" });
    const recordKey = `${prefix}pending_req:req:${r.id}`;
    const pendingKey = `${prefix}pending_req:pending:rt-9`;
    expect(await redis!.zrange(pendingKey, "0", "-1")).toEqual([r.id]);
    const ttl = await redis!.pttl(recordKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(TIMEOUTS.retentionMs);
    expect(await redis!.pttl(pendingKey)).toBeGreaterThan(TIMEOUTS.retentionMs);
    await a!.popPending("rt-9");
    expect(await redis!.zcard(pendingKey)).toBe(0);
    expect(JSON.parse((await redis!.get(recordKey))!)).toMatchObject({ status: "running" });
  });

  it("a stale id whose record is gone is dropped from the set, and the next request is claimed", async () => {
    const { nodes: [a], redis, prefix, now } = makeNodes("redis", 1);
    const gone = await a!.create({ runtimeId: "rt-8", kind: "ping" });
    now.advance(1);
    const next = await a!.create({ runtimeId: "rt-8", kind: "ping" });
    await redis!.del(`${prefix}pending_req:req:${gone.id}`);
    expect((await a!.popPending("rt-8")).map((r) => r.id)).toEqual([next.id]);
    expect(await redis!.zcard(`${prefix}pending_req:pending:rt-8`)).toBe(0);
  });

  it("a failed create (Redis down) throws instead of pretending", async () => {
    const client = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    client.on("error", () => {});
    const store = new RedisPendingRequestStore(client, "x:", TIMEOUTS);
    await expect(store.create({ runtimeId: "rt", kind: "ping" })).rejects.toThrow();
    client.disconnect();
  });
});

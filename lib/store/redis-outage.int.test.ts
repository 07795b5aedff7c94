/**
 * Issue 11 item 11: with Redis cut or hung, store commands fail fast (no offline queue, a command timeout) with an
 * error the route mapper answers 503 + Retry-After, and the same store works again once Redis is back.
 * Always real Redis, behind a TCP proxy the test breaks.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as sendCode } from "@/app/api/auth/send-code/route";
import { resetConfigForTests } from "@/lib/config";
import { errorToResponse, unavailableDependency } from "@/lib/http/errors";
import { call, uniqueEmail } from "@/tests/helpers/api";
import { startTcpProxy, targetOf, type TcpProxy } from "@/tests/helpers/tcp-proxy";
import { deleteRedisPrefix, TEST_REDIS_URL } from "@/tests/setup/services";
import { closeStore, createStore, REDIS_COMMAND_TIMEOUT_MS, type SharedStore } from "./index";

const prefix = `tandem-test:${randomBytes(6).toString("hex")}:`;
let proxy: TcpProxy;
let store: SharedStore;
const saved = { url: process.env.REDIS_URL, prefix: process.env.REDIS_KEY_PREFIX };

beforeAll(async () => {
  proxy = await startTcpProxy(targetOf(TEST_REDIS_URL, 6379));
  store = await createStore(proxy.url(TEST_REDIS_URL), prefix);
});

afterAll(async () => {
  await store?.close();
  await closeStore();
  setEnv("REDIS_URL", saved.url);
  setEnv("REDIS_KEY_PREFIX", saved.prefix);
  resetConfigForTests();
  await proxy?.close();
  await deleteRedisPrefix(prefix);
});

/** The error `fn` rejects with and how long that took. */
async function failure(fn: () => Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = performance.now();
  try {
    await fn();
  } catch (err) {
    return { err, ms: performance.now() - started };
  }
  throw new Error("expected a failure");
}

async function eventually(fn: () => Promise<unknown>, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe("Redis outage", () => {
  it("path cut: commands fail at once as 'redis unavailable' (503 + Retry-After), then recover without a new client", async () => {
    expect((await store.hit("rl:cut", 60_000)).count).toBe(1);
    proxy.cut();
    for (const op of [() => store.hit("rl:cut", 60_000), () => store.get("k"), () => store.setIfAbsent("lock", "1", 1000)]) {
      const { err, ms } = await failure(op);
      expect(ms).toBeLessThan(REDIS_COMMAND_TIMEOUT_MS + 300);
      expect(unavailableDependency(err)).toBe("redis");
      const res = errorToResponse(err);
      expect(res.status).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await res.json()).error).toMatch(/unavailable/);
    }
    proxy.restore();
    const after = (await eventually(() => store.hit("rl:cut", 60_000))) as { count: number };
    expect(after.count).toBe(2); // the same counter: nothing was lost or double-counted
  });

  it("path hung: commands give up after the command timeout, then recover", async () => {
    await store.set("h", "1");
    proxy.hang();
    const { err, ms } = await failure(() => store.get("h"));
    expect(ms).toBeGreaterThanOrEqual(REDIS_COMMAND_TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(REDIS_COMMAND_TIMEOUT_MS + 500);
    expect(errorToResponse(err).status).toBe(503);
    proxy.restore();
    expect(await eventually(() => store.get("h"))).toBe("1");
  });

  it("POST /api/auth/send-code answers 503 JSON with Retry-After within a second while Redis is cut", async () => {
    await closeStore();
    process.env.REDIS_URL = proxy.url(TEST_REDIS_URL);
    process.env.REDIS_KEY_PREFIX = prefix;
    resetConfigForTests();
    expect((await call(sendCode, { path: "/api/auth/send-code", body: { email: uniqueEmail() } })).status).toBe(200);
    proxy.cut();
    const started = performance.now();
    const res = await call(sendCode, { path: "/api/auth/send-code", body: { email: uniqueEmail() } });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(res.body.error).toMatch(/unavailable/);
    proxy.restore();
    await eventually(async () => {
      const ok = await call(sendCode, { path: "/api/auth/send-code", body: { email: uniqueEmail() } });
      if (ok.status !== 200) throw new Error(`status ${ok.status}`);
    });
  });
});

function setEnv(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

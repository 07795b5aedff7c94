/** One behavioural contract for every SharedStore implementation (run by memory.test.ts and redis.int.test.ts). */
import { describe, expect, it } from "vitest";
import type { SharedStore } from "./types";

export function storeContract(name: string, make: () => Promise<SharedStore>) {
  describe(`SharedStore contract: ${name}`, () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it("gets what it sets, and deletes", async () => {
      const s = await make();
      expect(await s.get("a")).toBeNull();
      await s.set("a", "1");
      expect(await s.get("a")).toBe("1");
      await s.del("a");
      expect(await s.get("a")).toBeNull();
      await s.close();
    });

    it("expires values after their ttl", async () => {
      const s = await make();
      // A ttl a paused test process cannot outlive between the set and the get.
      await s.set("t", "x", 500);
      expect(await s.get("t")).toBe("x");
      await sleep(650);
      expect(await s.get("t")).toBeNull();
      await s.close();
    });

    it("setIfAbsent lets exactly one of many concurrent callers win", async () => {
      const s = await make();
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => s.setIfAbsent("lock", String(i), 1000)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      await s.close();
    });

    it("hit counts within a window, concurrently, then resets", async () => {
      const s = await make();
      const counts = await Promise.all(Array.from({ length: 25 }, () => s.hit("rl", 500)));
      expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(counts.every((c) => c.resetInMs > 0 && c.resetInMs <= 500)).toBe(true);
      await sleep(650);
      expect((await s.hit("rl", 500)).count).toBe(1);
      await s.close();
    });

    it("keeps keys apart", async () => {
      const s = await make();
      await s.hit("k1", 1000);
      await s.hit("k1", 1000);
      expect((await s.hit("k2", 1000)).count).toBe(1);
      await s.close();
    });
  });
}

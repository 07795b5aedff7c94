import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { CachedCounter, CachedHistogram } from "./metrics";

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAMES = ["method", "route", "status"] as const;

/** The same families twice: prom-client's own inc/observe, and our cached series. */
function pair() {
  const plain = new Registry();
  const cached = new Registry();
  return {
    plain,
    cached,
    pc: new Counter({ name: "t_requests_total", help: "h", labelNames: NAMES, registers: [plain] }),
    ph: new Histogram({ name: "t_duration_seconds", help: "h", labelNames: NAMES, buckets: BUCKETS, registers: [plain] }),
    cc: new CachedCounter({ name: "t_requests_total", help: "h", labelNames: NAMES, registers: [cached] }),
    ch: new CachedHistogram({ name: "t_duration_seconds", help: "h", labelNames: NAMES, buckets: BUCKETS, registers: [cached] }),
  };
}

describe("cached series (incFor / observeFor)", () => {
  it("produce exactly prom-client's exposition, including bounds, zero and values above the last bucket", async () => {
    const p = pair();
    const values = [0, 0.005, 0.0051, 0.3, 1, 9.99, 10, 10.01, 1e6];
    const sets = [["GET", "/api/a", "200"], ["POST", "/api/a", "201"], ["GET", "/api/b/[id]", "404"]] as const;
    for (let round = 0; round < 3; round++) {
      for (const [m, r, s] of sets) {
        for (const v of values) {
          p.pc.inc({ method: m, route: r, status: s });
          p.ph.observe({ method: m, route: r, status: s }, v);
          p.cc.incFor(m, r, s);
          p.ch.observeFor(v, m, r, s);
        }
      }
    }
    expect(await p.cached.metrics()).toBe(await p.plain.metrics());
    expect(await p.cached.getMetricsAsJSON()).toEqual(await p.plain.getMetricsAsJSON());
  });

  it("counts into a series that prom-client created first, and starts over after a reset", async () => {
    const p = pair();
    p.cc.inc({ method: "GET", route: "/x", status: "200" }, 5);
    p.cc.incFor("GET", "/x", "200");
    p.ch.observeFor(0.2, "GET", "/x", "200");
    p.cached.resetMetrics();
    p.cc.incFor("GET", "/x", "200");
    p.ch.observeFor(0.2, "GET", "/x", "200");
    p.ch.observeFor(0.3, "GET", "/x", "200");
    const c = await p.cc.get();
    expect(c.values).toEqual([{ value: 1, labels: { method: "GET", route: "/x", status: "200" } }]);
    const h = await p.ch.get();
    expect(h.values.find((v) => v.metricName === "t_duration_seconds_count")?.value).toBe(2);
  });

  it("rejects what prom-client rejects", () => {
    const p = pair();
    p.ch.observeFor(0.1, "GET", "/x", "200");
    expect(() => p.ch.observeFor(Number.NaN, "GET", "/x", "200")).toThrow(/not a valid number/);
    const one = new CachedCounter({ name: "t_one_total", help: "h", labelNames: ["kind"], registers: [] });
    expect(() => one.incFor("a", "b")).toThrow(/2 label values for the labels kind/);
  });
});

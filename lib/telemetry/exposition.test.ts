import { Counter, Gauge, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { SAMPLE_EVENTS, exerciseTypedRecorders } from "@/tests/helpers/telemetry-samples";
import { renderMetrics, renderPrometheus } from "./exposition";
import { observeHttpRequest } from "./http";
import { CachedCounter, CachedHistogram, families, registry, resetMetricsForTests } from "./metrics";
import { recordEvent } from "./record";
import { setSinkForTests, NoopSink } from "./sink";

/** Family blocks other than the process/nodejs default metrics, whose values move between two renders. */
const ours = (text: string) =>
  text
    .split("\n\n")
    .filter((b) => !/^# HELP (process_|nodejs_)/.test(b))
    .join("\n\n");

afterEach(() => {
  resetMetricsForTests();
  setSinkForTests(undefined);
});

describe("renderPrometheus", () => {
  it("writes exactly what prom-client writes, for every kind of family and awkward label values", async () => {
    const reg = new Registry();
    const c = new CachedCounter({ name: "t_c_total", help: 'help with \\ and\nnewline "q"', labelNames: ["a", "b"], registers: [reg] });
    const c0 = new CachedCounter({ name: "t_c0_total", help: "no labels", registers: [reg] });
    const h = new CachedHistogram({ name: "t_h_seconds", help: "h", labelNames: ["route"], buckets: [0.1, 1, 10], registers: [reg] });
    const h0 = new CachedHistogram({ name: "t_h0_seconds", help: "h0", labelNames: [], buckets: [1], registers: [reg] });
    const plainC = new Counter({ name: "t_plain_total", help: "p", labelNames: ["x"], registers: [reg] });
    const g = new Gauge({ name: "t_g", help: "g", labelNames: ["x"], registers: [reg] });
    const collected = new CachedCounter({ name: "t_collected_total", help: "cc", labelNames: ["x"], registers: [reg], collect() { this.inc({ x: "y" }, 2); } });
    c.incFor('we"ird', "back\\slash\nnl");
    c.incFor("a", "b");
    c.inc({ a: "a", b: "b" }, 0.5);
    c0.inc(3);
    for (const v of [0, 0.1, 0.5, 11, 1e9]) h.observeFor(v, "/api/[id]");
    h.observe({ route: "/x" }, 2);
    h0.observe(0.5);
    plainC.inc({ x: "1" });
    g.set({ x: "n" }, Number.NaN);
    g.set({ x: "i" }, Number.NEGATIVE_INFINITY);
    void collected;
    const expected = await reg.metrics(); // collect hooks run here and again below: compare against a second render
    const ours1 = await renderPrometheus(reg);
    expect(ours1.replace('t_collected_total{x="y"} 4', 't_collected_total{x="y"} 2')).toBe(expected);
    // Cached label text is reused on the next scrape, with the new values.
    c.incFor("a", "b");
    expect(await renderPrometheus(reg)).toContain('t_c_total{a="a",b="b"} 2.5');
  });

  it("matches prom-client on the app registry with every event, typed recorder and 50 HTTP label sets", async () => {
    setSinkForTests(new NoopSink());
    for (const make of Object.values(SAMPLE_EVENTS)) recordEvent(make());
    exerciseTypedRecorders();
    for (let i = 0; i < 50; i++) observeHttpRequest(i % 2 ? "GET" : "POST", `/api/r${i % 10}/[id]`, [200, 404, 500][i % 3], i / 100);
    const a = ours(await registry().metrics());
    const b = ours(await renderPrometheus(registry()));
    expect(b).toBe(a);
    expect(b).toContain('tandem_http_request_duration_seconds_bucket{le="0.05",method="POST",route="/api/r0/[id]",status="200"}');
  });

  it("shows the histogram series observed since the last scrape (ours or prom-client's observe, a reset) as prom-client does", async () => {
    const reg = new Registry();
    const h = new CachedHistogram({ name: "t_k_seconds", help: "k", labelNames: ["route"], buckets: [0.1, 1], registers: [reg] });
    for (const route of ["/a", "/b", "/c"]) h.observeFor(0.5, route);
    expect(await renderPrometheus(reg)).toBe(await reg.metrics());
    h.observeFor(0, "/a"); // same sum, new count
    h.observe({ route: "/b" }, 5); // prom-client's own path
    expect(await renderPrometheus(reg)).toBe(await reg.metrics());
    expect(await renderPrometheus(reg)).toContain('t_k_seconds_bucket{le="0.1",route="/a"} 1');
    h.reset();
    h.observeFor(0.5, "/a"); // a new series with the old one's count and sum
    expect(await renderPrometheus(reg)).toBe(await reg.metrics());
  });

  it("falls back to prom-client when the registry has default labels", async () => {
    const reg = new Registry();
    reg.setDefaultLabels({ node: "a" });
    new CachedCounter({ name: "t_d_total", help: "d", labelNames: ["x"], registers: [reg] }).incFor("1");
    expect(await renderPrometheus(reg)).toBe(await reg.metrics());
    expect(await renderPrometheus(reg)).toContain('t_d_total{x="1",node="a"} 1');
  });
});

describe("exemplars (issue 14: tracing on)", () => {
  const TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736";
  const TRACE_B = "00f067aa0ba902b7a3ce929d0e0e4736";

  it("OpenMetrics shows the latest trace of each bucket the value fell in; Prometheus text shows none", async () => {
    const h = families().httpDuration;
    h.observeWithExemplar(0.03, "0".repeat(32), "GET", "/api/x", "200");
    h.observeWithExemplar(0.04, TRACE_A, "GET", "/api/x", "200"); // same bucket (le 0.05): replaces the first
    h.observeWithExemplar(60, TRACE_B, "GET", "/api/x", "200"); // above the last bound: +Inf
    h.observeFor(0.001, "GET", "/api/x", "200"); // no trace: counted, no exemplar

    const om = (await renderMetrics("application/openmetrics-text; version=1.0.0")).body;
    const lines = om.split("\n").filter((l) => l.startsWith("tandem_http_request_duration_seconds_bucket{") && l.includes('route="/api/x"'));
    const withExemplar = lines.filter((l) => l.includes(" # {"));
    expect(withExemplar).toHaveLength(2);
    expect(withExemplar[0]).toMatch(new RegExp(`le="0\\.05",.*\\} 3 # \\{trace_id="${TRACE_A}"\\} 0\\.04 \\d+\\.\\d{3}$`));
    expect(withExemplar[1]).toMatch(new RegExp(`le="\\+Inf",.*\\} 4 # \\{trace_id="${TRACE_B}"\\} 60 \\d+\\.\\d{3}$`));
    expect(om.endsWith("# EOF\n")).toBe(true);

    const text = (await renderMetrics(null)).body;
    expect(text).toContain('tandem_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/x",status="200"} 4');
    expect(text).not.toContain("trace_id");
  });

  it("a reset forgets the exemplars with the series", async () => {
    families().httpDuration.observeWithExemplar(0.2, TRACE_A, "GET", "/api/y", "200");
    registry().resetMetrics();
    families().httpDuration.observeFor(0.2, "GET", "/api/y", "200");
    expect((await renderMetrics("application/openmetrics-text")).body).not.toContain("trace_id");
  });
});

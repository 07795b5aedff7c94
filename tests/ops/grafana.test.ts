/**
 * ops/grafana/tandem.json: provisioning-ready (datasource variable, no instance-specific ids), the sections the
 * operations issue lists, a unit on every panel, every metric it reads exists in the app's registry (sampler
 * families included; histograms as _bucket/_sum/_count), and every query parses (promtool, when installed).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Histogram } from "prom-client";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { board, boardExpressions, metricNames, substitute } from "./board";
import { requireBinary, run } from "./promtool";
import { recordingRules, rules } from "./rules";

let known: Set<string>;

beforeAll(async () => {
  // The sampler's families are registered only when the metrics route is on (METRICS_TOKEN); nothing is queried.
  process.env.METRICS_TOKEN = "grafana-board-test";
  process.env.DATA_DIR = "memory://";
  const { resetConfigForTests } = await import("@/lib/config");
  resetConfigForTests();
  const { registry, resetMetricsForTests } = await import("@/lib/telemetry/metrics");
  resetMetricsForTests();
  known = new Set();
  // Names from the metric objects (calling get() would run the sampler's queries).
  for (const m of registry().getMetricsAsArray() as unknown as { name: string }[]) {
    if (m instanceof Histogram) for (const s of ["_bucket", "_sum", "_count"]) known.add(m.name + s);
    else known.add(m.name);
  }
  const { closeSampler } = await import("@/lib/telemetry/sampler");
  await closeSampler();
});

afterAll(() => {
  delete process.env.METRICS_TOKEN;
});

describe("Grafana board", () => {
  const b = board();
  const panels = b.panels.filter((p) => p.type !== "row");

  it("is provisioning-ready, with a Prometheus datasource variable every query uses", () => {
    expect(b.uid).toBe("tandem-overview");
    expect((b as { id?: unknown }).id ?? null).toBeNull();
    const ds = b.templating.list.find((v) => v.type === "datasource");
    expect(ds).toMatchObject({ name: "datasource", query: "prometheus" });
    for (const p of panels) {
      expect(p.datasource, p.title).toEqual({ type: "prometheus", uid: "${datasource}" });
      for (const t of p.targets ?? []) expect(t.datasource, p.title).toEqual({ type: "prometheus", uid: "${datasource}" });
    }
  });

  it("has the sections the issue lists", () => {
    const rows = b.panels.filter((p) => p.type === "row").map((p) => p.title);
    for (const section of [/funnel/i, /content/i, /runtimes and tasks/i, /commercial/i, /sampler/i, /HTTP/, /analytics delivery/i])
      expect(rows.some((r) => section.test(r)), String(section)).toBe(true);
    const titles = panels.map((p) => p.title).join("\n");
    for (const needed of [/signups by source/i, /queue wait/i, /run time/i, /failures by reason/i, /LLM tokens/i, /LLM cost/i, /orders/i, /revenue/i, /latency p95 by route/i])
      expect(titles, String(needed)).toMatch(needed);
  });

  it("puts a unit on every panel", () => {
    for (const p of panels) expect(p.fieldConfig?.defaults?.unit, p.title).toBeTruthy();
  });

  it("names only metrics the registry exposes (or Prometheus/recording-rule series)", () => {
    const extra = new Set(["up", "ALERTS", ...recordingRules().map((r) => r.record!)]);
    const exprs = boardExpressions();
    expect(exprs.length).toBeGreaterThan(50);
    const unknown: string[] = [];
    for (const { panel, expr } of exprs)
      for (const name of metricNames(expr)) if (!known.has(name) && !extra.has(name)) unknown.push(`${panel}: ${name}`);
    expect(unknown).toEqual([]);
  });

  it("the alert and recording rules name only registry metrics too", () => {
    const extra = new Set(["up", ...recordingRules().map((r) => r.record!)]);
    const unknown = rules().flatMap((r) => metricNames(r.expr).filter((n) => !known.has(n) && !extra.has(n)).map((n) => `${r.alert ?? r.record}: ${n}`));
    expect(unknown).toEqual([]);
  });

  it("the name extraction sees through labels, grouping and functions", () => {
    expect(metricNames('sum by (le, route) (rate(tandem_x_bucket{job="$job",route!="/api/metrics"}[5m])) / on () group_left () up offset 1h')).toEqual(["tandem_x_bucket", "up"]);
  });

  const promtool = requireBinary("promtool");
  it.skipIf(!promtool)("every query parses (promtool check rules on the board's expressions)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-board-"));
    try {
      const rules = boardExpressions().map(({ expr }, i) => ({ record: `board:query_${i}`, expr: substitute(expr) }));
      fs.writeFileSync(path.join(dir, "board.yml"), stringify({ groups: [{ name: "board", rules }] }));
      const r = run(promtool!, ["check", "rules", "--lint=none", path.join(dir, "board.yml")]);
      expect(r.status, r.output).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

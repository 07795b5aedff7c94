/** The Grafana board's PromQL, and the metric names an expression reads (for the registry and Prometheus checks). */
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./promtool";

export type Panel = {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { refId: string; expr: string; datasource?: { type: string; uid: string } }[];
};
export type Board = {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { type: string; name: string; query?: unknown }[] };
};

export const BOARD_PATH = path.join(ROOT, "ops/grafana/tandem.json");
export const board = (): Board => JSON.parse(fs.readFileSync(BOARD_PATH, "utf8"));

/** Every query of the board, with its panel's title. */
export function boardExpressions(): { panel: string; expr: string }[] {
  return board().panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}

/** Grafana's variables replaced the way Grafana would for a 1-hour view with the job "tandem". */
export function substitute(expr: string, vars: { job?: string; range?: string; rateInterval?: string } = {}): string {
  return expr
    .replaceAll("$__rate_interval", vars.rateInterval ?? "1m")
    .replaceAll("$__range", vars.range ?? "1h")
    .replaceAll("$__interval", "15s")
    .replaceAll("$job", vars.job ?? "tandem");
}

const KEYWORDS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "inf", "nan"]);

/** The metric names a PromQL expression selects (not functions, keywords, label names or values). */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\boffset\s+\w+/g, " ");
  const names = new Set<string>();
  for (const m of bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (m[2] || KEYWORDS.has(m[1]!) || /^\d/.test(m[1]!)) continue;
    names.add(m[1]!);
  }
  return [...names];
}

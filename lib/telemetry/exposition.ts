import { timingSafeEqual, createHash } from "node:crypto";
import type { Metric, Registry } from "prom-client";
import { cachedKind, registry, type CachedHistogram, type Exemplar } from "./metrics";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
export const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/** Constant-time token check: both sides are hashed first so their lengths never leak through timing. */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/**
 * OpenMetrics text, rendered from each family's JSON (prom-client's own OpenMetrics mode renames counter objects in
 * place, dropping `_total`, which would corrupt a concurrent Prometheus-format scrape); our cached histograms are
 * rendered directly, with their exemplars (the trace of a request per bucket, when tracing is on).
 */
async function renderOpenMetrics(): Promise<string> {
  const parts = await Promise.all(
    registry()
      .getMetricsAsArray()
      .map(async (metric) => {
        const f = metric as unknown as Family;
        if (cachedKind(metric) === "histogram" && typeof f.collect !== "function") {
          return renderHistogram(f, escapeHelp(f.name), (e) => (metric as unknown as CachedHistogram<string>).exemplarsOf(e));
        }
        const m = await (metric as unknown as Metric).get();
        const isCounter = String(m.type) === "counter";
        const family = isCounter ? m.name.replace(/_total$/, "") : m.name;
        const out = [`# TYPE ${family} ${m.type}`, `# HELP ${family} ${escapeHelp(m.help)}`];
        for (const v of m.values) {
          const sample = (v as { metricName?: string }).metricName ?? (isCounter ? `${family}_total` : m.name);
          const labels = Object.entries(v.labels ?? {})
            .map(([k, lv]) => `${k}="${escapeLabel(typeof lv === "number" ? formatValue(lv) : String(lv))}"`)
            .join(",");
          out.push(`${sample}${labels ? `{${labels}}` : ""} ${formatValue(v.value)}`);
        }
        return out.join("\n");
      }),
  );
  return `${parts.join("\n")}\n# EOF\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Prometheus text 0.0.4, byte for byte what `registry.metrics()` writes (exposition.test.ts compares them), but the
// label part of each series line is formatted once per series and kept (issue 15): prom-client re-escapes and
// re-joins every label of every line on every scrape, which at a few hundred HTTP label sets (14 lines each) was
// most of a scrape's CPU. Series whose labels are frozen are ours (CachedCounter / CachedHistogram without a
// `collect` hook, read straight from their series map); everything else (gauges, collectors, default metrics, the
// sampler's families) still goes through prom-client.

type Labels = Record<string, string | number>;
type Entry = { labels: Labels; value: number; sum: number; count: number; bucketValues: Record<string, number> };
type Family = { name: string; help: string; hashMap: Record<string, Entry>; upperBounds?: number[]; collect?: unknown };
type PromRegistry = Registry & { _defaultLabels: object; getMetricsAsString(m: unknown): Promise<string> };

/** prom-client's number format (note `Nan`, which differs from the OpenMetrics `NaN` above). */
const valueText = (v: number) => (Number.isNaN(v) ? "Nan" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : `${v}`);

/** Per series labels object (prom-client keeps the first one it was given for the series' lifetime). */
const labelText = new WeakMap<Labels, string>();
function labelsOf(labels: Labels): string {
  let t = labelText.get(labels);
  if (t === undefined) {
    t = Object.entries(labels)
      .map(([k, v]) => `${k}="${typeof v === "string" ? escapeLabel(v) : v}"`)
      .join(",");
    labelText.set(labels, t);
  }
  return t;
}

/** The `{le="…",labels}` prefixes of a histogram series' bucket lines, per series (same lifetime as above). */
const bucketPrefixes = new WeakMap<Labels, string[]>();

function renderCounter(f: Family, name: string): string {
  let out = `# HELP ${name} ${escapeHelp(f.help)}\n# TYPE ${name} counter`;
  for (const e of Object.values(f.hashMap)) {
    const l = labelsOf(e.labels);
    out += `\n${name}${l ? `{${l}}` : ""} ${valueText(e.value)}`;
  }
  return out;
}

const exemplarText = (x: Exemplar | undefined) => (x ? ` # {trace_id="${x.traceId}"} ${x.value} ${x.at.toFixed(3)}` : "");

function renderHistogram(f: Family, name: string, exemplarsOf?: (e: Entry) => readonly (Exemplar | undefined)[] | undefined): string {
  const bounds = f.upperBounds!;
  // `bucketValues` is keyed by the bounds as strings: a number key is converted to one on every lookup (0.6–0.9 ms
  // of a ~6 ms scrape at 375 series, issue 15).
  const keys = bounds.map(String);
  let out = `# HELP ${name} ${escapeHelp(f.help)}\n# TYPE ${name} histogram`;
  for (const e of Object.values(f.hashMap)) {
    const l = labelsOf(e.labels);
    let prefixes = bucketPrefixes.get(e.labels);
    if (prefixes === undefined) {
      const tail = l ? `,${l}}` : "}";
      prefixes = bounds.map((b) => `\n${name}_bucket{le="${b}"${tail} `);
      prefixes.push(`\n${name}_bucket{le="+Inf"${tail} `);
      bucketPrefixes.set(e.labels, prefixes);
    }
    const ex = exemplarsOf?.(e);
    let acc = 0;
    for (let i = 0; i < bounds.length; i++) {
      acc += e.bucketValues[keys[i]];
      out += prefixes[i] + valueText(acc) + (ex ? exemplarText(ex[i]) : "");
    }
    const suffix = l ? `{${l}} ` : " ";
    out += `${prefixes[bounds.length]}${valueText(e.count)}${ex ? exemplarText(ex[bounds.length]) : ""}\n${name}_sum${suffix}${valueText(e.sum)}\n${name}_count${suffix}${valueText(e.count)}`;
  }
  return out;
}

/** Prometheus text of a registry; the fast path only for our cached families, prom-client for the rest. */
export async function renderPrometheus(reg: Registry): Promise<string> {
  const r = reg as PromRegistry;
  if (Object.keys(r._defaultLabels ?? {}).length > 0) return reg.metrics();
  const parts = await Promise.all(
    reg.getMetricsAsArray().map((metric) => {
      const f = metric as unknown as Family;
      if (typeof f.collect !== "function") {
        const name = escapeHelp(f.name);
        const kind = cachedKind(metric);
        if (kind === "histogram") return renderHistogram(f, name);
        if (kind === "counter") return renderCounter(f, name);
      }
      return r.getMetricsAsString(metric);
    }),
  );
  return `${parts.join("\n\n")}\n`;
}

/** The exposition for a scrape: OpenMetrics when the Accept header asks for it, else Prometheus text 0.0.4. */
export async function renderMetrics(accept: string | null): Promise<{ body: string; contentType: string }> {
  if (accept && accept.includes("application/openmetrics-text")) {
    return { body: await renderOpenMetrics(), contentType: OPENMETRICS_CONTENT_TYPE };
  }
  return { body: await renderPrometheus(registry()), contentType: PROMETHEUS_CONTENT_TYPE };
}

import { timingSafeEqual, createHash } from "node:crypto";
import { registry } from "./metrics";

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
 * OpenMetrics text, rendered from the registry's JSON. prom-client's own OpenMetrics mode renames counter
 * objects in place (dropping `_total`), which would corrupt a concurrent Prometheus-format scrape.
 */
async function renderOpenMetrics(): Promise<string> {
  const out: string[] = [];
  for (const m of await registry().getMetricsAsJSON()) {
    const isCounter = String(m.type) === "counter";
    const family = isCounter ? m.name.replace(/_total$/, "") : m.name;
    out.push(`# TYPE ${family} ${m.type}`, `# HELP ${family} ${escapeHelp(m.help)}`);
    for (const v of m.values) {
      const sample = (v as { metricName?: string }).metricName ?? (isCounter ? `${family}_total` : m.name);
      const labels = Object.entries(v.labels ?? {})
        .map(([k, lv]) => `${k}="${escapeLabel(typeof lv === "number" ? formatValue(lv) : String(lv))}"`)
        .join(",");
      out.push(`${sample}${labels ? `{${labels}}` : ""} ${formatValue(v.value)}`);
    }
  }
  out.push("# EOF");
  return out.join("\n") + "\n";
}

/** The exposition for a scrape: OpenMetrics when the Accept header asks for it, else Prometheus text 0.0.4. */
export async function renderMetrics(accept: string | null): Promise<{ body: string; contentType: string }> {
  if (accept && accept.includes("application/openmetrics-text")) {
    return { body: await renderOpenMetrics(), contentType: OPENMETRICS_CONTENT_TYPE };
  }
  return { body: await registry().metrics(), contentType: PROMETHEUS_CONTENT_TYPE };
}

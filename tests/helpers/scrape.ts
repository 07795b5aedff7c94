/**
 * Reads metric samples through the real `/api/metrics` route (in-process, with a bearer token), so integration
 * tests check what Prometheus would see.
 */
import { GET as metricsGET } from "@/app/api/metrics/route";
import { resetConfigForTests } from "@/lib/config";
import { call } from "./api";

export const SCRAPE_TOKEN = "integrations-metrics-token";

export async function scrape(): Promise<string> {
  if (process.env.METRICS_TOKEN !== SCRAPE_TOKEN) {
    process.env.METRICS_TOKEN = SCRAPE_TOKEN;
    resetConfigForTests();
  }
  const res = await call<string>(metricsGET, { path: "/api/metrics", headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
  if (res.status !== 200) throw new Error(`metrics scrape failed: ${res.status}`);
  return res.body;
}

/** The value of `name{labels}` in a scrape (labels in any order; 0 when absent). */
export function sampleOf(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
    const inner = line.startsWith(name + "{") ? line.slice(name.length + 1, line.indexOf("}")) : "";
    const have = inner ? inner.split(",") : [];
    if (have.length === want.length && want.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}

/** Scrapes and returns `name{labels}`. */
export const metric = async (name: string, labels: Record<string, string> = {}) => sampleOf(await scrape(), name, labels);

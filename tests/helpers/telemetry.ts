/**
 * Captured analytics events and metric values for assertions: installs a MemorySink for the calling test file.
 */
import { afterAll, beforeEach } from "vitest";
import { registry } from "@/lib/telemetry/metrics";
import { MemorySink, setSinkForTests } from "@/lib/telemetry/sink";

/** A fresh MemorySink for each test of the file; `sink.named("x")` lists the wire messages of event x. */
export function captureEvents(): MemorySink {
  const sink = new MemorySink();
  beforeEach(() => {
    sink.clear();
    setSinkForTests(sink);
  });
  afterAll(() => setSinkForTests(undefined));
  return sink;
}

/** The current value of one series (0 when absent). `name` is the full metric name, e.g. `tandem_signup_total`. */
export async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry().getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val));
  return match?.value ?? 0;
}

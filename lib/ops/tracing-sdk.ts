/**
 * The OpenTelemetry SDK (issue 14), imported by start-up only when OTEL_EXPORTER_OTLP_ENDPOINT (or its traces
 * variant) is set: this module is the one place that loads OpenTelemetry packages.
 *
 * `@vercel/otel` registers the tracer provider Next.js's built-in instrumentation reports to (a root span per
 * request, spans for rendering and route handlers) with an OTLP/HTTP exporter configured from the standard
 * OTEL_EXPORTER_OTLP_* variables (protobuf unless OTEL_EXPORTER_OTLP_PROTOCOL=http/json) and a fetch
 * instrumentation (outgoing `fetch` calls, e.g. the /ingest proxy, as child spans; trace context is propagated to
 * no outside host). Our own spans (lib/ops/tracing.ts) cover database queries, Redis commands and analytics delivery.
 */
import * as api from "@opentelemetry/api";
import { registerOTel } from "@vercel/otel";
import { setTracing } from "./tracing";

type Flushable = { forceFlush?: () => Promise<void>; shutdown?: () => Promise<void> };

export function startTracing(serviceName: string): void {
  registerOTel({ serviceName });
  setTracing({ api, tracer: api.trace.getTracer("tandem") });
}

/** Exports the spans still buffered (server shutdown). */
export async function stopTracing(): Promise<void> {
  const provider = api.trace.getTracerProvider() as Flushable & { getDelegate?: () => Flushable };
  const real = provider.getDelegate?.() ?? provider;
  await real.forceFlush?.();
  await real.shutdown?.();
  setTracing(undefined);
}

/**
 * Tracing (issue 14), the side every module may import: it loads no OpenTelemetry package. Until start-up registers
 * the SDK (lib/ops/tracing-sdk.ts, only with OTEL_EXPORTER_OTLP_ENDPOINT), every function here is a no-op that costs
 * one global lookup. The SDK's handle lives on globalThis because Next loads server modules more than once.
 *
 * Policy: database and Redis calls get a span only inside a trace (a request, or a traced background job such as an
 * analytics delivery); a lone sweeper query would otherwise be a root span of its own every few seconds.
 */
import type * as OtelApi from "@opentelemetry/api";

type Attributes = Record<string, string | number | boolean | undefined>;
export type Tracing = { api: typeof OtelApi; tracer: OtelApi.Tracer };

const KEY = Symbol.for("tandem.tracing");
type G = typeof globalThis & { [KEY]?: Tracing };

export function setTracing(t: Tracing | undefined): void {
  const g = globalThis as G;
  if (t) g[KEY] = t;
  else delete g[KEY];
}

export const tracingEnabled = (): boolean => (globalThis as G)[KEY] !== undefined;

/** The trace id of the active span, when tracing is on and a span is active (the HTTP histogram's exemplar). */
export function activeTraceId(): string | undefined {
  const t = (globalThis as G)[KEY];
  if (!t) return undefined;
  const ctx = t.api.trace.getActiveSpan()?.spanContext();
  return ctx && t.api.isSpanContextValid(ctx) && ctx.traceFlags & t.api.TraceFlags.SAMPLED ? ctx.traceId : undefined;
}

/**
 * Runs `fn` in a client span named `name`: by default only as the child of an active span (database, Redis);
 * `root: true` starts a trace of its own (background work such as a delivery, which a timer may have scheduled from
 * inside some request's context that it does not belong to). A failure marks the span as an error with the error's
 * name or code only: messages may carry data.
 */
export function withSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>, opts: { root?: boolean } = {}): Promise<T> {
  const t = (globalThis as G)[KEY];
  if (!t || (!opts.root && !t.api.trace.getActiveSpan())) return fn();
  return t.tracer.startActiveSpan(name, { kind: t.api.SpanKind.CLIENT, attributes: defined(attributes), root: opts.root }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      const e = err as { code?: unknown; name?: unknown };
      span.setStatus({ code: t.api.SpanStatusCode.ERROR, message: String(e?.code ?? e?.name ?? "error") });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Sets attributes on the active span (e.g. a delivery's HTTP status), when there is one. */
export function setSpanAttributes(attributes: Attributes): void {
  const t = (globalThis as G)[KEY];
  t?.api.trace.getActiveSpan()?.setAttributes(defined(attributes));
}

function defined(a: Attributes): OtelApi.Attributes {
  const out: OtelApi.Attributes = {};
  for (const k in a) if (a[k] !== undefined) out[k] = a[k];
  return out;
}

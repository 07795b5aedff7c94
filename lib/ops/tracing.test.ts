import { AsyncLocalStorage } from "node:async_hooks";
import * as api from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { activeTraceId, setSpanAttributes, setTracing, tracingEnabled, withSpan } from "./tracing";

/** The smallest AsyncLocalStorage context manager (the SDK's lives in @vercel/otel's bundle). */
class AlsContextManager implements api.ContextManager {
  private readonly als = new AsyncLocalStorage<api.Context>();
  active = () => this.als.getStore() ?? api.ROOT_CONTEXT;
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: api.Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A) {
    return this.als.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: api.Context, target: T): T {
    return target;
  }
  enable = () => this;
  disable = () => this;
}

describe("tracing off (no SDK registered)", () => {
  it("runs the work untouched and knows no trace", async () => {
    expect(tracingEnabled()).toBe(false);
    expect(await withSpan("SELECT", {}, async () => 42, { root: true })).toBe(42);
    expect(activeTraceId()).toBeUndefined();
    setSpanAttributes({ a: 1 }); // no-op, no throw
  });
});

describe("tracing on", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer("test");
  const spans = () => exporter.getFinishedSpans();

  beforeEach(() => {
    api.context.setGlobalContextManager(new AlsContextManager());
    setTracing({ api, tracer });
  });
  afterEach(() => {
    setTracing(undefined);
    api.context.disable();
    exporter.reset();
  });

  it("a database or Redis call gets a span only inside a trace, as a child of the active span", async () => {
    await withSpan("SELECT", { "db.system.name": "postgresql" }, async () => 1);
    expect(spans()).toHaveLength(0); // a lone call (a sweeper's query) is not a trace of its own

    await tracer.startActiveSpan("GET /api/x", async (parent) => {
      expect(activeTraceId()).toBe(parent.spanContext().traceId);
      await withSpan("INSERT", { "db.system.name": "postgresql", "db.query.text": "insert into t", skipped: undefined }, async () => {
        setSpanAttributes({ rows: 1 });
      });
      parent.end();
    });
    const [child, parent] = spans();
    expect(child.name).toBe("INSERT");
    expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(child.kind).toBe(api.SpanKind.CLIENT);
    expect(child.attributes).toEqual({ "db.system.name": "postgresql", "db.query.text": "insert into t", rows: 1 });
  });

  it("root: true starts a trace of its own, even from inside another one", async () => {
    await tracer.startActiveSpan("request", async (parent) => {
      await withSpan("posthog.deliver", { "posthog.events": 3 }, async () => {}, { root: true });
      parent.end();
    });
    const deliver = spans().find((s) => s.name === "posthog.deliver")!;
    expect(deliver.parentSpanContext).toBeUndefined();
    expect(deliver.spanContext().traceId).not.toBe(spans().find((s) => s.name === "request")!.spanContext().traceId);
  });

  it("a failure marks the span as an error with the error's code, not its message, and is rethrown", async () => {
    const failure = Object.assign(new Error("duplicate key (email)=(ada@example.com)"), { code: "23505" });
    await expect(withSpan("INSERT", {}, () => Promise.reject(failure), { root: true })).rejects.toBe(failure);
    const [span] = spans();
    expect(span.status).toEqual({ code: api.SpanStatusCode.ERROR, message: "23505" });
    expect(JSON.stringify(span.events)).not.toContain("ada@example.com");
  });
});

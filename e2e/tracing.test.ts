/**
 * Traces (issue 14, item 5) on the production server, against a local OTLP/HTTP receiver stand-in:
 * - with OTEL_EXPORTER_OTLP_ENDPOINT, a contact-sales submission is one trace: Next.js's request span with our
 *   database and Redis spans under it; the PostHog delivery of its event is a trace of its own; an OpenMetrics scrape
 *   shows the request's trace id as the HTTP duration histogram's exemplar (Prometheus text never carries one);
 * - the exporter's default protocol is protobuf;
 * - without the variable nothing is exported, no exemplar is shown and no OpenTelemetry package is loaded
 *   (NODE_DEBUG=module lists every module Node's loader resolves).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCaptureServer, type CaptureServer } from "@/tests/helpers/capture-server";
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from "@/tests/helpers/otlp-receiver";
import { startPrometheus } from "@/tests/ops/prometheus-server";
import { requireBinary } from "@/tests/ops/promtool";
import { freePort, startApp, waitFor, type App } from "./support/app";

const TOKEN = "e2e-tracing-token";
const prometheusBin = requireBinary("prometheus");
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

function contactSales(app: App, email: string) {
  return fetch(`${app.baseUrl}/api/contact-sales`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: app.baseUrl },
    body: JSON.stringify({
      first_name: "Grace",
      last_name: "Hopper",
      business_email: email,
      company_name: "Compilers Inc",
      company_size: "51-200",
      country_region: "United States",
      use_case: "evaluate",
    }),
  });
}

const scrape = async (app: App, accept?: string) =>
  (await fetch(`${app.baseUrl}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}`, ...(accept ? { accept } : {}) } })).text();

const OPENMETRICS = "application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5";
const bucketLines = (text: string) => text.split("\n").filter((l) => l.startsWith('tandem_http_request_duration_seconds_bucket{') && l.includes('route="/api/contact-sales"'));

describe("tracing on (OTLP/HTTP JSON)", () => {
  let receiver: OtlpReceiver;
  let capture: CaptureServer;
  let app: App | undefined;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    capture = await startCaptureServer();
    app = await startApp({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_SERVICE_NAME: "tandem-e2e",
        REDIS_URL,
        REDIS_KEY_PREFIX: `tandem:e2e-tracing:${process.pid}:`,
        POSTHOG_API_KEY: "phc_e2e",
        POSTHOG_HOST: capture.url,
        METRICS_TOKEN: TOKEN,
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await receiver?.stop();
    await capture?.stop();
  });

  it("a request is one trace with database and Redis spans; the PostHog delivery is traced; OpenMetrics shows the exemplar", async () => {
    const email = `trace-${Date.now()}@compilers.example`;
    const res = await contactSales(app!, email);
    expect(res.status).toBe(201);
    await capture.waitForBatchEvents(1);

    // Next.js's span for the request, with our spans (same trace) beneath it.
    const find = (pred: (s: OtlpSpan) => boolean) => receiver.spans().find(pred);
    const request = await waitFor(() => find((s) => !s.parentSpanId && s.name.includes("/api/contact-sales")), 20_000, "the request's root span");
    expect(request.service).toBe("tandem-e2e");
    const inTrace = () => receiver.spans().filter((s) => s.traceId === request.traceId);
    const db = await waitFor(() => inTrace().find((s) => s.attributes["db.system.name"] === "postgresql" && s.name === "INSERT"), 20_000, "a database span");
    expect(String(db.attributes["db.query.text"])).toMatch(/^insert into "contact_sales_inquiries"/);
    expect(String(db.attributes["db.query.text"])).not.toContain(email); // the statement's text, never its parameters
    const redis = await waitFor(() => inTrace().find((s) => s.attributes["db.system.name"] === "redis"), 20_000, "a Redis span");
    expect(redis.name).toMatch(/^EVAL/);
    // Our spans hang off the request's spans (Next.js's, of the same trace).
    const ids = new Set(inTrace().map((s) => s.spanId));
    expect(ids.has(db.parentSpanId!)).toBe(true);
    expect(ids.has(redis.parentSpanId!)).toBe(true);

    const delivery = await waitFor(() => find((s) => s.name === "posthog.deliver"), 20_000, "the delivery span");
    expect(delivery.parentSpanId).toBeUndefined();
    expect(delivery.attributes["posthog.events"]).toBeGreaterThanOrEqual(1);
    expect(delivery.attributes["posthog.outcome"]).toBe("ok");
    const deliveryChildren = receiver.spans().filter((s) => s.traceId === delivery.traceId && s.parentSpanId === delivery.spanId);
    expect(deliveryChildren.some((s) => s.attributes["db.system.name"] === "postgresql" && s.name === "DELETE")).toBe(true);

    // The exemplar of the request's bucket is its trace; the Prometheus text format has no exemplars.
    const om = await scrape(app!, OPENMETRICS);
    expect(om.trimEnd().endsWith("# EOF")).toBe(true);
    const exemplars = bucketLines(om).flatMap((l) => [...l.matchAll(/ # \{trace_id="([0-9a-f]{32})"\} ([0-9.e-]+) ([0-9.]+)$/g)].map((m) => m[1]));
    expect(exemplars).toContain(request.traceId);
    const text = await scrape(app!);
    expect(bucketLines(text).length).toBeGreaterThan(0);
    expect(text).not.toContain("trace_id");
  });

  it.skipIf(!prometheusBin)("a real Prometheus with exemplar storage scrapes the exemplars (the exposition parses)", async () => {
    const res = await contactSales(app!, `prom-${Date.now()}@compilers.example`);
    expect(res.status).toBe(201);
    const prom = await startPrometheus(prometheusBin!, await freePort(), {
      target: `127.0.0.1:${app!.port}`,
      token: TOKEN,
      scrapeInterval: "1s",
      evaluationInterval: "1s",
      flags: ["--enable-feature=exemplar-storage"],
    });
    try {
      const selector = 'tandem_http_request_duration_seconds_bucket{route="/api/contact-sales"}';
      const now = Date.now() / 1000;
      const found = await waitFor(
        async () => {
          const data = await prom.api<{ exemplars: { labels: Record<string, string> }[] }[]>("query_exemplars", { query: selector, start: String(now - 600), end: String(now + 600) });
          return data.flatMap((d) => d.exemplars.map((e) => e.labels.trace_id)).filter(Boolean).length > 0 ? data : undefined;
        },
        30_000,
        `exemplars in Prometheus (${prom.logs()})`,
      );
      const traceIds = new Set(receiver.spans().map((s) => s.traceId));
      for (const id of found.flatMap((d) => d.exemplars.map((e) => e.labels.trace_id))) expect(traceIds.has(id)).toBe(true);
      expect((await prom.query('up{job="tandem"}'))[0]?.value[1]).toBe("1");
    } finally {
      await prom.stop();
    }
  });
});

describe("tracing on, default protocol", () => {
  it("exports OTLP/HTTP protobuf", async () => {
    const receiver = await startOtlpReceiver();
    const app = await startApp({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    try {
      expect((await contactSales(app, `proto-${Date.now()}@compilers.example`)).status).toBe(201);
      const req = await waitFor(() => receiver.requests.find((r) => r.body.includes("/api/contact-sales")), 20_000, "a protobuf export");
      expect(req.headers["content-type"]).toBe("application/x-protobuf");
    } finally {
      await app.stop();
      await receiver.stop();
    }
  });
});

describe("tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
  it("exports nothing, shows no exemplar and loads no OpenTelemetry package", async () => {
    const receiver = await startOtlpReceiver();
    const app = await startApp({
      env: { NODE_DEBUG: "module", METRICS_TOKEN: TOKEN, OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined },
    });
    try {
      expect((await contactSales(app, `off-${Date.now()}@compilers.example`)).status).toBe(201);
      const om = await scrape(app, OPENMETRICS);
      expect(bucketLines(om).length).toBeGreaterThan(0);
      expect(om).not.toContain("trace_id");
      await new Promise((r) => setTimeout(r, 1000));
      expect(receiver.requests).toHaveLength(0);
      // The loader's log names each file it loads: nothing of @vercel/otel or of OpenTelemetry's SDK, exporters or
      // instrumentation. Only the no-op API (@opentelemetry/api) appears: Next.js's own tracer requires it whenever
      // it is installed (next/dist/server/lib/trace/tracer.js), and without a registered provider it records nothing.
      const loaded = [...app.logs().matchAll(/load "([^"]+)"/g)].map((m) => m[1]);
      expect(loaded.length).toBeGreaterThan(100);
      expect(loaded.filter((f) => /node_modules\/(@opentelemetry\/(?!api\/)|@vercel\/otel\/)/.test(f))).toEqual([]);
    } finally {
      await app.stop();
      await receiver.stop();
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { startCaptureServer, type CaptureServer } from "@/tests/helpers/capture-server";
import { events } from "./events";
import { registry, resetMetricsForTests } from "./metrics";
import { MemorySink, NoopSink, PostHogSink, getSink, setSinkForTests, toPostHogMessage } from "./sink";

async function outcome(result: string): Promise<number> {
  const m = await registry().getSingleMetric("tandem_analytics_events_total")!.get();
  return m.values.find((v) => v.labels.result === result)?.value ?? 0;
}

const signup = (i = 0) => events.signup({ userId: `u${i}`, email: `Ada${i}@Example.com`, signupSource: '{"ref":"x"}', authMethod: "email_code" });

describe("envelope (TELEMETRY.md §2)", () => {
  it("stamps schema version, environment, is_demo, workspace_id and user_id; email only in $set_once", () => {
    const m = toPostHogMessage(signup(), "staging", Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(m).toMatchObject({ event: "signup", distinct_id: "u0", timestamp: "2026-01-02T03:04:05.000Z" });
    expect(m.properties).toMatchObject({ event_schema_version: 2, environment: "staging", is_demo: false, user_id: "u0", email_domain: "example.com", signup_source: '{"ref":"x"}' });
    expect(m.properties.$set_once).toEqual({ email: "Ada0@Example.com", signup_source: '{"ref":"x"}' });
    const { $set_once: _, ...rest } = m.properties;
    expect(JSON.stringify(rest)).not.toContain("Ada0@");
  });

  it("does not fill user_id from a synthetic distinct id, and carries workspace_id", () => {
    const ev = events.runtimeOffline({ workspaceId: "w1", runtimeId: "r1", daemonId: "d1", provider: "claude", runtimeMode: "local" });
    const m = toPostHogMessage(ev, "dev");
    expect(m.distinct_id).toBe("workspace:w1");
    expect(m.properties.user_id).toBeUndefined();
    expect(m.properties.workspace_id).toBe("w1");
  });

  it("feedback never carries the message text", () => {
    const ev = events.feedbackSubmitted({ userId: "u", kind: "", message: "secret words ![a](http://x/y.png)", platform: "web", appVersion: "" });
    const m = toPostHogMessage(ev, "dev");
    expect(JSON.stringify(m)).not.toContain("secret words");
    expect(m.properties).toMatchObject({ kind: "general", has_images: true, message_length_bucket: "0-100", platform: "web", source: "ops_feedback" });
    expect(m.properties.app_version).toBeUndefined();
  });
});

describe("PostHogSink", () => {
  let server: CaptureServer;
  const sinks: PostHogSink[] = [];
  const make = (o: Partial<ConstructorParameters<typeof PostHogSink>[0]> = {}) => {
    const s = new PostHogSink({ apiKey: "phc_test", host: server.url, environment: "dev", ...o });
    sinks.push(s);
    return s;
  };
  beforeEach(() => resetMetricsForTests());
  afterEach(async () => {
    // Long enough for a hanging batch to time out, so no late count lands in the next test's registry.
    for (const s of sinks.splice(0)) await s.shutdown(2000);
    await server?.stop();
  });

  it("batches to /batch/ with the api key and counts queued/sent", async () => {
    server = await startCaptureServer();
    const sink = make({ batchSize: 2 });
    sink.capture(signup(1));
    sink.capture(signup(2));
    sink.capture(signup(3));
    const got = await server.waitForBatchEvents(2);
    expect(got.map((e) => e.distinct_id)).toEqual(["u1", "u2"]);
    await sink.flush();
    const all = server.batchEvents();
    expect(all).toHaveLength(3);
    expect(all[2].properties).toMatchObject({ event_schema_version: 2, environment: "dev", is_demo: false, user_id: "u3" });
    const first = server.requests.find((r) => r.url.startsWith("/batch"))!;
    expect(first.method).toBe("POST");
    expect(await outcome("queued")).toBe(3);
    expect(await outcome("sent")).toBe(3);
    expect(await outcome("failed")).toBe(0);
  });

  it("sends a partial batch on the flush interval", async () => {
    server = await startCaptureServer();
    const sink = make({ batchSize: 64, flushIntervalMs: 50 });
    sink.capture(signup(1));
    await server.waitForBatchEvents(1, 2000);
  });

  it("against a hanging host: capture stays fast, the queue is bounded, drops and failures are counted", async () => {
    server = await startCaptureServer({ mode: "hang" });
    const sink = make({ queueSize: 20, batchSize: 5, timeoutMs: 200, flushIntervalMs: 60_000 });
    const started = performance.now();
    for (let i = 0; i < 1000; i++) sink.capture(signup(i));
    expect(performance.now() - started).toBeLessThan(200);
    expect(sink.pending).toBeLessThanOrEqual(20);
    expect(await outcome("dropped")).toBeGreaterThanOrEqual(980);
    await new Promise((r) => setTimeout(r, 700));
    expect(await outcome("failed")).toBeGreaterThanOrEqual(5);
    expect(await outcome("sent")).toBe(0);
    expect(server.connections()).toBeGreaterThan(0);
  });

  it("counts a non-2xx answer as failed, without retrying the batch", async () => {
    server = await startCaptureServer({ status: 500 });
    const sink = make({ batchSize: 3 });
    for (let i = 0; i < 3; i++) sink.capture(signup(i));
    await sink.flush();
    expect(await outcome("failed")).toBe(3);
    sink.capture(signup(9));
    await sink.flush();
    expect(await outcome("failed")).toBe(4);
    // Each batch was posted once: 3 events then 1, never the first three again.
    const sizes = server.requests.filter((r) => r.url.startsWith("/batch")).length;
    expect(sizes).toBe(2);
  });

  it("shutdown flushes what is queued, then drops later captures", async () => {
    server = await startCaptureServer();
    const sink = make({ batchSize: 64, flushIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) sink.capture(signup(i));
    await sink.shutdown(2000);
    expect(server.batchEvents()).toHaveLength(5);
    sink.capture(signup(6));
    expect(await outcome("dropped")).toBe(1);
  });
});

describe("getSink", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetConfigForTests();
    setSinkForTests(undefined);
  });

  it("is a no-op sink without a key or when disabled, PostHog otherwise", async () => {
    delete process.env.POSTHOG_API_KEY;
    resetConfigForTests();
    setSinkForTests(undefined);
    expect(getSink()).toBeInstanceOf(NoopSink);

    process.env.POSTHOG_API_KEY = "phc_x";
    process.env.ANALYTICS_DISABLED = "1";
    resetConfigForTests();
    setSinkForTests(undefined);
    expect(getSink()).toBeInstanceOf(NoopSink);

    process.env.ANALYTICS_DISABLED = "false";
    resetConfigForTests();
    setSinkForTests(undefined);
    const s = getSink();
    expect(s).toBeInstanceOf(PostHogSink);
    await s.shutdown(10);
  });

  it("a MemorySink installed for tests receives the events", () => {
    const mem = new MemorySink();
    setSinkForTests(mem);
    getSink().capture(signup());
    expect(mem.named("signup")).toHaveLength(1);
  });
});

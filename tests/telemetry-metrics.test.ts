/**
 * `/api/metrics` and `/api/config` (TELEMETRY.md §7), the exposure of every family, and the PostHog path through the
 * real API: a signup with a referrer cookie reaches a local capture server, and a hanging host costs nothing but
 * counted drops/failures.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as configGET } from "@/app/api/config/route";
import { GET as metricsGET } from "@/app/api/metrics/route";
import { GET as healthGET } from "@/app/api/health/route";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { analyticsOutbox } from "@/lib/db/schema";
import { recordEvent } from "@/lib/telemetry/record";
import { registry, resetMetricsForTests } from "@/lib/telemetry/metrics";
import { MemorySink, setSinkForTests, shutdownTelemetry } from "@/lib/telemetry/sink";
import { recordTaskEvent } from "@/lib/telemetry/tasks";
import { EVENT_CATALOG, type EventBuilder } from "@/lib/telemetry/events";
import { call, signIn, uniqueEmail } from "@/tests/helpers/api";
import { startCaptureServer, type CaptureServer } from "@/tests/helpers/capture-server";
import { SAMPLE_EVENTS, exerciseTypedRecorders } from "@/tests/helpers/telemetry-samples";

const TOKEN = "metrics-token-for-tests";
const saved = { ...process.env };

function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfigForTests();
}

const scrape = (headers: Record<string, string> = {}) =>
  call<string>(metricsGET, { path: "/api/metrics", headers: { authorization: `Bearer ${TOKEN}`, ...headers } });

/** The value of one sample line of the Prometheus text, or undefined when absent. */
function sample(text: string, line: string): number | undefined {
  const found = text.split("\n").find((l) => l.startsWith(line + " "));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

afterAll(() => {
  process.env = { ...saved };
  resetConfigForTests();
  setSinkForTests(undefined);
});

describe("GET /api/metrics", () => {
  beforeEach(() => setEnv({ METRICS_TOKEN: TOKEN }));

  it("404 while METRICS_TOKEN is unset", async () => {
    setEnv({ METRICS_TOKEN: undefined });
    expect((await scrape()).status).toBe(404);
  });

  it("401 with WWW-Authenticate for a missing, wrong or differently sized token", async () => {
    for (const authorization of [undefined, `Bearer wrong`, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
      const res = await call(metricsGET, { path: "/api/metrics", headers: authorization ? { authorization } : {} });
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("200 Prometheus text with the right token, never cached", async () => {
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toMatch(/^tandem_build_info\{version="[^"]*",commit="[^"]*"\} 1$/m);
    expect(res.body).toContain("process_resident_memory_bytes");
    for (const r of ["queued", "sent", "dropped", "failed"]) expect(res.body).toContain(`tandem_analytics_events_total{result="${r}"}`);
  });

  it("OpenMetrics when the scraper asks for it", async () => {
    const res = await scrape({ accept: "application/openmetrics-text; version=1.0.0,text/plain;q=0.5" });
    expect(res.headers.get("content-type")).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(res.body.trimEnd().endsWith("# EOF")).toBe(true);
    expect(res.body).toMatch(/^# TYPE tandem_signup counter$/m);
    expect(res.body).toMatch(/^tandem_agent_task_failed_total\{/m);
    // A Prometheus scrape afterwards still sees the counters under their full names.
    expect((await scrape()).body).toMatch(/^# TYPE tandem_signup_total counter$/m);
  });

  it("after recording every event once, every family has a sample", async () => {
    resetMetricsForTests();
    setSinkForTests(new MemorySink());
    for (const b of Object.keys(EVENT_CATALOG) as EventBuilder[]) {
      const ev = SAMPLE_EVENTS[b]();
      if (EVENT_CATALOG[b].task) recordTaskEvent(ev);
      else recordEvent(ev);
    }
    exerciseTypedRecorders();
    const { body } = await scrape();
    const families = registry()
      .getMetricsAsArray()
      .map((m) => (m as unknown as { name: string }).name)
      .filter((n) => n.startsWith("tandem_"));
    const spec = [
      "signup_total", "business_logins_total", "business_account_deletions_total", "workspace_created_total",
      "team_invite_sent_total", "team_invite_accepted_total", "onboarding_started_total",
      "onboarding_questionnaire_submitted_total", "onboarding_completed_total", "cloud_waitlist_joined_total",
      "feedback_submitted_total", "contact_sales_submitted_total", "issue_created_total", "chat_message_sent_total",
      "agent_created_total", "squad_created_total", "autopilot_created_total", "issue_executed_total",
      "runtime_registered_total", "runtime_ready_total", "runtime_ready_seconds", "runtime_failed_total",
      "runtime_offline_total", "autopilot_run_started_total", "autopilot_run_terminal_total", "autopilot_run_skipped_total",
      "webhook_delivery_total", "github_event_received_total", "github_pr_review_total", "github_pr_merge_seconds",
      "cloudruntime_request_total", "cloudruntime_request_duration_seconds", "daemon_message_received_total",
      "business_orders_total", "business_revenue_cents_total", "agent_task_enqueued_total", "agent_task_dispatched_total",
      "agent_task_queue_wait_seconds", "agent_task_started_total", "agent_task_terminal_total", "agent_task_run_seconds",
      "agent_task_total_seconds", "agent_task_iteration_count", "agent_task_failed_total", "llm_tokens_total",
      "llm_cost_usd_total", "llm_unpriced_tokens_total", "llm_request_total", "task_queued_expired_total",
      "task_lease_expired_total", "http_requests_total", "http_request_duration_seconds", "analytics_events_total", "build_info",
    ].map((n) => `tandem_${n}`);
    expect(families).toEqual(expect.arrayContaining(spec));
    // The sampler's scrape-time gauges (§6) need a database and are tested with the sampler.
    const missing = spec.filter((f) => !new RegExp(`^${f}(_bucket|_sum|_count)?(\\{| )`, "m").test(body));
    expect(missing).toEqual([]);
    setSinkForTests(undefined);
  });

  it("never exposes a raw path, id, token or email", async () => {
    resetMetricsForTests();
    const sink = new MemorySink();
    setSinkForTests(sink);
    const email = uniqueEmail("metrics-leak", "leak.example");
    const session = await signIn(email);
    const secretId = "0d7c1a2e-9f4b-4c55-8a61-5ec2e7ab0001";
    const { GET: invitationGET } = await import("@/app/api/invitations/[id]/route");
    await call(invitationGET, { path: `/api/invitations/${secretId}?token=secret-query-token`, params: { id: secretId }, session });
    await call(healthGET, { path: "/api/health?email=" + encodeURIComponent(email) });
    const { body } = await scrape();
    expect(body).toContain('route="/api/invitations/[id]"');
    for (const leak of [secretId, "secret-query-token", email, "leak.example", session.user.id]) expect(body).not.toContain(leak);
    expect(body).not.toMatch(/route="[^"]*\?/);
    setSinkForTests(undefined);
  });
});

describe("GET /api/config", () => {
  afterEach(() => setEnv({ POSTHOG_API_KEY: undefined, POSTHOG_HOST: undefined, ANALYTICS_DISABLED: "true", ANALYTICS_ENVIRONMENT: undefined }));

  it("empty analytics fields without a key or when disabled; default host only with a key; re-read per request", async () => {
    setEnv({ POSTHOG_API_KEY: undefined, POSTHOG_HOST: "https://eu.i.posthog.com", ANALYTICS_DISABLED: undefined });
    let res = await call(configGET, { path: "/api/config" });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toMatchObject({ posthog_key: "", posthog_host: "", analytics_environment: "" });
    expect(typeof res.body.allow_signup).toBe("boolean");

    process.env.POSTHOG_API_KEY = "phc_live";
    process.env.ANALYTICS_ENVIRONMENT = "prod";
    delete process.env.POSTHOG_HOST;
    res = await call(configGET, { path: "/api/config" });
    expect(res.body).toMatchObject({ posthog_key: "phc_live", posthog_host: "https://us.i.posthog.com", analytics_environment: "production" });

    for (const disabled of ["true", "1"]) {
      process.env.ANALYTICS_DISABLED = disabled;
      res = await call(configGET, { path: "/api/config" });
      expect(res.body).toMatchObject({ posthog_key: "", posthog_host: "", analytics_environment: "" });
    }
  });
});

describe("PostHog through the API", () => {
  let capture: CaptureServer;
  beforeAll(async () => {
    capture = await startCaptureServer();
  });
  afterAll(async () => {
    await shutdownTelemetry(1000);
    setSinkForTests(undefined);
    await capture.stop();
  });

  it("a signup with a referrer cookie reaches the capture server with the raw source and counts as hacker_news", async () => {
    setEnv({ POSTHOG_API_KEY: "phc_int", POSTHOG_HOST: capture.url, ANALYTICS_DISABLED: "false", ANALYTICS_ENVIRONMENT: "staging", METRICS_TOKEN: TOKEN });
    setSinkForTests(undefined);
    resetMetricsForTests();
    const raw = '{"referrer_origin":"https://news.ycombinator.com"}';
    const email = uniqueEmail("hn");
    const session = await signIn(email, { cookie: `tandem_signup_source=${encodeURIComponent(raw)}` });
    expect(session.isNew).toBe(true);
    await shutdownTelemetry(5000);
    const signup = capture.batchEvents().find((e) => e.event === "signup");
    expect(signup).toBeDefined();
    expect(signup!.distinct_id).toBe(session.user.id);
    expect(signup!.properties).toMatchObject({ signup_source: raw, email_domain: "example.com", auth_method: "email_code", event_schema_version: 2, environment: "staging", is_demo: false, user_id: session.user.id });
    expect(signup!.properties.$set_once).toMatchObject({ email, signup_source: raw });
    expect(JSON.stringify({ ...signup!.properties, $set_once: undefined })).not.toContain(email);
    expect(capture.batchEvents().some((e) => e.event === "login")).toBe(false);
    const { body } = await scrape();
    expect(sample(body, 'tandem_signup_total{signup_source="hacker_news"}')).toBe(1);
    expect(sample(body, 'tandem_business_logins_total{outcome="success"}')).toBe(1);
    expect(sample(body, 'tandem_analytics_events_total{result="sent"}')).toBeGreaterThanOrEqual(1);
  });

  it("with a hanging host, requests still succeed, failures are counted, and nothing is dropped: the outbox keeps it", async () => {
    const hanging = await startCaptureServer({ mode: "hang" });
    try {
      setEnv({ POSTHOG_API_KEY: "phc_int", POSTHOG_HOST: hanging.url, ANALYTICS_DISABLED: "false", METRICS_TOKEN: TOKEN, ANALYTICS_RELAY_TIMEOUT_MS: "2000" });
      setSinkForTests(undefined);
      resetMetricsForTests();
      const db = await getDb();
      await db.delete(analyticsOutbox);
      const started = performance.now();
      for (let i = 0; i < 3; i++) await signIn(uniqueEmail("hang"));
      // Sign-ins do not wait for PostHog: three of them take far less than one request timeout (~0.2 s here).
      expect(performance.now() - started).toBeLessThan(2000);
      await Promise.all(Array.from({ length: 1100 }, () => recordEvent(SAMPLE_EVENTS.workspaceCreated())));
      await shutdownTelemetry(3000);
      const { body } = await scrape();
      expect(sample(body, 'tandem_analytics_events_total{result="queued"}')).toBe(1103);
      expect(sample(body, 'tandem_analytics_events_total{result="failed"}')).toBeGreaterThan(0);
      expect(sample(body, 'tandem_analytics_events_total{result="retried"}')).toBe(sample(body, 'tandem_analytics_events_total{result="failed"}'));
      expect(sample(body, 'tandem_analytics_events_total{result="sent"}')).toBe(0);
      expect(sample(body, 'tandem_analytics_events_total{result="dropped"}')).toBe(0);
      expect(hanging.connections()).toBeGreaterThan(0);
      // Everything waits in the outbox for the next process.
      expect((await db.select().from(analyticsOutbox)).length).toBe(1103);
    } finally {
      setSinkForTests(undefined);
      await hanging.stop();
    }
  });
});

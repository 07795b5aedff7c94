/**
 * Server telemetry on the production server (issue 3, "Done when"): a signup through the API with a referrer
 * cookie is counted as hacker_news on /api/metrics, and on SIGTERM the still-queued PostHog event is flushed to
 * the capture server before the process exits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCaptureServer, type CaptureServer } from "@/tests/helpers/capture-server";
import { startApp, type App } from "./support/app";
import { scrapeMetrics } from "./support/flows";

const TOKEN = "e2e-metrics-token";

async function post(app: App, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${app.baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: app.baseUrl, ...headers },
    body: JSON.stringify(body),
  });
}

const sample = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe("server telemetry (production server)", () => {
  let capture: CaptureServer;
  let app: App | undefined;
  beforeAll(async () => {
    capture = await startCaptureServer();
    app = await startApp({ env: { POSTHOG_API_KEY: "phc_e2e", POSTHOG_HOST: capture.url, METRICS_TOKEN: TOKEN, ANALYTICS_ENVIRONMENT: "staging" } });
  });
  afterAll(async () => {
    await app?.stop();
    await capture?.stop();
  });

  it("signup via the API is counted by source, and SIGTERM flushes the queued event before exit", async () => {
    const raw = '{"referrer_origin":"https://news.ycombinator.com"}';
    const cookie = `tandem_signup_source=${encodeURIComponent(raw)}`;
    const email = `hn-${Date.now()}@example.com`;
    expect((await post(app!, "/api/auth/send-code", { email }, { cookie })).status).toBe(200);
    const code = await app!.codeFor(email);
    const verified = await post(app!, "/api/auth/verify-code", { email, code }, { cookie });
    expect(verified.status).toBe(200);
    const { user } = (await verified.json()) as { user: { id: string } };

    const text = await scrapeMetrics(app!, TOKEN);
    expect(sample(text, 'tandem_signup_total{signup_source="hacker_news"}')).toBe(1);
    // Still queued: one event is far from a 64-event batch and the 10 s timer has not fired.
    expect(sample(text, 'tandem_analytics_events_total{result="queued"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tandem_analytics_events_total{result="sent"}')).toBe(0);
    expect(capture.batchEvents().some((e) => e.event === "signup")).toBe(false);

    expect(await app!.stop("SIGTERM")).toBe(0);
    app = undefined;
    const signup = capture.batchEvents().find((e) => e.event === "signup");
    expect(signup, "signup flushed on SIGTERM").toBeDefined();
    expect(signup!.distinct_id).toBe(user.id);
    expect(signup!.properties).toMatchObject({ signup_source: raw, auth_method: "email_code", environment: "staging", event_schema_version: 2 });
  });
});

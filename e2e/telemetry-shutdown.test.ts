/**
 * Server telemetry on the production server (issue 3, "Done when"; issue 12): a signup through the API with a
 * referrer cookie is counted as hacker_news on /api/metrics; while PostHog answers 503 its event waits in the
 * outbox (the relay backs off), and on SIGTERM it is sent to the recovered host, once, before the process exits 0.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCaptureServer, type CaptureServer } from "@/tests/helpers/capture-server";
import { startApp, waitFor, type App } from "./support/app";
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
    capture = await startCaptureServer({ status: 503 });
    app = await startApp({
      env: {
        POSTHOG_API_KEY: "phc_e2e",
        POSTHOG_HOST: capture.url,
        METRICS_TOKEN: TOKEN,
        ANALYTICS_ENVIRONMENT: "staging",
        // One failed attempt, then a long backoff: the event is still pending when SIGTERM comes.
        ANALYTICS_RELAY_BACKOFF_MIN_MS: "600000",
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await capture?.stop();
  });

  it("signup via the API is counted by source, waits in the outbox while PostHog fails, and SIGTERM sends it before exit", async () => {
    const raw = '{"referrer_origin":"https://news.ycombinator.com"}';
    const cookie = `tandem_signup_source=${encodeURIComponent(raw)}`;
    const email = `hn-${Date.now()}@example.com`;
    expect((await post(app!, "/api/auth/send-code", { email }, { cookie })).status).toBe(200);
    const code = await app!.codeFor(email);
    const verified = await post(app!, "/api/auth/verify-code", { email, code }, { cookie });
    expect(verified.status).toBe(200);
    const { user } = (await verified.json()) as { user: { id: string } };

    expect(sample(await scrapeMetrics(app!, TOKEN), 'tandem_signup_total{signup_source="hacker_news"}')).toBe(1);
    // The relay was woken by the commit and failed once against the 503; the event waits in the outbox.
    const text = await waitFor(async () => {
      const t = await scrapeMetrics(app!, TOKEN);
      return (sample(t, 'tandem_analytics_events_total{result="retried"}') ?? 0) >= 1 ? t : undefined;
    }, 10_000, "a failed attempt");
    expect(sample(text, 'tandem_analytics_events_total{result="queued"}')).toBe(1);
    expect(sample(text, 'tandem_analytics_events_total{result="sent"}')).toBe(0);
    expect(sample(text, 'tandem_analytics_events_total{result="dropped"}')).toBe(0);
    expect(capture.acceptedEvents()).toEqual([]);

    capture.set({ status: 200 });
    expect(await app!.stop("SIGTERM")).toBe(0);
    app = undefined;
    const sent = capture.acceptedEvents().filter((e) => e.event === "signup");
    expect(sent, "signup sent once on SIGTERM").toHaveLength(1);
    const signup = sent[0];
    expect(signup!.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(signup!.distinct_id).toBe(user.id);
    expect(signup!.properties).toMatchObject({ signup_source: raw, auth_method: "email_code", environment: "staging", event_schema_version: 2 });
  });
});

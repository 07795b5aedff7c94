/**
 * TELEMETRY.md §5: whatever arrives, every family's series stay within its allow-lists. 10,000 requests and
 * 10,000 events with random header, cookie, kind and property values; then every label value of every series is
 * checked against its allow-list.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as configGET } from "@/app/api/config/route";
import { POST as feedbackPOST } from "@/app/api/feedback/route";
import { resetConfigForTests } from "@/lib/config";
import { EVENT_CATALOG, type AnalyticsEvent, type EventBuilder } from "@/lib/telemetry/events";
import * as L from "@/lib/telemetry/labels";
import { registry, resetMetricsForTests } from "@/lib/telemetry/metrics";
import { recordEvent } from "@/lib/telemetry/record";
import { MemorySink, setSinkForTests } from "@/lib/telemetry/sink";
import { recordTaskEvent } from "@/lib/telemetry/tasks";
import { call, signIn, uniqueEmail } from "@/tests/helpers/api";
import { labelOffences } from "@/tests/helpers/label-bounds";
import { driveIntegrations } from "@/tests/helpers/integrations-traffic";
import { SAMPLE_EVENTS } from "@/tests/helpers/telemetry-samples";

let seed = 42;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};
const pick = <T>(xs: readonly T[]) => xs[rand(xs.length)];

/** Known values, near misses and hostile strings. */
function randomValue(known: readonly string[] = []): string {
  switch (rand(9)) {
    case 0:
      return known.length ? pick(known) : "web";
    case 1:
      return randomBytes(1 + rand(24)).toString("hex");
    case 2:
      return "x".repeat(rand(5000));
    case 3:
      return pick(["ＷＥＢ", "Dësktop", "🦄🦄", "\u202Eweb", "Ｃｌａｕｄｅ"]) + rand(1000);
    case 4:
      return JSON.stringify({ utm_source: randomBytes(4).toString("hex"), referrer_origin: `https://${randomBytes(3).toString("hex")}.com` });
    case 5:
      return `https://${randomBytes(4).toString("hex")}.example/${rand(1e6)}?q=${rand(1e6)}`;
    case 6:
      return (known.length ? pick(known) : "web").toUpperCase() + " ";
    case 7:
      return `${pick(known.length ? known : ["a"])}-${rand(1e6)}`;
    default:
      return "";
  }
}

/** Headers carry bytes: UTF-8 text arrives as its Latin-1 reading, as Node's HTTP parser would deliver it. */
const headerValue = (known: readonly string[] = []) => Buffer.from(randomValue(known), "utf8").toString("latin1");

function mutate(ev: AnalyticsEvent): AnalyticsEvent {
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ev.properties)) properties[k] = typeof v === "string" ? randomValue([v]) : typeof v === "boolean" ? rand(2) === 0 : v;
  if (typeof ev.properties.ready_duration_ms === "number") properties.ready_duration_ms = rand(10_000_000);
  const task = ev.task && {
    ...ev.task,
    source: randomValue(L.TASK_SOURCES),
    runtimeMode: randomValue(L.RUNTIME_MODES),
    provider: randomValue(L.RUNTIME_PROVIDERS),
    failureReason: randomValue(L.FAILURE_REASONS),
  };
  return { ...ev, properties, task };
}

const saved = { ...process.env };
beforeAll(() => {
  process.env.RATE_LIMIT_FEEDBACK = "1000000";
  process.env.RATE_LIMIT_SEND_CODE_IP = "1000000";
  resetConfigForTests();
  resetMetricsForTests();
  setSinkForTests(new MemorySink());
});
afterAll(() => {
  process.env = { ...saved };
  resetConfigForTests();
  setSinkForTests(undefined);
});

describe("label cardinality", () => {
  it("10,000 random requests and events leave every family within its allow-lists", { timeout: 180_000 }, async () => {
    // Real requests: random platform headers on a cheap route, and signups / feedback with random cookie, kind and platform.
    for (let i = 0; i < 10_000; i++) {
      await call(configGET, { path: `/api/config?i=${i}&email=x${i}@leak.example`, headers: { "x-client-platform": headerValue(L.PLATFORMS) } });
    }
    for (let i = 0; i < 20; i++) {
      const cookie = `tandem_signup_source=${encodeURIComponent(randomValue(['{"ref":"github"}']))}`;
      const session = await signIn(uniqueEmail("card"), { cookie, "x-client-platform": headerValue(L.PLATFORMS) });
      for (let j = 0; j < 5; j++) {
        await call(feedbackPOST, {
          path: "/api/feedback",
          session,
          body: { message: randomValue(), kind: randomValue(L.FEEDBACK_KINDS) },
          headers: { "x-client-platform": headerValue(L.PLATFORMS), "x-client-version": headerValue() },
        });
      }
    }
    // The integrations (Stripe, fleet proxies, webhooks) with random event types, currencies, paths and headers.
    await driveIntegrations(randomValue, headerValue);
    // Every event, 10,000 times over, with every string property (and task label) randomised.
    const builders = Object.keys(EVENT_CATALOG) as EventBuilder[];
    for (let i = 0; i < 10_000; i++) {
      const b = builders[i % builders.length];
      const ev = mutate(SAMPLE_EVENTS[b]());
      if (EVENT_CATALOG[b].task) recordTaskEvent(ev);
      else recordEvent(ev);
    }

    const { offences, series } = labelOffences(await registry().getMetricsAsJSON());
    expect(offences.slice(0, 20)).toEqual([]);
    expect(series).toBeGreaterThan(0);
    const signups = (await registry().getSingleMetric("tandem_signup_total")!.get()).values;
    expect(signups.length).toBeGreaterThan(0);
    expect(signups.length).toBeLessThanOrEqual(L.SIGNUP_SOURCES.length);
    const feedback = (await registry().getSingleMetric("tandem_feedback_submitted_total")!.get()).values;
    expect(feedback.reduce((s, v) => s + v.value, 0)).toBeGreaterThan(0);
  });
});

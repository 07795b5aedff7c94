/**
 * Issue 12, on the production server: SIGKILL in the middle of a steady load of event-producing requests, then
 * start again on the same data: every committed feedback row has exactly one `feedback_submitted` at the capture
 * stand-in (counted by uuid), whatever the kill interrupted; nothing is left in the outbox.
 */
import { PGlite } from "@electric-sql/pglite";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startCaptureServer, type CaptureServer } from "@/tests/helpers/capture-server";
import { startApp, waitFor, type App } from "./support/app";
import { scrapeMetrics } from "./support/flows";

const TOKEN = "e2e-outbox-token";

const sample = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};
/** Sum over every label set of a family. */
const total = (text: string, family: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith(family + "{") || l.startsWith(family + " "))
    .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);

async function post(app: App, p: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${app.baseUrl}${p}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: app.baseUrl, ...headers },
    body: JSON.stringify(body),
  });
}

async function signIn(app: App, email: string): Promise<{ cookie: string; userId: string }> {
  expect((await post(app, "/api/auth/send-code", { email })).status).toBe(200);
  const res = await post(app, "/api/auth/verify-code", { email, code: await app.codeFor(email) });
  expect(res.status).toBe(200);
  return { cookie: res.headers.get("set-cookie")!.split(";")[0]!, userId: ((await res.json()) as { user: { id: string } }).user.id };
}

describe("analytics outbox under SIGKILL (production server)", () => {
  let capture: CaptureServer;
  let app: App | undefined;
  afterAll(async () => {
    await app?.stop("SIGKILL");
    await capture?.stop();
  });

  it("every committed row has exactly one event at PostHog after a kill and a restart", async () => {
    capture = await startCaptureServer({ keepBodies: false });
    const env = {
      POSTHOG_API_KEY: "phc_e2e",
      POSTHOG_HOST: capture.url,
      METRICS_TOKEN: TOKEN,
      RATE_LIMIT_FEEDBACK: "1000000",
      // A killed node's claimed rows come back after their lease: keep it short for the test.
      ANALYTICS_RELAY_TIMEOUT_MS: "1000",
    };
    app = await startApp({ env });
    const dataDir = app.dataDir;
    const { cookie, userId } = await signIn(app, `crash-${Date.now()}@example.com`);

    // Steady load: 4 clients posting feedback back to back; SIGKILL mid-flight.
    let ok = 0;
    let errors = 0;
    let stop = false;
    const client = async (c: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await post(app!, "/api/feedback", { message: `load ${c}-${i}`, kind: "general" }, { cookie });
          if (res.status === 201) ok++;
          else errors++;
        } catch {
          errors++;
        }
      }
    };
    const clients = Promise.all([0, 1, 2, 3].map(client));
    let lastScrape = "";
    const scraper = (async () => {
      while (!stop) {
        lastScrape = await scrapeMetrics(app!, TOKEN).catch(() => lastScrape);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    // Kill once the load is steady (well into it), wherever the requests and the relay happen to be.
    await waitFor(() => (ok >= 80 ? true : undefined), 60_000, "a steady load");
    await app.stop("SIGKILL");
    stop = true;
    await Promise.all([clients, scraper]);
    const oldCounted = total(lastScrape, "tandem_feedback_submitted_total");
    expect(ok).toBeGreaterThanOrEqual(80);

    // Start again on the same data: the new relay sends what the dead one left (its claimed rows after the lease).
    app = await startApp({ env, dataDir });
    const restarted = Date.now();
    await waitFor(
      async () => {
        const m = await scrapeMetrics(app!, TOKEN);
        // Leases last 2 × timeout + 5 s = 7 s and the gauge is refreshed every 5 s: only a reading after both counts.
        return Date.now() - restarted > 13_000 && sample(m, "tandem_analytics_outbox_backlog") === 0 ? true : undefined;
      },
      60_000,
      "the backlog to drain",
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await app.stop("SIGTERM")).toBe(0);
    app = undefined;

    const db = await PGlite.create(path.resolve(dataDir, "pglite"));
    const rows = Number((await db.query<{ n: number }>("select count(*)::int as n from feedback where user_id = $1", [userId])).rows[0]!.n);
    const left = Number((await db.query<{ n: number }>("select count(*)::int as n from analytics_outbox")).rows[0]!.n);
    await db.close();

    const events = capture.acceptedEvents().filter((e) => e.event === "feedback_submitted" && e.distinct_id === userId);
    const uuids = new Set(events.map((e) => e.uuid));
    console.log(
      `crash: ${ok} answered 201, ${errors} failed at the kill, ${rows} rows committed; ${uuids.size} distinct events delivered ` +
        `(${events.length} deliveries); old process counted ${oldCounted} at its last scrape`,
    );
    expect(rows).toBeGreaterThanOrEqual(ok);
    // Exactly one event per committed row, by uuid. A batch the stand-in accepted just before the kill, whose rows
    // the dead process never deleted, is sent again by the next one: the same uuid, timestamp and properties, which
    // PostHog deduplicates (at most the batches in flight at the kill).
    expect(uuids.size).toBe(rows);
    const first = new Map<string, string>();
    for (const e of events) {
      const json = JSON.stringify(e);
      expect(first.get(e.uuid!) ?? json).toBe(json);
      first.set(e.uuid!, json);
    }
    expect(events.length - rows).toBeLessThanOrEqual(500);
    expect(left).toBe(0);
    expect(oldCounted).toBeLessThanOrEqual(rows);
  });
});

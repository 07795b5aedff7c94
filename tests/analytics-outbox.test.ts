/**
 * Issue 12: the transactional analytics outbox and its relay, on the real database (PostgreSQL or PGlite) against
 * the capture stand-in. Backoff settings are compressed (tens of milliseconds) so an "outage" takes a second.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { count, eq, sql } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { analyticsOutbox, feedback, users } from "@/lib/db/schema";
import { events, recordEvent, withEvents } from "@/lib/telemetry";
import { resetMetricsForTests } from "@/lib/telemetry/metrics";
import { OutboxRelay, rowsOf, type RelayOptions } from "@/lib/telemetry/relay";
import { NoopSink, OutboxSink, setSinkForTests } from "@/lib/telemetry/sink";
import { getUser } from "@/lib/auth";
import { deleteAccount } from "@/lib/workspaces";
import { startCaptureServer, type CaptureServer } from "./helpers/capture-server";
import { signIn } from "./helpers/api";
import { metricValue } from "./helpers/telemetry";

// The request timeout is far above an answer's time: a paused test process must not turn a delivered batch into a resend.
const FAST: Partial<RelayOptions> = { batchSize: 100, timeoutMs: 2000, backoffMinMs: 20, backoffMaxMs: 120, pollMs: 50, maintainMs: 60_000 };

let userId: string;
let capture: CaptureServer;
const sinks: OutboxSink[] = [];
const relays: OutboxRelay[] = [];

function outboxSink(o: Partial<RelayOptions> = {}): OutboxSink {
  const s = new OutboxSink("staging", { apiKey: "phc_outbox", ...FAST, ...o, host: o.host ?? capture.url });
  sinks.push(s);
  setSinkForTests(s);
  return s;
}

async function outboxRows(): Promise<number> {
  const [r] = await (await getDb()).select({ n: count() }).from(analyticsOutbox);
  return r!.n;
}

/** A domain change with its event, the way domain code does it. */
async function submit(i: number): Promise<void> {
  await withEvents(await getDb(), async (tx) => {
    await tx.insert(feedback).values({ userId, message: `m${i}`, kind: "general", metadata: {} });
    recordEvent(events.feedbackSubmitted({ userId, kind: "general", message: `m${i}`, platform: "web", appVersion: "" }), tx);
  });
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Delivered events by uuid: every uuid once, and how many. */
function deliveredOnce(c: CaptureServer, name = "feedback_submitted") {
  const got = c.acceptedEvents().filter((e) => e.event === name);
  const byUuid = new Map<string, number>();
  for (const e of got) byUuid.set(e.uuid!, (byUuid.get(e.uuid!) ?? 0) + 1);
  const dup = [...byUuid.values()].filter((n) => n > 1).length;
  return { distinct: byUuid.size, total: got.length, dup };
}

const outcome = (result: string) => metricValue("tandem_analytics_events_total", { result });

beforeAll(async () => {
  setSinkForTests(new NoopSink());
  userId = (await signIn()).user.id;
});

beforeEach(async () => {
  resetMetricsForTests();
  await (await getDb()).delete(analyticsOutbox);
});

afterEach(async () => {
  for (const r of relays.splice(0)) await r.stop(500);
  for (const s of sinks.splice(0)) await s.shutdown(500);
  setSinkForTests(undefined);
  await capture?.stop();
});

describe("analytics outbox", () => {
  it("a rolled-back transaction emits nothing: no row, no counter, no event", async () => {
    capture = await startCaptureServer();
    const sink = outboxSink();
    sink.relay.start();
    const db = await getDb();
    await expect(
      withEvents(db, async (tx) => {
        await tx.insert(feedback).values({ userId, message: "rolled back", kind: "general", metadata: {} });
        recordEvent(events.feedbackSubmitted({ userId, kind: "general", message: "x", platform: "web", appVersion: "" }), tx);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await sink.flush();
    expect(await outboxRows()).toBe(0);
    expect(await metricValue("tandem_feedback_submitted_total", { kind: "general", platform: "web" })).toBe(0);
    expect(await outcome("queued")).toBe(0);
    expect(capture.batchRequests()).toBe(0);
    expect((await db.select().from(feedback).where(eq(feedback.message, "rolled back"))).length).toBe(0);
  });

  it("a committed event: its row is written with the change, counters move after commit, delivered once with uuid and commit time", async () => {
    capture = await startCaptureServer();
    const sink = outboxSink();
    const db = await getDb();
    let inside = -1;
    const before = Date.now();
    await withEvents(db, async (tx) => {
      await tx.insert(feedback).values({ userId, message: "committed", kind: "bug", metadata: {} });
      recordEvent(events.feedbackSubmitted({ userId, kind: "bug", message: "x", platform: "web", appVersion: "" }), tx);
      inside = await metricValue("tandem_feedback_submitted_total", { kind: "bug", platform: "web" });
    });
    expect(inside).toBe(0);
    expect(await metricValue("tandem_feedback_submitted_total", { kind: "bug", platform: "web" })).toBe(1);
    const [row] = await db.select().from(analyticsOutbox);
    expect(row).toMatchObject({ event: "feedback_submitted", distinctId: userId, userId, attempts: 0, deadAt: null });
    // Drawn by the insert (gen_random_uuid), not on the request path: a v4 UUID.
    expect(row!.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await outcome("queued")).toBe(1);

    await sink.flush();
    const [ev] = capture.acceptedEvents();
    expect(ev).toMatchObject({ event: "feedback_submitted", distinct_id: userId, uuid: row!.uuid, timestamp: row!.createdAt.toISOString() });
    expect(Date.parse(ev!.timestamp!)).toBeGreaterThanOrEqual(before - 5);
    expect(ev!.properties).toMatchObject({ environment: "staging", event_schema_version: 2, user_id: userId, kind: "bug" });
    expect(capture.requests[0]!.url).toBe("/batch/");
    expect(JSON.parse(capture.requests[0]!.body.toString()).api_key).toBe("phc_outbox");
    expect(await outboxRows()).toBe(0);
    expect(await outcome("sent")).toBe(1);
  });

  it("an outbox row the database refuses undoes the change it came with: the caller gets the error, nothing commits", async () => {
    // On PostgreSQL the row is sent with the COMMIT (issue 15): a refused row turns that COMMIT into a rollback,
    // which postgres.js resolves like a commit. jsonb refuses \u0000, so this event's row cannot be stored.
    capture = await startCaptureServer();
    outboxSink();
    const db = await getDb();
    const refused = events.contactSalesSubmitted({ inquiryId: userId, companySize: "1-10", countryRegion: "nul \u0000 here", useCase: "other", hasGoals: false, formSource: "page" });
    await expect(
      withEvents(db, async (tx) => {
        await tx.insert(feedback).values({ userId, message: "refused row", kind: "general", metadata: {} });
        recordEvent(refused, tx);
      }),
    ).rejects.toThrow(/insert into analytics_outbox/);
    expect((await db.select().from(feedback).where(eq(feedback.message, "refused row"))).length).toBe(0);
    expect(await outboxRows()).toBe(0);
    expect(await metricValue("tandem_contact_sales_submitted_total", { source: "page" })).toBe(0);
    expect(await outcome("queued")).toBe(0);
    // The connection went back to the pool clean: the next transaction commits with its row.
    await submit(1);
    expect(await outboxRows()).toBe(1);
  });

  it("what is recorded is what is stored and sent: quotes, backslashes and SQL in values, several rows at once", async () => {
    capture = await startCaptureServer();
    const sink = outboxSink();
    const db = await getDb();
    const hostile = [`O'Brien`, `back\\slash \\' and \\\\`, `'); delete from analytics_outbox; --`, `$$ E'x' $q$`, `"json" {} [] \\u0041`, `☃ 𝄞 \t\n`];
    await withEvents(db, async (tx) => {
      await tx.insert(feedback).values({ userId, message: "hostile values", kind: "general", metadata: {} });
      for (const [i, countryRegion] of hostile.entries())
        recordEvent(events.contactSalesSubmitted({ inquiryId: `inquiry-${i}'`, companySize: "1-10", countryRegion, useCase: "other", hasGoals: false, formSource: "page" }), tx);
    });
    const rows = await db.select().from(analyticsOutbox).orderBy(analyticsOutbox.id);
    expect(rows.map((r) => (r.properties as { country_region: string }).country_region)).toEqual(hostile);
    expect(rows.map((r) => r.distinctId)).toEqual(hostile.map((_, i) => `inquiry-${i}'`));
    await sink.flush();
    const sent = new Map(capture.acceptedEvents().map((e) => [e.distinct_id, e.properties.country_region]));
    expect(hostile.map((_, i) => sent.get(`inquiry-${i}'`))).toEqual(hostile);
  });

  it("a commit wakes the relay: delivered well under a second", async () => {
    capture = await startCaptureServer();
    const sink = outboxSink({ pollMs: 60_000 });
    sink.relay.start();
    await sink.flush();
    const t = Date.now();
    await submit(0);
    await until("delivery", () => capture.acceptedEvents().length === 1, 5000);
    expect(Date.now() - t).toBeLessThan(1000);
  });

  it("while commits keep coming the relay lingers longer: a few larger batches, not one per 100 ms", async () => {
    capture = await startCaptureServer();
    const sink = outboxSink({ pollMs: 60_000 });
    sink.relay.start();
    await sink.flush();
    const t = performance.now();
    for (let i = 0; i < 120; i++) {
      await submit(i);
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - t;
    await until("delivery", () => capture.acceptedEvents().length === 120, 5000);
    // A 100 ms linger throughout would make one request per ~100 ms of commits; the busy linger (500 ms) one per ~500 ms.
    console.log(`busy linger: 120 events over ${ms.toFixed(0)} ms in ${capture.batchRequests()} requests`);
    expect(capture.batchRequests()).toBeLessThanOrEqual(Math.ceil(ms / 300) + 2);
    expect(deliveredOnce(capture)).toEqual({ distinct: 120, total: 120, dup: 0 });
  });

  it("PostHog answers 503 for a while, then 200: nothing lost, nothing duplicated; recording latency unchanged", async () => {
    capture = await startCaptureServer();
    const sink = outboxSink();
    sink.relay.start();
    const timed = async (from: number, n: number) => {
      const lat: number[] = [];
      for (let i = from; i < from + n; i++) {
        const t = performance.now();
        await submit(i);
        lat.push(performance.now() - t);
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 10));
      }
      lat.sort((a, b) => a - b);
      return { p50: lat[n >> 1]!, p99: lat[Math.floor(n * 0.99)]! };
    };
    const healthy = await timed(0, 100);
    await until("healthy delivery", () => capture.acceptedEvents().length === 100);
    capture.set({ status: 503 });
    const N = 150;
    const outage = await timed(100, N);
    await until("retries", async () => (await outcome("retried")) >= N);
    expect(capture.acceptedEvents()).toHaveLength(100);
    expect(await outboxRows()).toBe(N);
    capture.set({ status: 200 });
    await until("drain", async () => (await outboxRows()) === 0);
    const d = deliveredOnce(capture);
    expect(d).toEqual({ distinct: 100 + N, total: 100 + N, dup: 0 });
    expect(await outcome("sent")).toBe(100 + N);
    expect(await outcome("dead_lettered")).toBe(0);
    const ms = (x: number) => `${x.toFixed(2)} ms`;
    console.log(`recording latency: healthy p50 ${ms(healthy.p50)} p99 ${ms(healthy.p99)}; during the 503 outage p50 ${ms(outage.p50)} p99 ${ms(outage.p99)}`);
    // Recording never waits on PostHog: the outage median stays within noise of the healthy one.
    expect(outage.p50).toBeLessThan(healthy.p50 * 3 + 5);
  });

  it("a hanging host: recording is unaffected, the backlog gauge rises, and it drains after recovery", async () => {
    capture = await startCaptureServer({ mode: "hang" });
    const sink = outboxSink({ timeoutMs: 200 });
    sink.relay.start();
    const N = 60;
    const t = performance.now();
    for (let i = 0; i < N; i++) await submit(i);
    const perEvent = (performance.now() - t) / N;
    await sink.relay.maintain();
    expect(await metricValue("tandem_analytics_outbox_backlog")).toBe(N);
    expect(await metricValue("tandem_analytics_outbox_oldest_pending_seconds")).toBeGreaterThanOrEqual(0);
    // Recording is a database write, never a wait on the host (200 ms timeout per request).
    expect(perEvent).toBeLessThan(100);
    capture.set({ mode: "answer" });
    await until("drain", async () => (await outboxRows()) === 0);
    await sink.relay.maintain();
    expect(await metricValue("tandem_analytics_outbox_backlog")).toBe(0);
    expect(deliveredOnce(capture)).toEqual({ distinct: N, total: N, dup: 0 });
  });

  it("an answer that arrived while the event loop was blocked past the request timeout counts: no cut, no resend", async () => {
    // A host that answers at once and then blocks this process for longer than the relay's timeout, so that when the
    // loop runs again the relay's timer and the answer are both due, the timer first.
    let posts = 0;
    const host = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        posts++;
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":1}');
        const until = performance.now() + 400;
        while (performance.now() < until); // blocks
      });
    });
    await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
    try {
      const sink = outboxSink({ host: `http://127.0.0.1:${(host.address() as AddressInfo).port}`, timeoutMs: 200 });
      await submit(1);
      await sink.flush();
      expect(posts).toBe(1);
      expect(await outboxRows()).toBe(0);
      expect(await outcome("sent")).toBe(1);
      expect(await outcome("failed")).toBe(0);
    } finally {
      host.closeAllConnections();
      await new Promise((r) => host.close(r));
    }
  });

  it("the outbox leaves half of each page free, so the relay's claim is an update in place (drizzle/0011)", async () => {
    const rows = await (await getDb()).execute(sql`select reloptions::text as opts from pg_class where relname = 'analytics_outbox'`);
    expect(rowsOf<{ opts: string }>(rows)[0]!.opts).toBe("{fillfactor=50}");
  });

  it("shutdown sends what is pending, rows waiting out a backoff included, within its deadline", async () => {
    capture = await startCaptureServer({ status: 503 });
    const sink = outboxSink({ backoffMinMs: 600_000, backoffMaxMs: 600_000 });
    sink.relay.start();
    await submit(1);
    await until("a failed attempt", async () => (await outcome("retried")) === 1);
    capture.set({ status: 200 });
    await sink.shutdown(2000);
    expect(deliveredOnce(capture)).toEqual({ distinct: 1, total: 1, dup: 0 });
    expect(await outboxRows()).toBe(0);
  });

  it("two relays on one outbox: each event delivered once", async () => {
    capture = await startCaptureServer();
    setSinkForTests(new OutboxSink("dev", { apiKey: "phc_outbox", host: capture.url, ...FAST }));
    const N = 1000;
    // Written first, so both relays find a backlog to split.
    for (let i = 0; i < N; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => submit(i + j)));
    for (let k = 0; k < 2; k++) {
      const r = new OutboxRelay({ apiKey: "phc_outbox", host: capture.url, ...FAST, batchSize: 20 });
      relays.push(r);
      r.start();
    }
    await until("drain", async () => (await outboxRows()) === 0, 30_000);
    expect(deliveredOnce(capture)).toEqual({ distinct: N, total: N, dup: 0 });
    expect(relays[0]!.sentCount + relays[1]!.sentCount).toBe(N);
    console.log(`two relays: ${relays[0]!.sentCount} + ${relays[1]!.sentCount}`);
  });

  it("a 4xx PostHog never accepts dead-letters only the refused event, counted; the rest are sent", async () => {
    capture = await startCaptureServer({ reject: (e) => e.properties.kind === "bug" });
    const sink = outboxSink();
    const db = await getDb();
    await withEvents(db, async (tx) => {
      for (const kind of ["general", "bug", "idea"] as const)
        recordEvent(events.feedbackSubmitted({ userId, kind, message: "x", platform: "web", appVersion: "" }), tx);
    });
    await sink.flush();
    const rows = await db.select().from(analyticsOutbox);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ lastStatus: 400, deadAt: expect.any(Date) });
    expect(capture.acceptedEvents().map((e) => e.properties.kind).sort()).toEqual(["general", "idea"]);
    expect(await outcome("dead_lettered")).toBe(1);
    expect(await outcome("sent")).toBe(2);
    // A dead letter is not retried.
    await sink.flush();
    expect(capture.acceptedEvents()).toHaveLength(2);
    await sink.relay.maintain();
    expect(await metricValue("tandem_analytics_outbox_dead_letters")).toBe(1);
    expect(await metricValue("tandem_analytics_outbox_backlog")).toBe(0);
  });

  it("the backlog cap drops the oldest rows beyond the row and age limits, and counts them", async () => {
    capture = await startCaptureServer({ mode: "hang" });
    const sink = outboxSink({ maxRows: 30, maxAgeMs: 3_600_000 });
    for (let i = 0; i < 40; i++) await submit(i);
    const db = await getDb();
    await sink.relay.maintain();
    const left = await db.select({ props: analyticsOutbox.properties }).from(analyticsOutbox);
    expect(left).toHaveLength(30);
    expect(await outcome("dropped")).toBe(10);
    // Age: rows older than the limit go too.
    await db.execute(sql`update analytics_outbox set created_at = now() - interval '2 hours' where id in (select id from analytics_outbox order by id limit 5)`);
    await sink.relay.maintain();
    expect(await outboxRows()).toBe(25);
    expect(await outcome("dropped")).toBe(15);
    expect(await metricValue("tandem_analytics_outbox_backlog")).toBe(25);
  });

  it("no key or ANALYTICS_DISABLED (no-op sink): counters move, nothing is written", async () => {
    setSinkForTests(new NoopSink());
    await submit(1);
    await recordEvent(events.cloudWaitlistJoined({ userId, hasReason: false }));
    expect(await outboxRows()).toBe(0);
    expect(await metricValue("tandem_feedback_submitted_total", { kind: "general", platform: "web" })).toBe(1);
  });

  it("an event without a transaction is written on its own; a tx not from withEvents is refused", async () => {
    capture = await startCaptureServer();
    outboxSink();
    await recordEvent(events.cloudWaitlistJoined({ userId, hasReason: true }));
    expect(await outboxRows()).toBe(1);
    const db = await getDb();
    await expect(
      db.transaction(async (tx) => recordEvent(events.cloudWaitlistJoined({ userId, hasReason: true }), tx)),
    ).rejects.toThrow(/withEvents/);
  });

  it("account erasure deletes the user's pending outbox rows (only account_deleted remains)", async () => {
    capture = await startCaptureServer({ mode: "hang" });
    outboxSink();
    const s = await signIn();
    await recordEvent(events.cloudWaitlistJoined({ userId: s.user.id, hasReason: false }));
    await submit(7); // another user's event stays
    const db = await getDb();
    const mine = async () => (await db.select().from(analyticsOutbox).where(eq(analyticsOutbox.userId, s.user.id))).map((r) => r.event);
    expect((await mine()).sort()).toEqual(["cloud_waitlist_joined", "signup"]);
    await deleteAccount(db, (await getUser(db, s.user.id))!, s.user.email);
    expect(await mine()).toEqual(["account_deleted"]);
    expect((await db.select().from(analyticsOutbox).where(eq(analyticsOutbox.userId, userId))).length).toBe(1);
    expect((await db.select().from(users).where(eq(users.id, s.user.id))).length).toBe(0);
  });
});

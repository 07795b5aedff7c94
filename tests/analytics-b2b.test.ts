/**
 * Issue 16, what PostHog receives (through the real outbox and relay, on the capture stand-in): workspace groups,
 * stitching an anonymous visitor to the server events their requests cause, consent honoured by the server, and
 * erasure reaching PostHog's persons API. With none of the new variables set, nothing of this appears.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PATCH as patchWorkspace } from "@/app/api/workspaces/[id]/route";
import { POST as createWorkspaceRoute } from "@/app/api/workspaces/route";
import { POST as contactSales } from "@/app/api/contact-sales/route";
import { PUT as putConsent } from "@/app/api/me/analytics-consent/route";
import { DELETE as deleteMe, GET as getMe } from "@/app/api/me/route";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { analyticsErasures, analyticsOutbox } from "@/lib/db/schema";
import { resetMetricsForTests } from "@/lib/telemetry/metrics";
import type { RelayOptions } from "@/lib/telemetry/relay";
import { NoopSink, OutboxSink, setSinkForTests } from "@/lib/telemetry/sink";
import { call, signIn, uniqueEmail } from "./helpers/api";
import { startCaptureServer, type CaptureServer, type CapturedEvent } from "./helpers/capture-server";
import { metricValue } from "./helpers/telemetry";

const FAST: Partial<RelayOptions> = { batchSize: 100, timeoutMs: 500, backoffMinMs: 20, backoffMaxMs: 100, pollMs: 50, maintainMs: 100 };
const ENV_KEYS = ["POSTHOG_GROUPS", "ANALYTICS_CONSENT", "POSTHOG_PERSONAL_API_KEY", "POSTHOG_PROJECT_ID", "POSTHOG_API_HOST", "RATE_LIMIT_CONTACT_SALES_IP", "RATE_LIMIT_CONTACT_SALES_EMAIL"];
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

let capture: CaptureServer;
let sink: OutboxSink | undefined;

/** Installs the production sink against the stand-in, with the relay options the configuration would give. */
function useOutbox(o: Partial<RelayOptions> = {}): OutboxSink {
  resetConfigForTests();
  sink = new OutboxSink("dev", { apiKey: "phc_b2b", host: capture.url, ...FAST, ...o });
  sink.relay.start();
  setSinkForTests(sink);
  return sink;
}

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const received = (name: string, pred: (e: CapturedEvent) => boolean = () => true) => capture.acceptedEvents().filter((e) => e.event === name && pred(e));

/** What posthog-js would send on our own API calls (a v7 uuid, as posthog-js mints them). */
const browser = { "x-posthog-distinct-id": "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "x-posthog-session-id": "0193a1b2-0000-7000-8000-000000000001" };

beforeAll(async () => {
  setSinkForTests(new NoopSink());
});
beforeEach(async () => {
  capture = await startCaptureServer();
  resetMetricsForTests();
  await (await getDb()).delete(analyticsOutbox);
});
afterEach(async () => {
  await sink?.shutdown(500);
  sink = undefined;
  setSinkForTests(new NoopSink());
  await capture.stop();
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  resetConfigForTests();
});

describe("workspace groups (POSTHOG_GROUPS)", () => {
  it("off by default: no $groups, no $groupidentify", async () => {
    useOutbox();
    const owner = await signIn();
    await call(createWorkspaceRoute, { path: "/api/workspaces", body: { name: "Plain Co" }, session: owner });
    const created = await until("workspace_created", () => received("workspace_created")[0]);
    expect(created.properties.$groups).toBeUndefined();
    await sink!.flush();
    expect(received("$groupidentify")).toEqual([]);
  });

  it("on: events of a workspace carry $groups; create and rename identify the group with non-personal properties", async () => {
    process.env.POSTHOG_GROUPS = "true";
    useOutbox();
    const owner = await signIn();
    const ws = (await call(createWorkspaceRoute, { path: "/api/workspaces", body: { name: "Group Co" }, session: owner })).body;
    const created = await until("workspace_created", () => received("workspace_created")[0]);
    expect(created.properties.$groups).toEqual({ workspace: ws.id });
    const identify = await until("$groupidentify", () => received("$groupidentify")[0]);
    expect(identify.properties).toMatchObject({ $group_type: "workspace", $group_key: ws.id, $group_set: { member_count_bucket: "1" } });
    expect(JSON.stringify(identify.properties.$group_set)).not.toContain("Group Co");

    const renamed = await call(patchWorkspace, { method: "PATCH", path: `/api/workspaces/${ws.id}`, params: { id: ws.id }, body: { name: "Group Co 2" }, session: owner });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("Group Co 2");
    await until("a second $groupidentify", () => received("$groupidentify").length === 2);
    const empty = await call(patchWorkspace, { method: "PATCH", path: `/api/workspaces/${ws.id}`, params: { id: ws.id }, body: {}, session: owner });
    expect(empty.status).toBe(400);
  });
});

describe("one identity: server events stitched to the browser", () => {
  it("signup carries the browser's session and aliases its anonymous id; so does contact sales, under the inquiry id", async () => {
    useOutbox();
    const s = await signIn(uniqueEmail("stitch"), browser);
    const signup = await until("signup", () => received("signup", (e) => e.distinct_id === s.user.id)[0]);
    expect(signup.properties.$session_id).toBe(browser["x-posthog-session-id"]);
    const alias = await until("$create_alias", () => received("$create_alias", (e) => e.distinct_id === s.user.id)[0]);
    expect(alias.properties).toMatchObject({ alias: browser["x-posthog-distinct-id"], user_id: s.user.id, event_schema_version: 2, environment: "dev", is_demo: false });
    // `queued` counts outbox rows, as `sent` does: the alias included.
    const outcome = (result: string) => metricValue("tandem_analytics_events_total", { result });
    await until("every queued row sent", async () => (await outcome("sent")) > 0 && (await outcome("sent")) === (await outcome("queued")));

    process.env.RATE_LIMIT_CONTACT_SALES_IP = "1000";
    process.env.RATE_LIMIT_CONTACT_SALES_EMAIL = "1000";
    resetConfigForTests();
    const form = {
      first_name: "Ada",
      last_name: "Lovelace",
      business_email: uniqueEmail("ada", "analytical.io"),
      company_name: "Analytical Engines",
      company_size: "51-200",
      country_region: "United Kingdom",
      use_case: "adopt_team",
      source: "page",
    };
    const res = await call(contactSales, { path: "/api/contact-sales", body: form, headers: browser });
    expect(res.status).toBe(201);
    const inquiry = await until("contact_sales_submitted", () => received("contact_sales_submitted")[0]);
    expect(inquiry.distinct_id).toBe(res.body.id); // TELEMETRY.md §3: distinct_id = inquiry id
    expect(inquiry.properties.$session_id).toBe(browser["x-posthog-session-id"]);
    const inquiryAlias = await until("the inquiry's $create_alias", () => received("$create_alias", (e) => e.distinct_id === res.body.id)[0]);
    expect(inquiryAlias.properties).toMatchObject({ alias: browser["x-posthog-distinct-id"], distinct_id: res.body.id, event_schema_version: 2, is_demo: false });
    // The visitor's person is processed: the inquiry id (its `user_id`, TELEMETRY.md §2) is no account, so the
    // consent check (which treats a missing account as erased) must not apply to it.
    expect(inquiry.properties.$process_person_profile).toBeUndefined();
  });

  it("never aliases an id shaped like an account id, and never stitches a visitor who refused", async () => {
    useOutbox();
    const forged = await signIn(uniqueEmail("forged"), { "x-posthog-distinct-id": "6c1f6a36-5ad6-4b5e-9d39-1f0a3d9f0c11" });
    const refused = await signIn(uniqueEmail("refused"), { ...browser, cookie: "tandem_analytics_consent=denied" });
    await until("both signups", () => received("signup", (e) => e.distinct_id === forged.user.id || e.distinct_id === refused.user.id).length === 2);
    await sink!.flush();
    expect(received("$create_alias")).toEqual([]);
    expect(received("signup", (e) => e.distinct_id === refused.user.id)[0]!.properties.$session_id).toBeUndefined();
  });
});

describe("consent honoured by the server", () => {
  it("a person who refused is not identified: no person properties, no person processing; counters still count", async () => {
    useOutbox();
    const s = await signIn();
    expect((await call(putConsent, { method: "PUT", path: "/api/me/analytics-consent", body: { choice: "denied" }, session: s })).body.analytics_consent).toBe("denied");
    const before = await metricValue("tandem_workspace_created_total", { source: "manual" });
    await call(createWorkspaceRoute, { path: "/api/workspaces", body: { name: "Quiet Co" }, session: s });
    const ev = await until("workspace_created", () => received("workspace_created", (e) => e.distinct_id === s.user.id)[0]);
    expect(ev.properties.$process_person_profile).toBe(false);
    expect(await metricValue("tandem_workspace_created_total", { source: "manual" })).toBe(before + 1);
    const bad = await call(putConsent, { method: "PUT", path: "/api/me/analytics-consent", body: { choice: "maybe" }, session: s });
    expect(bad.status).toBe(400);
  });

  it("ANALYTICS_CONSENT=required: nobody is profiled before agreeing; agreeing restores it", async () => {
    useOutbox({ consentRequired: true });
    const s = await signIn(uniqueEmail("pending"));
    const signup = await until("signup", () => received("signup", (e) => e.distinct_id === s.user.id)[0]);
    expect(signup.properties.$process_person_profile).toBe(false);
    expect(signup.properties.$set_once).toBeUndefined();

    await call(putConsent, { method: "PUT", path: "/api/me/analytics-consent", body: { choice: "granted" }, session: s });
    await call(createWorkspaceRoute, { path: "/api/workspaces", body: { name: "Loud Co" }, session: s });
    const ev = await until("workspace_created", () => received("workspace_created", (e) => e.distinct_id === s.user.id)[0]);
    expect(ev.properties.$process_person_profile).toBeUndefined();
  });

  it("a visitor who agreed before having an account signs up agreed: the account starts with the choice, the signup is identified", async () => {
    useOutbox({ consentRequired: true });
    const agreed = await signIn(uniqueEmail("agreed"), { ...browser, cookie: "tandem_analytics_consent=granted" });
    const refused = await signIn(uniqueEmail("declined"), { cookie: "tandem_analytics_consent=denied" });
    const me = async (s: typeof agreed) => (await call(getMe, { session: s })).body.analytics_consent;
    expect(await me(agreed)).toBe("granted");
    expect(await me(refused)).toBe("denied");
    const signup = await until("signup", () => received("signup", (e) => e.distinct_id === agreed.user.id)[0]);
    expect(signup.properties.$process_person_profile).toBeUndefined();
    expect(signup.properties.$set_once).toMatchObject({ email: agreed.user.email });
    const alias = await until("its $create_alias", () => received("$create_alias", (e) => e.distinct_id === agreed.user.id)[0]);
    expect(alias.properties.alias).toBe(browser["x-posthog-distinct-id"]);
    const declined = await until("signup", () => received("signup", (e) => e.distinct_id === refused.user.id)[0]);
    expect(declined.properties.$process_person_profile).toBe(false);
  });
});

describe("erasure reaches PostHog", () => {
  const bulkDeletes = () => capture.requests.filter((r) => r.method === "POST" && r.url === "/api/projects/42/persons/bulk_delete/");

  it("account deletion requests deletion of the person (retried until accepted) and records it", async () => {
    process.env.POSTHOG_PERSONAL_API_KEY = "phx_personal";
    process.env.POSTHOG_PROJECT_ID = "42";
    process.env.POSTHOG_API_HOST = capture.url;
    resetConfigForTests();
    const s = await signIn();
    capture.set({ status: 503 }); // the first attempts fail: the request must survive and be retried
    useOutbox({ erasure: { apiHost: capture.url, projectId: "42", personalApiKey: "phx_personal" } });
    const res = await call(deleteMe, { method: "DELETE", path: "/api/me", body: { confirm_email: s.user.email }, session: s });
    expect(res.status).toBe(204);
    await until("a failed attempt", () => bulkDeletes().length >= 1);
    capture.set({ status: 200 });
    const row = await until("the erasure recorded as propagated", async () => {
      const [r] = await (await getDb()).select().from(analyticsErasures).where(eq(analyticsErasures.distinctId, s.user.id));
      return r?.completedAt ? r : undefined;
    });
    expect(row.attempts).toBeGreaterThanOrEqual(2);
    const req = bulkDeletes().at(-1)!;
    expect(req.headers.authorization).toBe("Bearer phx_personal");
    expect(JSON.parse(req.body.toString())).toEqual({ distinct_ids: [s.user.id], delete_events: true });
    expect(await metricValue("tandem_analytics_erasures_total", { result: "propagated" })).toBe(1);
  });

  it("without the personal API key it is counted as not propagated", async () => {
    useOutbox();
    const s = await signIn();
    await call(deleteMe, { method: "DELETE", path: "/api/me", body: { confirm_email: s.user.email }, session: s });
    expect(await metricValue("tandem_analytics_erasures_total", { result: "not_propagated" })).toBe(1);
    expect(await (await getDb()).select().from(analyticsErasures).where(eq(analyticsErasures.distinctId, s.user.id))).toEqual([]);
  });
});

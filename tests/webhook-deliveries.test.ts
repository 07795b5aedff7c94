/**
 * Stored autopilot webhook deliveries (integrations inventory §2, acceptance checks 18–27): the delivery table,
 * dedupe (also under concurrent redeliveries), per-trigger signing secrets checked before dedupe, event filters,
 * replays, the members' API, and `tandem_webhook_delivery_total` read through `/api/metrics`.
 */
import { sign } from "@octokit/webhooks-methods";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createAutopilot } from "@/app/api/autopilots/route";
import { PATCH as patchAutopilot } from "@/app/api/autopilots/[id]/route";
import { PATCH as patchTrigger } from "@/app/api/autopilots/[id]/triggers/[triggerId]/route";
import { POST as addTrigger } from "@/app/api/autopilots/[id]/triggers/route";
import { PUT as putSecret } from "@/app/api/autopilots/[id]/triggers/[triggerId]/signing-secret/route";
import { GET as listDeliveries } from "@/app/api/autopilots/[id]/deliveries/route";
import { GET as getDelivery } from "@/app/api/autopilots/[id]/deliveries/[deliveryId]/route";
import { POST as replay } from "@/app/api/autopilots/[id]/deliveries/[deliveryId]/replay/route";
import { POST as webhook } from "@/app/api/webhooks/autopilot/[token]/route";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { autopilotRuns, autopilotTriggers, webhookDeliveries } from "@/lib/db/schema";
import { call, type Session } from "./helpers/api";
import { addMember, ownerWithWorkspace } from "./helpers/workspace";
import { insertRuntime, newAgent } from "./helpers/work";
import { scrape, sampleOf } from "./helpers/scrape";

const saved = { ...process.env };
let ip = 0;
beforeAll(() => {
  process.env.SAMPLER_ENABLED = "false";
  process.env.TANDEM_SERVER = "1"; // each delivery from its own client address (30/min per IP)
  resetConfigForTests();
});
afterAll(() => {
  process.env = { ...saved };
  resetConfigForTests();
});

type Ctx = { owner: Session; workspace: { id: string }; headers: Record<string, string> };
type Hook = { ctx: Ctx; ap: { id: string }; trigger: { id: string; webhook_token: string } };

async function hook(trigger: Record<string, unknown> = {}, opts: { runtime?: "online" | "offline" } = {}): Promise<Hook> {
  const ctx = await ownerWithWorkspace();
  const runtime = await insertRuntime(ctx.workspace.id, { status: opts.runtime ?? "online" });
  const agent = await newAgent(ctx.owner, ctx.headers, { runtime_id: runtime.id });
  const res = await call(createAutopilot, {
    path: "/api/autopilots",
    session: ctx.owner,
    headers: ctx.headers,
    body: { name: "On push", execution_mode: "run_only", prompt: "Look at it", assignee_type: "agent", assignee_id: agent.id, triggers: [{ kind: "webhook", ...trigger }] },
  });
  if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
  return { ctx, ap: res.body, trigger: res.body.triggers[0] };
}

const post = (token: string, rawBody: string, headers: Record<string, string> = {}) =>
  call(webhook, {
    path: `/api/webhooks/autopilot/${token}`,
    params: { token },
    rawBody,
    noOrigin: true,
    headers: { "content-type": "application/json", "x-tandem-peer-ip": `10.7.${Math.floor(++ip / 250)}.${ip % 250}`, ...headers },
  });

const rows = async (triggerId: string) => (await getDb()).select().from(webhookDeliveries).where(eq(webhookDeliveries.triggerId, triggerId));
const deliveryMetric = (t: string, provider: string, status: string) => sampleOf(t, "tandem_webhook_delivery_total", { provider, status });

describe("autopilot webhook deliveries", () => {
  it("stores an accepted delivery with its event, kept headers and answer; counts queued + dispatched once", async () => {
    const h = await hook();
    const t0 = await scrape();
    const res = await post(h.trigger.webhook_token, JSON.stringify({ action: "opened", number: 7 }), {
      "x-github-event": "pull_request",
      "x-github-delivery": "gh-delivery-1",
      "user-agent": "GitHub-Hookshot/1",
      authorization: "Bearer should-not-be-kept",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "accepted", delivery_id: expect.any(String), run_id: expect.any(String), autopilot_id: h.ap.id, trigger_id: h.trigger.id });
    const [row] = await rows(h.trigger.id);
    expect(row).toMatchObject({
      status: "dispatched",
      event: "github.pull_request.opened",
      provider: "generic",
      dedupeKey: "gh-delivery-1",
      dedupeSource: "x-github-delivery",
      signatureStatus: "not_required",
      responseStatus: 200,
      autopilotRunId: res.body.run_id,
      attemptCount: 1,
    });
    expect(row!.selectedHeaders).toEqual({ "x-github-event": "pull_request", "x-github-delivery": "gh-delivery-1", "user-agent": "GitHub-Hookshot/1", "x-hub-signature-256-present": false });
    const t1 = await scrape();
    expect(deliveryMetric(t1, "generic", "queued")).toBe(deliveryMetric(t0, "generic", "queued") + 1);
    expect(deliveryMetric(t1, "generic", "dispatched")).toBe(deliveryMetric(t0, "generic", "dispatched") + 1);
  });

  it("checks 18–19: unknown token → 404; oversized → 413; empty, `hello`, `[` → 400; no delivery row for any of them", async () => {
    const h = await hook();
    expect((await post(`awt_${"0".repeat(32)}_${"A".repeat(43)}`, "{}")).status).toBe(404);
    expect((await post(h.trigger.webhook_token, JSON.stringify({ x: "y".repeat(257 * 1024) }))).status).toBe(413);
    for (const body of ["", "hello", "[", "42"]) {
      const res = await post(h.trigger.webhook_token, body);
      expect(res.status, body).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
    expect(await rows(h.trigger.id)).toHaveLength(0);
  });

  it("check 20: concurrent redeliveries with one Idempotency-Key → one run, the rest `duplicate` with the first id; attempt_count counts them", async () => {
    const h = await hook();
    const t0 = await scrape();
    const results = await Promise.all([...Array(6)].map(() => post(h.trigger.webhook_token, '{"event":"deploy.finished"}', { "idempotency-key": "idem-42" })));
    const accepted = results.filter((r) => r.body.status === "accepted");
    const dups = results.filter((r) => r.body.status === "duplicate");
    expect(accepted).toHaveLength(1);
    expect(dups).toHaveLength(5);
    for (const d of dups) expect(d.status).toBe(200);
    for (const d of dups) expect(d.body.delivery_id).toBe(accepted[0]!.body.delivery_id);
    const stored = await rows(h.trigger.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.attemptCount).toBe(6);
    const runs = await (await getDb()).select().from(autopilotRuns).where(eq(autopilotRuns.triggerId, h.trigger.id));
    expect(runs).toHaveLength(1);
    // Once the original is finalised, a later duplicate names its run.
    const later = await post(h.trigger.webhook_token, '{"event":"deploy.finished"}', { "idempotency-key": "idem-42" });
    expect(later.body).toMatchObject({ status: "duplicate", delivery_id: accepted[0]!.body.delivery_id, run_id: accepted[0]!.body.run_id });
    const t1 = await scrape();
    expect(deliveryMetric(t1, "generic", "duplicate")).toBe(deliveryMetric(t0, "generic", "duplicate") + 6);
    expect(deliveryMetric(t1, "generic", "dispatched")).toBe(deliveryMetric(t0, "generic", "dispatched") + 1);
  });

  it("checks 21–22: a signing secret — missing/invalid signature → 401 rejected (checked before dedupe); a retry after rejected is processed again", async () => {
    const secret = "0123456789abcdef-secret";
    const h = await hook({ provider: "github", signing_secret: secret });
    expect(h.trigger).toMatchObject({ provider: "github", has_signing_secret: true, signing_secret_hint: "cret" });
    expect(JSON.stringify(h.trigger)).not.toContain(secret);
    const body = JSON.stringify({ action: "closed" });
    const t0 = await scrape();
    let res = await post(h.trigger.webhook_token, body, { "x-github-delivery": "d-1", "x-github-event": "pull_request" });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: "rejected", reason: "missing_signature", delivery_id: expect.any(String) });
    res = await post(h.trigger.webhook_token, body, { "x-github-delivery": "d-1", "x-hub-signature-256": await sign("wrong-secret-xxxxxxxx", body) });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: "rejected", reason: "invalid_signature" });
    for (const bad of ["sha1=abc", "sha256=zz", `sha256=${"0".repeat(64)}`]) {
      expect((await post(h.trigger.webhook_token, body, { "x-github-delivery": "d-1", "x-hub-signature-256": bad })).body.reason).toBe("invalid_signature");
    }
    // The correctly signed retry of the same delivery id is processed (the rejected rows hold no dedupe slot).
    res = await post(h.trigger.webhook_token, body, { "x-github-delivery": "d-1", "x-github-event": "pull_request", "x-hub-signature-256": await sign(secret, body) });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("accepted");
    // A forger without the secret who knows the delivery id is rejected, never told `duplicate`.
    res = await post(h.trigger.webhook_token, body, { "x-github-delivery": "d-1" });
    expect(res.status).toBe(401);
    const stored = await rows(h.trigger.id);
    expect(stored.filter((r) => r.status === "rejected")).toHaveLength(6);
    expect(stored.filter((r) => r.status === "dispatched")).toHaveLength(1);
    expect(stored.find((r) => r.status === "dispatched")!.signatureStatus).toBe("valid");
    const t1 = await scrape();
    expect(deliveryMetric(t1, "github", "rejected")).toBe(deliveryMetric(t0, "github", "rejected") + 6);
    expect(deliveryMetric(t1, "github", "dispatched")).toBe(deliveryMetric(t0, "github", "dispatched") + 1);
    expect(deliveryMetric(t1, "github", "duplicate")).toBe(deliveryMetric(t0, "github", "duplicate"));
  });

  it("check 21: after a failed delivery the same key is processed again", async () => {
    const h = await hook();
    const [first] = await rows(h.trigger.id);
    expect(first).toBeUndefined();
    const res = await post(h.trigger.webhook_token, "{}", { "idempotency-key": "k-fail" });
    await (await getDb()).update(webhookDeliveries).set({ status: "failed" }).where(eq(webhookDeliveries.id, res.body.delivery_id));
    await (await getDb()).update(autopilotRuns).set({ status: "completed" }).where(eq(autopilotRuns.triggerId, h.trigger.id));
    const again = await post(h.trigger.webhook_token, "{}", { "idempotency-key": "k-fail" });
    expect(again.body.status).toBe("accepted");
    expect(again.body.delivery_id).not.toBe(res.body.delivery_id);
  });

  it("the signing secret: PUT sets (≥ 16 chars) or clears it; never returned, only a hint", async () => {
    const h = await hook();
    const put = (signing_secret: unknown) =>
      call(putSecret, { method: "PUT", session: h.ctx.owner, headers: h.ctx.headers, params: { id: h.ap.id, triggerId: h.trigger.id }, body: { signing_secret } });
    expect((await put("short")).status).toBe(400);
    expect((await put(42)).status).toBe(400);
    const set = await put("  a-very-long-signing-secret-9876  ");
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ has_signing_secret: true, signing_secret_hint: "9876" });
    expect(JSON.stringify(set.body)).not.toContain("signing-secret-9876");
    expect((await post(h.trigger.webhook_token, "{}")).status).toBe(401);
    const cleared = await put("");
    expect(cleared.body).toMatchObject({ has_signing_secret: false, signing_secret_hint: null });
    expect((await post(h.trigger.webhook_token, "{}")).status).toBe(200);
    const member = await addMember(h.ctx.workspace.id);
    expect((await call(putSecret, { method: "PUT", session: member, headers: h.ctx.headers, params: { id: h.ap.id, triggerId: h.trigger.id }, body: { signing_secret: "" } })).status).toBe(403);
  });

  it("check 23: disabled trigger / paused autopilot → 200 ignored with its reason; an event outside the filters → event_filtered", async () => {
    const h = await hook({ event_filters: [{ event: "pull_request", actions: ["closed"] }] });
    const t0 = await scrape();
    let res = await post(h.trigger.webhook_token, JSON.stringify({ action: "opened" }), { "x-github-event": "pull_request" });
    expect(res.body).toMatchObject({ status: "ignored", reason: "event_filtered", event: "github.pull_request.opened" });
    res = await post(h.trigger.webhook_token, JSON.stringify({ action: "closed" }), { "x-github-event": "pull_request" });
    expect(res.body.status).toBe("accepted");
    await (await getDb()).update(autopilotRuns).set({ status: "completed" }).where(eq(autopilotRuns.triggerId, h.trigger.id));

    await call(patchAutopilot, { method: "PATCH", session: h.ctx.owner, headers: h.ctx.headers, params: { id: h.ap.id }, body: { enabled: false } });
    res = await post(h.trigger.webhook_token, JSON.stringify({ action: "closed" }), { "x-github-event": "pull_request" });
    expect(res.body).toMatchObject({ status: "ignored", reason: "autopilot_paused" });
    await call(patchAutopilot, { method: "PATCH", session: h.ctx.owner, headers: h.ctx.headers, params: { id: h.ap.id }, body: { enabled: true } });
    await call(patchTrigger, { method: "PATCH", session: h.ctx.owner, headers: h.ctx.headers, params: { id: h.ap.id, triggerId: h.trigger.id }, body: { enabled: false } });
    res = await post(h.trigger.webhook_token, "{}");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ignored", reason: "trigger_disabled" });
    const stored = await rows(h.trigger.id);
    expect(stored.filter((r) => r.status === "ignored").map((r) => r.error).sort()).toEqual(["autopilot_paused", "event_filtered", "trigger_disabled"]);
    const t1 = await scrape();
    expect(deliveryMetric(t1, "generic", "ignored")).toBe(deliveryMetric(t0, "generic", "ignored") + 3);
  });

  it("check 24: a malformed stored filter denies every event; [] or null allows every event; PATCH validates filters", async () => {
    const h = await hook();
    await (await getDb()).update(autopilotTriggers).set({ eventFilters: { event: "push" } }).where(eq(autopilotTriggers.id, h.trigger.id));
    expect((await post(h.trigger.webhook_token, "{}")).body.reason).toBe("event_filtered");
    const patch = (body: unknown) => call(patchTrigger, { method: "PATCH", session: h.ctx.owner, headers: h.ctx.headers, params: { id: h.ap.id, triggerId: h.trigger.id }, body });
    expect((await patch({ event_filters: [{ actions: ["x"] }] })).status).toBe(400);
    expect((await patch({ event_filters: "push" })).status).toBe(400);
    expect((await patch({ provider: "gitlab" })).body).toEqual({ error: "provider: provider must be generic or github" });
    const cleared = await patch({ event_filters: [] });
    expect(cleared.body.event_filters).toBeNull();
    expect((await post(h.trigger.webhook_token, "{}")).body.status).toBe("accepted");
  });

  it("check 25: an admission-skipped run → response `skipped`, the delivery `dispatched` with its run id", async () => {
    const h = await hook({}, { runtime: "offline" });
    const t0 = await scrape();
    const res = await post(h.trigger.webhook_token, "{}");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "skipped", reason: "runtime_offline", run_id: expect.any(String) });
    const [row] = await rows(h.trigger.id);
    expect(row).toMatchObject({ status: "dispatched", autopilotRunId: res.body.run_id });
    // The metric says what the row says (inventory §2.7: the with-run path records `dispatched`).
    const t1 = await scrape();
    expect(deliveryMetric(t1, "generic", "dispatched")).toBe(deliveryMetric(t0, "generic", "dispatched") + 1);
    expect(deliveryMetric(t1, "generic", "ignored")).toBe(deliveryMetric(t0, "generic", "ignored"));
  });

  it("check 27 and the members' API: list/detail (404 across autopilots), replay (400 for rejected, 201 new row without dedupe key)", async () => {
    const h = await hook({ signing_secret: "replay-secret-0123456789" });
    const body = JSON.stringify({ event: "build.done", ok: true });
    const good = await post(h.trigger.webhook_token, body, { "x-hub-signature-256": await sign("replay-secret-0123456789", body), "idempotency-key": "r-1" });
    const bad = await post(h.trigger.webhook_token, body);
    await (await getDb()).update(autopilotRuns).set({ status: "completed" }).where(eq(autopilotRuns.triggerId, h.trigger.id));
    const member = await addMember(h.ctx.workspace.id);
    const list = await call(listDeliveries, { session: member, headers: h.ctx.headers, params: { id: h.ap.id }, path: `/api/autopilots/${h.ap.id}/deliveries?limit=1` });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.deliveries).toHaveLength(1);
    expect(list.body.deliveries[0].raw_body).toBeUndefined();
    const all = await call(listDeliveries, { session: member, headers: h.ctx.headers, params: { id: h.ap.id }, path: `/api/autopilots/${h.ap.id}/deliveries?limit=abc` });
    expect(all.body.deliveries).toHaveLength(2);
    const detail = await call(getDelivery, { session: member, headers: h.ctx.headers, params: { id: h.ap.id, deliveryId: good.body.delivery_id } });
    expect(detail.body).toMatchObject({ raw_body: body, status: "dispatched", signature_status: "valid", response_body: { status: "accepted" } });
    expect(detail.body.selected_headers["x-hub-signature-256-present"]).toBe(true);
    expect(JSON.stringify(detail.body)).not.toContain("sha256=");

    const other = await hook();
    expect((await call(getDelivery, { session: other.ctx.owner, headers: other.ctx.headers, params: { id: other.ap.id, deliveryId: good.body.delivery_id } })).status).toBe(404);
    expect((await call(getDelivery, { session: member, headers: h.ctx.headers, params: { id: h.ap.id, deliveryId: "nope" } })).status).toBe(404);

    const rp = (deliveryId: string) => call(replay, { method: "POST", session: member, headers: h.ctx.headers, params: { id: h.ap.id, deliveryId } });
    const refused = await rp(bad.body.delivery_id);
    expect(refused.status).toBe(400);
    const t0 = await scrape();
    const replayed = await rp(good.body.delivery_id);
    expect(replayed.status).toBe(201);
    expect(replayed.body).toMatchObject({ replayed_from_delivery_id: good.body.delivery_id, dedupe_key: null, signature_status: "not_required", status: "dispatched", response_status: 201 });
    expect(replayed.body.id).not.toBe(good.body.delivery_id);
    const t1 = await scrape();
    expect(deliveryMetric(t1, "generic", "dispatched")).toBe(deliveryMetric(t0, "generic", "dispatched") + 1);
    // A paused autopilot cannot replay.
    await call(patchAutopilot, { method: "PATCH", session: h.ctx.owner, headers: h.ctx.headers, params: { id: h.ap.id }, body: { enabled: false } });
    expect((await rp(good.body.delivery_id)).status).toBe(400);
  });

  it("a trigger added later takes provider, filters and secret; non-webhook triggers refuse them", async () => {
    const h = await hook();
    const res = await call(addTrigger, {
      session: h.ctx.owner,
      headers: h.ctx.headers,
      params: { id: h.ap.id },
      body: { kind: "webhook", provider: "github", event_filters: [{ event: "push" }], signing_secret: "0123456789abcdef" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ provider: "github", event_filters: [{ event: "push" }], has_signing_secret: true, signing_secret_hint: "cdef" });
    const manual = await call(addTrigger, { session: h.ctx.owner, headers: h.ctx.headers, params: { id: h.ap.id }, body: { kind: "manual" } });
    const patched = await call(patchTrigger, { method: "PATCH", session: h.ctx.owner, headers: h.ctx.headers, params: { id: h.ap.id, triggerId: manual.body.id }, body: { provider: "github" } });
    expect(patched.status).toBe(400);
  });

  it("fields of another kind of trigger are refused when adding one, not dropped: cron/timezone on a webhook, filters on a schedule", async () => {
    const h = await hook();
    const before = (await (await getDb()).select().from(autopilotTriggers).where(eq(autopilotTriggers.autopilotId, h.ap.id))).length;
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: "webhook", cron: "* * * * *", timezone: "UTC" }, "cron: cron does not apply to a webhook trigger"],
      [{ kind: "webhook", timezone: "UTC" }, "timezone: timezone does not apply to a webhook trigger"],
      [{ kind: "schedule", cron: "0 9 * * *", event_filters: [] }, "event_filters: event_filters does not apply to a schedule trigger"],
      [{ kind: "manual", signing_secret: "0123456789abcdef" }, "signing_secret: signing_secret does not apply to a manual trigger"],
    ];
    for (const [body, error] of cases) {
      const res = await call(addTrigger, { session: h.ctx.owner, headers: h.ctx.headers, params: { id: h.ap.id }, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe(error);
    }
    expect((await (await getDb()).select().from(autopilotTriggers).where(eq(autopilotTriggers.autopilotId, h.ap.id))).length).toBe(before);
    // Unknown fields are still ignored, as on every route.
    const ok = await call(addTrigger, { session: h.ctx.owner, headers: h.ctx.headers, params: { id: h.ap.id }, body: { kind: "webhook", colour: "red" } });
    expect(ok.status).toBe(201);
  });

  it("check 28: the 31st delivery from one IP within a minute → 429; X-Forwarded-For is ignored without TRUST_PROXY", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const res = await post(`awt_${"0".repeat(32)}_${"A".repeat(43)}`, "{}", { "x-tandem-peer-ip": "10.99.0.1", "x-forwarded-for": `192.0.2.${i}` });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 404)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it("deliveries older than WEBHOOK_DELIVERY_RETENTION_DAYS are deleted when the autopilot receives the next one", async () => {
    const h = await hook();
    const old = await post(h.trigger.webhook_token, "{}", { "idempotency-key": "old-one" });
    await (await getDb()).update(webhookDeliveries).set({ createdAt: new Date(Date.now() - 31 * 86_400_000) }).where(eq(webhookDeliveries.id, old.body.delivery_id));
    await (await getDb()).update(autopilotRuns).set({ status: "completed" }).where(eq(autopilotRuns.triggerId, h.trigger.id));
    const fresh = await post(h.trigger.webhook_token, "{}", { "idempotency-key": "old-one" });
    expect(fresh.body.status).toBe("accepted"); // the expired row no longer holds the key
    expect((await rows(h.trigger.id)).map((r) => r.id)).toEqual([fresh.body.delivery_id]);
  });
});

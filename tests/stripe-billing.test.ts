/**
 * Billing proxy and Stripe webhook (integrations inventory §5, acceptance checks 40–43) against a local fleet
 * stand-in, with Stripe signatures made by the official `stripe` package's test helper. Orders and revenue are
 * counted once per Stripe event id, also under concurrent redeliveries.
 */
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as billingGET, POST as billingPOST } from "@/app/api/cloud-billing/[...path]/route";
import { POST as stripePOST } from "@/app/api/webhooks/stripe/route";
import { POST as tokensPOST } from "@/app/api/tokens/route";
import { resetConfigForTests } from "@/lib/config";
import { orderEffects } from "@/lib/cloud/stripe";
import { call, signIn, type Session } from "@/tests/helpers/api";
import { startFleet, useFleetEnv, type FleetStandIn } from "@/tests/helpers/fleet";
import { metric, scrape, sampleOf } from "@/tests/helpers/scrape";

const SECRET = "whsec_test_secret_for_tandem";
const saved = { ...process.env };
let fleet: FleetStandIn;
let human: Session;
let ipCounter = 0;

beforeAll(async () => {
  process.env.SAMPLER_ENABLED = "false";
  process.env.TANDEM_SERVER = "1"; // lets each test pick its client IP (the per-IP webhook limit is 30/min)
  fleet = await startFleet();
  human = await signIn();
});
afterAll(async () => {
  await fleet.stop();
  process.env = { ...saved };
  resetConfigForTests();
});
beforeEach(() => {
  fleet.requests.length = 0;
  fleet.handle = (r) => ({ json: { ok: true }, headers: { "x-request-id": String(r.headers["x-request-id"] ?? "") } });
  useFleetEnv(fleet, { STRIPE_WEBHOOK_SECRET: SECRET, CLOUD_FLEET_TIMEOUT_MS: undefined });
  resetConfigForTests();
});

const ip = () => `10.9.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

function stripeEvent(type: string, object: Record<string, unknown>, id = `evt_${Math.random().toString(36).slice(2)}`) {
  return JSON.stringify({ id, object: "event", type, data: { object }, api_version: "2024-06-20", created: Math.floor(Date.now() / 1000) });
}

function sendStripe(payload: string, opts: { signature?: string | null; headers?: Record<string, string>; secret?: string; timestamp?: number } = {}) {
  const signature =
    opts.signature === undefined
      ? Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? SECRET, timestamp: opts.timestamp })
      : opts.signature;
  return call(stripePOST, {
    path: "/api/webhooks/stripe",
    rawBody: payload,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "x-tandem-peer-ip": ip(),
      ...(signature === null ? {} : { "stripe-signature": signature }),
      ...opts.headers,
    },
    noOrigin: true,
  });
}

describe("POST /api/webhooks/stripe", () => {
  it("503 without a fleet and without a Stripe secret; nothing forwarded", async () => {
    useFleetEnv(undefined);
    resetConfigForTests();
    let res = await sendStripe(stripeEvent("invoice.paid", {}));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: "cloud runtime is not configured" });
    useFleetEnv(fleet, { STRIPE_WEBHOOK_SECRET: undefined });
    resetConfigForTests();
    res = await sendStripe(stripeEvent("invoice.paid", {}));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: "stripe webhooks not configured" });
    expect(fleet.requests).toHaveLength(0);
  });

  it("check 43: no Stripe-Signature → 401 and no upstream call; a wrong, stale or other-secret signature → 401", async () => {
    const before = await metric("tandem_webhook_delivery_total", { provider: "stripe", status: "rejected" });
    const payload = stripeEvent("invoice.paid", { amount_paid: 500, currency: "usd" });
    let res = await sendStripe(payload, { signature: null });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "missing Stripe-Signature header" });
    for (const opts of [
      { signature: "t=1,v1=deadbeef" },
      { secret: "whsec_someone_else" },
      { timestamp: Math.floor(Date.now() / 1000) - 3600 }, // replayed an hour later
    ]) {
      res = await sendStripe(payload, opts);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: "invalid signature" });
    }
    // A signature over other bytes does not verify this body.
    const other = Stripe.webhooks.generateTestHeaderString({ payload: payload + " ", secret: SECRET });
    expect((await sendStripe(payload, { signature: other })).status).toBe(401);
    // Correctly signed bytes that are no event: a 400 naming the problem, not a forgery.
    const notJson = "not json";
    res = await sendStripe(notJson, { signature: Stripe.webhooks.generateTestHeaderString({ payload: notJson, secret: SECRET }) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "invalid JSON body" });
    expect(fleet.requests).toHaveLength(0);
    expect(await metric("tandem_webhook_delivery_total", { provider: "stripe", status: "rejected" })).toBe(before + 6);
    expect(await metric("tandem_business_revenue_cents_total", { currency: "usd" })).toBe(0);
  });

  it("check 43: forwards the raw bytes, the signature and the Content-Type unchanged, with the service credential and no X-User-ID", async () => {
    const payload = `  ${stripeEvent("customer.created", { id: "cus_1" })}\n`;
    const res = await sendStripe(payload, { headers: { "x-user-id": "forged", "x-request-id": "req-abc" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect(res.headers.get("x-request-id")).toBe("req-abc");
    const [up] = fleet.calls("/api/v1/webhooks/stripe");
    expect(up!.method).toBe("POST");
    expect(up!.body.toString("utf8")).toBe(payload);
    expect(up!.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(up!.headers["stripe-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}/);
    expect(up!.headers.authorization).toBe(`Bearer ${fleet.token}`);
    expect(up!.headers["x-user-id"]).toBeUndefined();
    expect(up!.headers["x-request-id"]).toBe("req-abc");
  });

  it("a body over 1 MiB → 413 and no upstream call", async () => {
    const payload = JSON.stringify({ id: "evt_big", pad: "x".repeat(1024 * 1024) });
    const res = await sendStripe(payload);
    expect(res.status).toBe(413);
    expect(fleet.requests).toHaveLength(0);
  });

  it("counts orders and revenue once per event id, also when Stripe redelivers concurrently; upstream failures are relayed", async () => {
    const t0 = await scrape();
    const orders0 = sampleOf(t0, "tandem_business_orders_total", { status: "completed" });
    const usd0 = sampleOf(t0, "tandem_business_revenue_cents_total", { currency: "usd" });
    const eur0 = sampleOf(t0, "tandem_business_revenue_cents_total", { currency: "eur" });
    const dup0 = sampleOf(t0, "tandem_webhook_delivery_total", { provider: "stripe", status: "duplicate" });
    const fleet0 = sampleOf(t0, "tandem_cloudruntime_request_total", { op: "fleet", status: "ok" });

    const topUp = stripeEvent("checkout.session.completed", { mode: "payment", payment_status: "paid", amount_total: 1999, currency: "usd" }, "evt_topup_1");
    const renewals = stripeEvent("invoice.paid", { amount_paid: 1200, currency: "eur", billing_reason: "subscription_cycle" }, "evt_invoice_1");
    // Ten concurrent deliveries of each (each freshly signed, as Stripe's retries are).
    const results = await Promise.all([...Array(10)].flatMap(() => [sendStripe(topUp), sendStripe(renewals)]));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(fleet.calls("/api/v1/webhooks/stripe")).toHaveLength(20); // every delivery is still forwarded

    // The fleet fails a redelivery: its status is relayed (Stripe retries), nothing counts again.
    fleet.handle = () => ({ status: 500, text: "fleet failed" });
    const failed = await sendStripe(topUp);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ error: "fleet failed" });

    const t1 = await scrape();
    expect(sampleOf(t1, "tandem_business_orders_total", { status: "completed" })).toBe(orders0 + 2);
    expect(sampleOf(t1, "tandem_business_revenue_cents_total", { currency: "usd" })).toBe(usd0 + 1999);
    expect(sampleOf(t1, "tandem_business_revenue_cents_total", { currency: "eur" })).toBe(eur0 + 1200);
    expect(sampleOf(t1, "tandem_webhook_delivery_total", { provider: "stripe", status: "duplicate" })).toBe(dup0 + 19);
    expect(sampleOf(t1, "tandem_cloudruntime_request_total", { op: "fleet", status: "ok" })).toBe(fleet0 + 20);
    expect(sampleOf(t1, "tandem_cloudruntime_request_total", { op: "fleet", status: "5xx" })).toBeGreaterThanOrEqual(1);
  });

  it("refunds and failures count as orders with their status; an unknown currency is `other`, never its raw code", async () => {
    const t0 = await scrape();
    const count = (t: string, status: string) => sampleOf(t, "tandem_business_orders_total", { status });
    await sendStripe(stripeEvent("charge.refunded", { amount_refunded: 300, currency: "usd" }));
    await sendStripe(stripeEvent("invoice.payment_failed", { currency: "usd" }));
    await sendStripe(stripeEvent("checkout.session.completed", { mode: "payment", payment_status: "unpaid", amount_total: 700, currency: "usd" }));
    await sendStripe(stripeEvent("checkout.session.completed", { mode: "payment", payment_status: "paid", amount_total: 4200, currency: "<script>x" }));
    const t1 = await scrape();
    expect(count(t1, "refunded")).toBe(count(t0, "refunded") + 1);
    expect(count(t1, "failed")).toBe(count(t0, "failed") + 1);
    expect(count(t1, "created")).toBe(count(t0, "created") + 1);
    expect(sampleOf(t1, "tandem_business_revenue_cents_total", { currency: "other" })).toBe(
      sampleOf(t0, "tandem_business_revenue_cents_total", { currency: "other" }) + 4200,
    );
    expect(t1).not.toContain("<script");
  });

  it("the per-IP budget is shared with autopilot webhooks: the 31st delivery in a minute → 429", async () => {
    const payload = stripeEvent("customer.created", {});
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await sendStripe(payload, { headers: { "x-tandem-peer-ip": "10.250.0.1" } })).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});

describe("orderEffects", () => {
  it("subscription checkouts add an order, their invoices the revenue (never both)", () => {
    expect(orderEffects({ type: "checkout.session.completed", data: { object: { mode: "subscription", payment_status: "paid", amount_total: 900, currency: "usd" } } })).toEqual({ orders: ["completed"], revenue: undefined });
    expect(orderEffects({ type: "invoice.paid", data: { object: { amount_paid: 900, currency: "usd", billing_reason: "subscription_create" } } })).toEqual({ orders: [], revenue: { cents: 900, currency: "usd" } });
    expect(orderEffects({ type: "checkout.session.async_payment_failed", data: { object: {} } })).toEqual({ orders: ["failed"] });
    expect(orderEffects({ type: "customer.created" })).toEqual({ orders: [] });
  });
});

describe("/api/cloud-billing/*", () => {
  const billing = (method: string, sub: string, opts: { session?: Session; headers?: Record<string, string>; rawBody?: string } = {}) =>
    call(method === "GET" ? billingGET : billingPOST, { method, path: `/api/cloud-billing${sub}`, session: opts.session ?? human, headers: opts.headers, rawBody: opts.rawBody });

  it("check 40: proxies every endpoint with X-User-ID, the query only on lists, a body only on checkout", async () => {
    const cases: [string, string, string, string | undefined][] = [
      ["GET", "/balance", "/api/v1/billing/balance", undefined],
      ["GET", "/transactions?page=2&page_size=5", "/api/v1/billing/transactions?page=2&page_size=5", undefined],
      ["GET", "/batches?page=1", "/api/v1/billing/batches?page=1", undefined],
      ["GET", "/topups?page=3", "/api/v1/billing/topups?page=3", undefined],
      ["GET", "/price-tiers?ignored=1", "/api/v1/billing/price-tiers", undefined],
      ["POST", "/checkout-sessions", "/api/v1/billing/checkout-sessions", '{"tier_id":"t1"}'],
      ["GET", "/checkout-sessions/cs_test_123", "/api/v1/billing/checkout-sessions/cs_test_123", undefined],
    ];
    for (const [method, sub, upstream, body] of cases) {
      fleet.requests.length = 0;
      const res = await billing(method, sub, { rawBody: body, headers: body ? { "content-type": "application/json" } : {} });
      expect(res.status, sub).toBe(200);
      const [up] = fleet.requests;
      expect(up!.method).toBe(method);
      expect(up!.url).toBe(upstream);
      expect(up!.headers["x-user-id"]).toBe(human.user.id);
      expect(up!.headers.authorization).toBe(`Bearer ${fleet.token}`);
      expect(up!.body.toString()).toBe(body ?? "");
    }
    expect(await metric("tandem_cloudruntime_request_total", { op: "billing", status: "ok" })).toBeGreaterThanOrEqual(7);
  });

  it("check 42: a portal session sends no body upstream, whatever the client sends", async () => {
    const res = await billing("POST", "/portal-sessions", { rawBody: '{"return_url":"https://evil.example"}', headers: { "content-type": "application/json" } });
    expect(res.status).toBe(200);
    const [up] = fleet.calls("/api/v1/billing/portal-sessions");
    expect(up!.body.length).toBe(0);
    expect(up!.headers["content-type"]).toBeUndefined();
  });

  it("check 41: session ids outside [A-Za-z0-9_] → 400 and no upstream call", async () => {
    for (const id of ["cs_../x", "cs_..%2Fx", "cs%2e%2e", "a.b", "a-b", "x%00"]) {
      const res = await billing("GET", `/checkout-sessions/${id}`);
      expect(res.status, id).toBe(400);
      expect(res.body).toEqual({ error: "invalid session_id" });
    }
    const missing = await billing("GET", "/checkout-sessions/");
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: "session_id is required" });
    expect(fleet.requests).toHaveLength(0);
  });

  it("check 40: cloud-node and daemon tokens → 403 (a forged X-Actor-Source changes nothing); no caller → 401", async () => {
    for (const token of ["tcn_abcdef0123456789", "tdd_abcdef0123456789"]) {
      const res = await call(billingGET, { path: "/api/cloud-billing/balance", headers: { authorization: `Bearer ${token}`, "x-actor-source": "human" } });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: "this endpoint is only available to human actors" });
    }
    expect((await call(billingGET, { path: "/api/cloud-billing/balance" })).status).toBe(401);
    // A personal token is a human; a client copy of X-Actor-Source is ignored and never forwarded.
    const pat = await call(tokensPOST, { path: "/api/tokens", body: { name: "billing" }, session: human });
    const res = await call(billingGET, { path: "/api/cloud-billing/balance", headers: { authorization: `Bearer ${pat.body.token}`, "x-actor-source": "cloud_pat" } });
    expect(res.status).toBe(200);
    expect(fleet.requests[0]!.headers["x-actor-source"]).toBe("human");
    expect(fleet.requests).toHaveLength(1);
  });

  it("503 without a fleet; unknown paths 404; a wrong method 405; an upstream 204 stays empty", async () => {
    fleet.handle = () => ({ status: 204 });
    const empty = await billing("GET", "/balance");
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    expect((await billing("GET", "/nope")).status).toBe(404);
    const wrongMethod = await billing("POST", "/balance", { rawBody: "{}" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    useFleetEnv(undefined);
    resetConfigForTests();
    const res = await billing("GET", "/balance");
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: "cloud runtime is not configured" });
  });
});

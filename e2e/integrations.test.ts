/**
 * Integrations end to end on the production build (issue 13): an owner connects GitHub from the settings page
 * (through a local GitHub stand-in that sends the installer back to the setup callback), a signed pull_request
 * delivery links a PR to an issue and the issue page shows it, the billing balance comes from a local fleet, and
 * every integration family moves in /api/metrics — all driven over HTTP only.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sign } from "@octokit/webhooks-methods";
import type { Browser } from "playwright-core";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type FleetStandIn } from "@/tests/helpers/fleet";
import { sampleOf } from "@/tests/helpers/scrape";
import { startApp, type App } from "./support/app";
import { launchBrowser } from "./support/browser";
import { scrapeMetrics, signUpWithWorkspace } from "./support/flows";

const METRICS_TOKEN = "e2e-integrations-metrics";
const GITHUB_SECRET = "e2e-github-webhook-secret";
const STRIPE_SECRET = "whsec_e2e_integrations";
const INSTALLATION = 4242;

let browser: Browser;
let app: App;
let fleet: FleetStandIn;
let github: Server;

beforeAll(async () => {
  fleet = await startFleet();
  fleet.handle = (r) => (r.url.startsWith("/api/v1/billing/balance") ? { json: { balance_cents: 1234, currency: "usd" } } : { json: { ok: true } });
  // GitHub's install page, reduced to what matters: it announces the installation with its signed webhook, then
  // sends the installer back to our setup URL with the state.
  let appBase = "";
  github = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://github.local");
    if (url.pathname === "/apps/tandem-e2e/installations/new") {
      const back = `${appBase}/api/github/setup?installation_id=${INSTALLATION}&setup_action=install&state=${encodeURIComponent(url.searchParams.get("state") ?? "")}`;
      void deliver("installation", { action: "created", installation: { id: INSTALLATION, account: { login: "acme", type: "Organization" } } }, "e2e-install").then(
        () => res.writeHead(302, { location: back }).end(),
        () => res.writeHead(502).end(),
      );
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => github.listen(0, "127.0.0.1", r));
  browser = await launchBrowser();
  app = await startApp({
    env: {
      METRICS_TOKEN,
      GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
      GITHUB_APP_SLUG: "tandem-e2e",
      GITHUB_URL: `http://127.0.0.1:${(github.address() as AddressInfo).port}`,
      STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
      CLOUD_FLEET_URL: fleet.url,
      CLOUD_FLEET_TOKEN: fleet.token,
    },
  });
  appBase = app.baseUrl;
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await fleet?.stop();
  await new Promise<void>((r) => (github ? github.close(() => r()) : r()));
});

async function deliver(event: string, payload: unknown, deliveryId: string) {
  const body = JSON.stringify(payload);
  return fetch(`${app.baseUrl}/api/webhooks/github`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": deliveryId, "x-hub-signature-256": await sign(GITHUB_SECRET, body) },
    body,
  });
}

function pr(action: string, extra: Record<string, unknown>) {
  return {
    action,
    installation: { id: INSTALLATION },
    repository: { name: "app", owner: { login: "acme" } },
    pull_request: {
      number: 7,
      html_url: "https://github.com/acme/app/pull/7",
      title: "Fix the login timeout",
      body: "Closes ORB-1",
      state: "open",
      draft: false,
      merged: false,
      created_at: "2026-01-01T10:00:00Z",
      updated_at: "2026-01-01T10:00:00Z",
      head: { ref: "orb-1-login", sha: "abc" },
      user: { login: "octocat" },
      additions: 12,
      deletions: 3,
      ...extra,
    },
  };
}

describe("integrations", () => {
  it("connects GitHub from settings, links a PR to an issue through a signed delivery, shows billing, and moves every family", async () => {
    const page = await signUpWithWorkspace(browser, app, `integrator-${Date.now()}@example.com`, "Orbit Labs");
    const base = new URL(page.url()).pathname;
    const m0 = await scrapeMetrics(app, METRICS_TOKEN);

    // Settings: connect GitHub (→ stand-in → setup callback → back to settings), see the balance from the fleet.
    await page.goto(`${app.baseUrl}/settings`);
    await page.getByRole("heading", { name: "Integrations" }).waitFor();
    await page.getByText("Balance: 12.34 USD").waitFor();
    await page.getByRole("button", { name: "Connect GitHub to Orbit Labs" }).click();
    await page.waitForURL(/\/settings\?tab=github.*github_connected=1/);
    await page.getByRole("status").filter({ hasText: "GitHub connected." }).waitFor();
    await page.getByRole("list", { name: "GitHub installations of Orbit Labs" }).getByRole("button", { name: /Remove GitHub installation/ }).waitFor();

    // An issue, then a signed PR delivery that mentions it.
    await page.goto(`${app.baseUrl}${base}/issues`);
    await page.getByRole("button", { name: "New issue" }).click();
    await page.getByLabel("Title", { exact: true }).fill("Login page times out");
    await page.getByLabel("Title", { exact: true }).press("Enter");
    await page.getByRole("status").filter({ hasText: /Created ORB-1/ }).waitFor();
    expect((await deliver("pull_request", pr("opened", {}), "e2e-d1")).status).toBe(202);
    await page.goto(`${app.baseUrl}${base}/issues/ORB-1`);
    const prs = page.getByRole("list", { name: "Pull requests" });
    await prs.getByRole("link", { name: "acme/app#7" }).waitFor();
    expect(await prs.textContent()).toContain("closes this issue when merged");

    // Merged (delivered twice), reviewed: the issue is done, the merge observed once.
    const merged = pr("closed", { state: "closed", merged: true, merged_at: "2026-01-01T11:00:00Z" });
    expect((await deliver("pull_request", merged, "e2e-d2")).status).toBe(202);
    expect((await deliver("pull_request", merged, "e2e-d2")).status).toBe(202);
    await deliver("pull_request_review", { action: "submitted", review: { state: "approved" }, installation: { id: INSTALLATION } }, "e2e-d3");
    await page.reload();
    await expect.poll(async () => page.getByLabel("Status", { exact: true }).inputValue()).toBe("done");

    // The cloud-runtime proxy from the signed-in browser, and a Stripe top-up delivered twice.
    const slug = base.split("/")[2]!; // /w/<slug>/…
    const status = await page.evaluate(async (ws) => (await fetch("/api/cloud-runtime/nodes?page=1", { headers: { "x-workspace-slug": ws } })).status, slug);
    expect(status).toBe(200);
    const payload = JSON.stringify({ id: "evt_e2e_1", type: "checkout.session.completed", data: { object: { mode: "payment", payment_status: "paid", amount_total: 2500, currency: "eur" } } });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${app.baseUrl}/api/webhooks/stripe`, {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET }) },
        body: payload,
      });
      expect(res.status).toBe(200);
    }

    const m1 = await scrapeMetrics(app, METRICS_TOKEN);
    const d = (name: string, labels: Record<string, string> = {}) => sampleOf(m1, name, labels) - sampleOf(m0, name, labels);
    expect(d("tandem_github_event_received_total", { event_kind: "pull_request", action: "opened" })).toBe(1);
    expect(d("tandem_github_event_received_total", { event_kind: "pull_request", action: "closed" })).toBe(2);
    expect(d("tandem_github_pr_merge_seconds_count")).toBe(1);
    expect(d("tandem_github_pr_merge_seconds_sum")).toBe(3600);
    expect(d("tandem_github_pr_review_total", { result: "approved" })).toBe(1);
    expect(d("tandem_cloudruntime_request_total", { op: "status", status: "ok" })).toBe(1);
    expect(d("tandem_cloudruntime_request_total", { op: "billing", status: "ok" })).toBeGreaterThanOrEqual(1);
    expect(d("tandem_cloudruntime_request_duration_seconds_count", { op: "status" })).toBe(1);
    expect(d("tandem_business_orders_total", { status: "completed" })).toBe(1);
    expect(d("tandem_business_revenue_cents_total", { currency: "eur" })).toBe(2500);
    expect(d("tandem_webhook_delivery_total", { provider: "stripe", status: "dispatched" })).toBe(1);
    expect(d("tandem_webhook_delivery_total", { provider: "stripe", status: "duplicate" })).toBe(1);
    // The fleet saw our service credential and our identity headers, never the browser's cookie.
    const nodes = fleet.calls("/api/v1/nodes")[0]!;
    expect(nodes.headers.authorization).toBe(`Bearer ${fleet.token}`);
    expect(nodes.headers.cookie).toBeUndefined();
    expect(nodes.url).toBe("/api/v1/nodes?page=1");
  });
});

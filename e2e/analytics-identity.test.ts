/**
 * Issue 16 in real Chromium against a production build, observed on a capture server standing in for PostHog:
 * one person from the landing page to the first signed-in page (bootstrap + stitching), and consent
 * (ANALYTICS_CONSENT=required): nothing personal stored or sent before a person agrees.
 */
import { gunzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCaptureServer, type CaptureServer, type CapturedRequest } from "@/tests/helpers/capture-server";
import { startApp, waitFor, type App } from "./support/app";
import { launchBrowser } from "./support/browser";

type PhEvent = { event: string; distinct_id: string; properties: Record<string, any>; $set?: Record<string, any>; server: boolean };

function decodeBody(req: CapturedRequest): unknown {
  let text: string;
  const query = new URL(req.url, "http://capture").searchParams;
  if (query.get("compression") === "gzip-js" || (req.body[0] === 0x1f && req.body[1] === 0x8b)) text = gunzipSync(req.body).toString("utf8");
  else text = req.body.toString("utf8");
  if (text.startsWith("data=")) text = Buffer.from(new URLSearchParams(text).get("data") ?? "", "base64").toString("utf8");
  return JSON.parse(text);
}

/** Every event the stand-in received: posthog-js's (`/e/`, `/i/v0/e/`) and the server's (`/batch/`). */
function allEvents(capture: CaptureServer): PhEvent[] {
  const out: PhEvent[] = [];
  for (const req of capture.requests) {
    if (req.method !== "POST") continue;
    const isClient = /^\/(e|i\/v0\/e)\/?(\?|$)/.test(req.url);
    const isServer = /^\/batch\/?(\?|$)/.test(req.url);
    if (!isClient && !isServer) continue;
    const body = decodeBody(req) as any;
    const list: any[] = Array.isArray(body) ? body : Array.isArray(body?.batch) ? body.batch : [body];
    for (const ev of list) {
      out.push({
        event: ev.event,
        distinct_id: ev.distinct_id ?? ev.properties?.distinct_id,
        properties: ev.properties ?? {},
        $set: ev.$set ?? ev.properties?.$set,
        server: isServer,
      });
    }
  }
  return out;
}

/** Persons as PostHog merges them: `$identify` joins `$anon_distinct_id`, `$create_alias` joins `alias`. */
function personOf(events: PhEvent[]): (distinctId: string) => string {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    const p = parent.get(x);
    if (!p || p === x) return x;
    const root = find(p);
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string) => {
    if (a && b) parent.set(find(a), find(b));
  };
  for (const e of events) {
    if (e.event === "$identify") union(e.properties.$anon_distinct_id, e.distinct_id);
    if (e.event === "$create_alias") union(e.properties.alias, e.distinct_id);
  }
  return find;
}

async function logIn(page: Page, app: App, email: string): Promise<string> {
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByLabel("6-digit code").fill(await app.codeFor(email));
  await page.getByRole("button", { name: "Verify and continue" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  // Read back through the session (the verify response's body can be gone once the form navigates away).
  const me = (await page.evaluate(() => fetch("/api/me").then((r) => r.json()))) as { id: string };
  return me.id;
}

describe("one identity from browser to server", () => {
  let capture: CaptureServer;
  let app: App;
  let browser: Browser;

  beforeAll(async () => {
    capture = await startCaptureServer();
    app = await startApp({ env: { POSTHOG_API_KEY: "phc_e2e", POSTHOG_HOST: capture.url } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await capture?.stop();
  });

  it("the landing pageview, the signup event and the first signed-in pageview are one person", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/login?utm_source=hn`);
    const landing = await waitFor(
      () => allEvents(capture).find((e) => !e.server && e.event === "$pageview" && String(e.properties.$current_url).startsWith("/login")),
      20_000,
      "the landing pageview",
    );
    const userId = await logIn(page, app, `e2e-identity-${Date.now()}@example.com`);
    await page.goto(`${app.baseUrl}/settings`);
    const signup = await waitFor(() => allEvents(capture).find((e) => e.server && e.event === "signup" && e.distinct_id === userId), 30_000, "signup");
    const signedIn = await waitFor(
      () => allEvents(capture).find((e) => !e.server && e.event === "$pageview" && e.properties.$current_url === "/settings"),
      20_000,
      "the signed-in pageview",
    );
    const person = personOf(allEvents(capture));
    expect(person(landing.distinct_id)).toBe(person(userId));
    expect(person(signup.distinct_id)).toBe(person(userId));
    expect(person(signedIn.distinct_id)).toBe(person(userId));
    await context.close();
  });

  it("a signed-in page in a fresh browser starts bootstrapped as the user: no anonymous first pageview", async () => {
    const first = await browser.newContext();
    const page = await first.newPage();
    await page.goto(`${app.baseUrl}/login`);
    const userId = await logIn(page, app, `e2e-bootstrap-${Date.now()}@example.com`);
    const session = (await first.cookies(app.baseUrl)).find((c) => c.name === "tandem_session")!;
    await first.close();

    const fresh = await browser.newContext();
    await fresh.addCookies([session]);
    const before = capture.requests.length;
    const p2 = await fresh.newPage();
    await p2.goto(`${app.baseUrl}/settings`);
    const view = await waitFor(
      () => allEvents({ ...capture, requests: capture.requests.slice(before) } as CaptureServer).find((e) => e.event === "$pageview" && e.properties.$current_url === "/settings"),
      20_000,
      "the pageview of the fresh browser",
    );
    expect(view.distinct_id).toBe(userId);
    await fresh.close();
  });
});

describe("consent required (ANALYTICS_CONSENT=required)", () => {
  let capture: CaptureServer;
  let app: App;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    capture = await startCaptureServer();
    app = await startApp({ env: { POSTHOG_API_KEY: "phc_e2e", POSTHOG_HOST: capture.url, ANALYTICS_CONSENT: "required" } });
    browser = await launchBrowser();
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await capture?.stop();
  });

  const storedAnalytics = async () => {
    const cookies = (await context.cookies(app.baseUrl)).map((c) => c.name);
    const storage = await page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)]);
    return [...cookies, ...storage].filter((n) => n.startsWith("ph_") || n === "tandem_signup_source");
  };

  it("before a choice: a banner, no signup-source cookie, nothing stored by posthog-js, nobody identified", async () => {
    await page.goto(`${app.baseUrl}/login?utm_source=twitter`);
    const banner = page.getByRole("region", { name: "Analytics consent" });
    await banner.waitFor();
    await waitFor(() => allEvents(capture).some((e) => e.event === "$pageview"), 20_000, "an anonymous pageview");
    expect(await storedAnalytics()).toEqual([]);

    const email = `e2e-consent-${Date.now()}@example.com`;
    await logIn(page, app, email);
    await page.waitForTimeout(4_000); // posthog-js batches for a few seconds
    expect(allEvents(capture).filter((e) => !e.server && (e.event === "$identify" || e.$set?.email))).toEqual([]);
    expect(await storedAnalytics()).toEqual([]);
  });

  it("agreeing stores the choice on the account and identifies the person", async () => {
    await page.goto(`${app.baseUrl}/settings`);
    await page.getByRole("region", { name: "Analytics consent" }).getByRole("button", { name: "Allow analytics" }).click();
    await waitFor(async () => (await context.cookies(app.baseUrl)).find((c) => c.name === "tandem_analytics_consent" && c.value === "granted"), 10_000, "the consent cookie");
    const me = await waitFor(async () => {
      const res = await page.evaluate(() => fetch("/api/me").then((r) => r.json()));
      return res.analytics_consent === "granted" ? res : undefined;
    }, 10_000, "the choice on the account");
    await waitFor(() => allEvents(capture).find((e) => !e.server && e.event === "$identify" && e.distinct_id === me.id), 20_000, "$identify after agreeing");
    expect(await page.getByRole("region", { name: "Analytics consent" }).count()).toBe(0);
  });

  it("declining in settings forgets the ids and stops identifying", async () => {
    await page.getByRole("button", { name: "Decline analytics" }).click();
    await waitFor(async () => (await context.cookies(app.baseUrl)).find((c) => c.name === "tandem_analytics_consent" && c.value === "denied"), 10_000, "the refusal cookie");
    const me = await page.evaluate(() => fetch("/api/me").then((r) => r.json()));
    expect(me.analytics_consent).toBe("denied");
    await page.reload();
    await page.waitForTimeout(1_000);
    expect((await storedAnalytics()).filter((n) => n.startsWith("ph_"))).toEqual([]);
  });

  it("a visitor who agrees before signing up: no failed request, and the new account starts agreed and identified", async () => {
    const visitor = await browser.newContext();
    const tab = await visitor.newPage();
    const failed: string[] = [];
    tab.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    await tab.goto(`${app.baseUrl}/login`);
    await tab.getByRole("region", { name: "Analytics consent" }).getByRole("button", { name: "Allow analytics" }).click();
    await waitFor(async () => (await visitor.cookies(app.baseUrl)).find((c) => c.name === "tandem_analytics_consent" && c.value === "granted"), 10_000, "the consent cookie");
    await logIn(tab, app, `e2e-agreed-${Date.now()}@example.com`);
    const me = await tab.evaluate(() => fetch("/api/me").then((r) => r.json()));
    expect(me.analytics_consent).toBe("granted");
    const signup = await waitFor(() => allEvents(capture).find((e) => e.server && e.event === "signup" && e.distinct_id === me.id), 20_000, "the signup event");
    expect((signup.properties.$set_once as { email?: string } | undefined)?.email).toBe(me.email);
    expect(signup.properties.$process_person_profile).toBeUndefined();
    expect(failed).toEqual([]);
    await visitor.close();
  });
});

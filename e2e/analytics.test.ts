/**
 * Client analytics in real Chromium against a production build (issue 4): pageviews, the signup-source cookie,
 * identify on login and its reset on logout, all observed on a local capture server standing in for PostHog;
 * and, with no key, proof that no analytics request is made and the posthog-js chunk is never downloaded.
 */
import { gunzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, waitFor, type App } from "./support/app";
import { launchBrowser } from "./support/browser";
import { startCaptureServer, type CaptureServer, type CapturedRequest } from "@/tests/helpers/capture-server";

/** A string only the posthog-js library contains (its bot-filter warning); our wrapper code never does. */
const POSTHOG_JS_MARKER = "looks like a bot";

type PhEvent = { event: string; distinct_id?: string; properties: Record<string, any>; $set?: Record<string, any> };

/** posthog-js sends JSON, gzip (`compression=gzip-js`) or form-encoded base64 (sendBeacon on unload). */
function decodeBody(req: CapturedRequest): unknown {
  let text: string;
  const query = new URL(req.url, "http://capture").searchParams;
  if (query.get("compression") === "gzip-js" || (req.body[0] === 0x1f && req.body[1] === 0x8b)) {
    text = gunzipSync(req.body).toString("utf8");
  } else {
    text = req.body.toString("utf8");
  }
  if (text.startsWith("data=")) {
    text = Buffer.from(new URLSearchParams(text).get("data") ?? "", "base64").toString("utf8");
  }
  return JSON.parse(text);
}

/** Events posted by posthog-js (`/e/`, `/i/v0/e/`); the server's own go to `/batch/` (`capture.batchEvents()`). */
function clientEvents(capture: CaptureServer): PhEvent[] {
  const out: PhEvent[] = [];
  for (const req of capture.requests) {
    if (req.method !== "POST" || !/^\/(e|i\/v0\/e)\/?(\?|$)/.test(req.url)) continue;
    const body = decodeBody(req) as any;
    // One event, an array of them, or `{api_key, batch: [...]}` depending on the posthog-js version and transport.
    const list: any[] = Array.isArray(body) ? body : Array.isArray(body?.batch) ? body.batch : [body];
    for (const ev of list) {
      out.push({
        event: ev.event,
        distinct_id: ev.properties?.distinct_id,
        properties: ev.properties ?? {},
        // posthog-js sends person properties beside `properties`.
        $set: ev.$set,
      });
    }
  }
  return out;
}

/** posthog-js batches for up to a few seconds; a count is only final once that window has passed. */
const SETTLE_MS = 4_000;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

const pageviews = (capture: CaptureServer, url: string) =>
  clientEvents(capture).filter((e) => e.event === "$pageview" && e.properties.$current_url === url);

describe("client analytics with a PostHog key", () => {
  let capture: CaptureServer;
  let app: App;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const scripts: string[] = [];

  beforeAll(async () => {
    capture = await startCaptureServer();
    app = await startApp({ env: { POSTHOG_API_KEY: "phc_e2e", POSTHOG_HOST: capture.url, ANALYTICS_ENVIRONMENT: "dev" } });
    browser = await launchBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    page.on("response", async (res) => {
      if (res.request().resourceType() === "script") scripts.push(await res.text().catch(() => ""));
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await capture?.stop();
  });

  it("a UTM visit sets the first-touch cookie and sends exactly one $pageview", async () => {
    await page.goto(`${app.baseUrl}/?utm_source=twitter&utm_campaign=x`);

    // Written by an effect after hydration, so it can land after the load event.
    const source = await waitFor(
      async () => (await context.cookies(app.baseUrl)).find((c) => c.name === "tandem_signup_source"),
      10_000,
      "the signup-source cookie",
    );
    expect(decodeURIComponent(source.value)).toBe('{"utm_source":"twitter","utm_campaign":"x"}');
    expect(source.value).toBe(encodeURIComponent('{"utm_source":"twitter","utm_campaign":"x"}'));
    expect(source.sameSite).toBe("Lax");
    expect(source.path).toBe("/");
    const days = (source.expires * 1000 - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    await waitFor(() => pageviews(capture, "/?utm_source=twitter&utm_campaign=x").length > 0, 20_000, "the first $pageview");
    await settle();
    expect(pageviews(capture, "/?utm_source=twitter&utm_campaign=x")).toHaveLength(1);
    expect(clientEvents(capture).filter((e) => e.event === "$pageview")).toHaveLength(1);

    const [first] = pageviews(capture, "/?utm_source=twitter&utm_campaign=x");
    expect(first.properties).toMatchObject({ client_type: "web", environment: "dev", event_schema_version: 2, is_demo: false });
    // With a key the wrapper does fetch posthog-js, so the marker below is a real witness for the no-key test.
    expect(scripts.some((s) => s.includes(POSTHOG_JS_MARKER))).toBe(true);
  });

  it("a client-side navigation sends exactly one more $pageview", async () => {
    const before = clientEvents(capture).filter((e) => e.event === "$pageview").length;
    const documents: string[] = [];
    page.on("request", (r) => r.resourceType() === "document" && documents.push(r.url()));
    await page.getByRole("link", { name: "Log in" }).first().click();
    await page.waitForURL(`${app.baseUrl}/login`);
    expect(documents).toEqual([]); // an App Router navigation, not a page load

    await waitFor(() => pageviews(capture, "/login").length > 0, 20_000, "the /login $pageview");
    await settle();
    expect(pageviews(capture, "/login")).toHaveLength(1);
    expect(clientEvents(capture).filter((e) => e.event === "$pageview")).toHaveLength(before + 1);
  });

  let userId = "";

  it("logging in identifies the user, and the server signup event carries the cookie's source", async () => {
    const email = `e2e-analytics-${Date.now()}@example.com`;
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send code" }).click();
    const code = await app.codeFor(email);
    await page.getByLabel("6-digit code").fill(code);
    const verified = page.waitForResponse((r) => r.url().endsWith("/api/auth/verify-code"));
    await page.getByRole("button", { name: "Verify and continue" }).click();
    expect((await verified).status()).toBe(200);
    // The form navigates away at once, which can evict the response body from the browser: ask the server instead.
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    userId = ((await (await page.request.get(`${app.baseUrl}/api/me`)).json()) as { id: string }).id;
    expect(userId).toBeTruthy();

    const identify = await waitFor(() => clientEvents(capture).find((e) => e.event === "$identify"), 20_000, "$identify");
    expect(identify.distinct_id).toBe(userId);
    expect(identify.$set).toMatchObject({ email });

    // The outbox relay is woken by the commit: the event arrives well within a second.
    const signup = await waitFor(() => capture.batchEvents().find((e) => e.event === "signup"), 30_000, "the server signup event");
    expect(signup.distinct_id).toBe(userId);
    expect(signup.properties.signup_source).toBe('{"utm_source":"twitter","utm_campaign":"x"}');
  });

  it("logout resets the distinct id", async () => {
    await page.goto(`${app.baseUrl}/workspaces`);
    await waitFor(
      () => pageviews(capture, "/workspaces").find((e) => e.distinct_id === userId),
      20_000,
      "an identified pageview",
    );
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(`${app.baseUrl}/login`);

    const after = await waitFor(
      () => {
        const all = pageviews(capture, "/login");
        return all.length >= 2 ? all.at(-1) : undefined;
      },
      20_000,
      "a pageview after logout",
    );
    expect(after.distinct_id).toBeTruthy();
    expect(after.distinct_id).not.toBe(userId);
    expect(after.properties).toMatchObject({ client_type: "web", event_schema_version: 2, is_demo: false });
  });
});

describe("client analytics without a PostHog key", () => {
  let capture: CaptureServer;
  let app: App;
  let browser: Browser;

  beforeAll(async () => {
    capture = await startCaptureServer();
    // The host is set on purpose: only the missing key must keep everything off.
    app = await startApp({ env: { POSTHOG_API_KEY: "", POSTHOG_HOST: capture.url } });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await capture?.stop();
  });

  it("makes no analytics request and never downloads the posthog-js chunk", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const requests: string[] = [];
    const scripts: { url: string; body: string }[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("response", async (res) => {
      if (res.request().resourceType() === "script") scripts.push({ url: res.url(), body: await res.text().catch(() => "") });
    });

    const config = page.waitForResponse((r) => r.url().endsWith("/api/config"));
    await page.goto(`${app.baseUrl}/?utm_source=twitter`);
    expect(await (await config).json()).toMatchObject({ posthog_key: "" });
    await page.getByRole("link", { name: "Log in" }).first().click();
    await page.waitForURL(`${app.baseUrl}/login`);
    await settle();

    expect(capture.requests).toEqual([]);
    expect(requests.filter((u) => u.startsWith(capture.url) || new URL(u).pathname.startsWith("/ingest"))).toEqual([]);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => s.body.includes(POSTHOG_JS_MARKER)).map((s) => s.url)).toEqual([]);
    // The cookie does not depend on analytics: the server still needs it for the signup event.
    expect((await context.cookies(app.baseUrl)).some((c) => c.name === "tandem_signup_source")).toBe(true);
    await context.close();
  });
});

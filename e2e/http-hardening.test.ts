/**
 * Issue 11, the server-level items, on the production server (server.mjs + proxy.ts; most of this exists only
 * there): undecodable paths (§2), an oversize chunked body on a keep-alive connection (§3), security headers on
 * pages, APIs and errors (§4), JSON 404/405 for unknown API routes and methods (§5).
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "./support/app";
import { launchBrowser } from "./support/browser";
import { logIn } from "./support/flows";
import { apiSession, rawConnection } from "./support/http";

let app: App;
let cookie: string;
beforeAll(async () => {
  app = await startApp();
  cookie = await apiSession(app, `hardening-${Date.now()}@example.com`);
});
afterAll(async () => {
  await app?.stop();
});

const get = (path: string, init: RequestInit = {}) => fetch(`${app.baseUrl}${path}`, { redirect: "manual", ...init });

/** The headers every response carries, whatever produced it. */
function expectSecurityHeaders(res: Response, what: string) {
  const h = res.headers;
  expect(h.get("x-frame-options"), what).toBe("DENY");
  expect(h.get("x-content-type-options"), what).toBe("nosniff");
  expect(h.get("referrer-policy"), what).toBe("strict-origin-when-cross-origin");
  expect(h.get("permissions-policy"), what).toMatch(/camera=\(\)/);
  expect(h.get("content-security-policy"), what).toContain("frame-ancestors 'none'");
  // APP_URL is not https here.
  expect(h.get("strict-transport-security"), what).toBeNull();
}

const nonceOf = (res: Response) => /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];

describe("bad percent-encoding in the path (§2)", () => {
  it.each(["/api/issues/%", "/api/issues/%E0%A4%A", "/api/workspaces/%zz/members"])("%s is a 400 JSON error naming the problem", async (path) => {
    const res = await get(path, { headers: { cookie } });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect((await res.json()).error).toMatch(/percent-encoding/);
    expectSecurityHeaders(res, path);
  });

  it("a page path that cannot be decoded is a 400 too, not a 500", async () => {
    const res = await get("/w/%E0%A4%A", { headers: { cookie } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/percent-encoding/);
  });
});

describe("an oversize chunked body on a keep-alive connection (§3)", () => {
  const head = (port: number) =>
    `POST /api/auth/send-code HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n` +
    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
  const block = "a".repeat(16 * 1024);

  /** The next request on the same connection is answered at once. */
  async function expectNextRequestServed(conn: Awaited<ReturnType<typeof rawConnection>>, n: number) {
    const asked = Date.now();
    conn.socket.write(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const next = await conn.response(n, 1_000);
    expect(next.status).toBe(200);
    expect(Date.now() - asked).toBeLessThan(1_000);
    expect(conn.closed()).toBeUndefined();
    conn.socket.destroy();
  }

  const expect413 = async (conn: Awaited<ReturnType<typeof rawConnection>>) => {
    const refused = await conn.response(1);
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body).error).toMatch(/larger than/);
    expect(refused.headers.connection?.toLowerCase()).not.toBe("close");
  };

  const waitClosed = async (conn: Awaited<ReturnType<typeof rawConnection>>, ms: number) => {
    const deadline = Date.now() + ms;
    while (!conn.closed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const closed = conn.closed();
    expect(closed, `connection closed within ${ms} ms`).toBeDefined();
    return closed!;
  };

  it("the whole body sent at once: 413 JSON, and the same connection serves the next request", async () => {
    const conn = await rawConnection(app);
    conn.socket.write(head(app.port) + chunk(block).repeat(16) + "0\r\n\r\n");
    await expect413(conn);
    await expectNextRequestServed(conn, 2);
    expect((await get("/api/health")).status).toBe(200);
  });

  it("the client sends the rest only after the answer: it is read and dropped, and the connection serves the next request", async () => {
    const conn = await rawConnection(app);
    conn.socket.write(head(app.port) + chunk(block).repeat(4));
    await expect413(conn);
    conn.socket.write(chunk(block).repeat(4) + "0\r\n\r\n");
    await expectNextRequestServed(conn, 2);
  });

  it("a body that never ends is not waited for: after the 413 the connection closes cleanly within seconds", async () => {
    const conn = await rawConnection(app);
    conn.socket.write(head(app.port) + chunk(block).repeat(4));
    await expect413(conn);
    expect((await waitClosed(conn, 5_000)).error, "closed without a reset").toBeUndefined();
    expect((await get("/api/health")).status).toBe(200);
  });

  it("a declared Content-Length too large to drain: the 413 says the connection closes, and it does, cleanly", async () => {
    const conn = await rawConnection(app);
    conn.socket.write(
      `POST /api/auth/send-code HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\nOrigin: ${app.baseUrl}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${3 * 1024 * 1024}\r\n\r\n` + block,
    );
    const refused = await conn.response(1);
    expect(refused.status).toBe(413);
    expect(refused.headers.connection?.toLowerCase()).toBe("close");
    await waitClosed(conn, 5_000);
    expect((await get("/api/health")).status).toBe(200);
  });

  it("a declared Content-Length over the limit: 413 JSON before the body; once it has arrived, the next request is served", async () => {
    const conn = await rawConnection(app);
    conn.socket.write(
      `POST /api/auth/send-code HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\nOrigin: ${app.baseUrl}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${200 * 1024}\r\n\r\n` + block,
    );
    await expect413(conn);
    conn.socket.write("a".repeat((200 - 16) * 1024)); // the rest of the declared body
    await expectNextRequestServed(conn, 2);
  });
});

describe("security headers (§4)", () => {
  it("a page has a per-request nonce CSP that every script tag carries", async () => {
    const first = await get("/login");
    expect(first.status).toBe(200);
    expectSecurityHeaders(first, "/login");
    const csp = first.headers.get("content-security-policy")!;
    const nonce = nonceOf(first);
    expect(nonce).toBeTruthy();
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toMatch(/connect-src 'self';/); // no analytics host configured
    expect(csp).not.toContain("upgrade-insecure-requests");
    const html = await first.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);

    const second = await get("/login");
    expect(nonceOf(second)).toBeTruthy();
    expect(nonceOf(second)).not.toBe(nonce);
  });

  it("authenticated pages and API answers are no-store and carry the headers", async () => {
    for (const path of ["/workspaces", "/settings"]) {
      const page = await get(path, { headers: { cookie } });
      expect(page.status, path).toBe(200);
      expectSecurityHeaders(page, path);
      expect(nonceOf(page), path).toBeTruthy();
      expect(page.headers.get("cache-control"), path).toContain("no-store");
    }
    for (const path of ["/api/me", "/api/workspaces"]) {
      const res = await get(path, { headers: { cookie } });
      expect(res.status, path).toBe(200);
      expectSecurityHeaders(res, path);
      expect(res.headers.get("cache-control"), path).toBe("no-store");
      expect(res.headers.get("content-security-policy"), path).toContain("default-src 'none'");
    }
  });

  it("errors, 404s and assets carry them too", async () => {
    const html = await (await get("/login")).text();
    const asset = /<script[^>]+src="(\/_next\/static\/[^"]+)"/.exec(html)![1];
    const cases: [string, RequestInit, number][] = [
      ["/api/me", {}, 401],
      ["/api/nope", {}, 404],
      ["/api/health", { method: "DELETE" }, 405],
      ["/api/issues/%", {}, 400],
      ["/api/auth/send-code", { method: "POST", headers: { origin: app.baseUrl, "content-type": "application/json" }, body: "{" }, 400],
      ["/no-such-page", {}, 404],
      ["/_next/static/no-such-file.js", {}, 404],
      [asset, {}, 200],
    ];
    for (const [path, init, status] of cases) {
      const res = await get(path, init);
      expect(res.status, path).toBe(status);
      expectSecurityHeaders(res, path);
      if (path.startsWith("/api/")) expect(res.headers.get("cache-control"), path).toBe("no-store");
    }
    const page404 = await get("/no-such-page");
    expect(nonceOf(page404)).toBeTruthy();
  });

  it("the session cookie is httpOnly, SameSite=Lax and Secure in production (API.md; no APP_URL says plain http here)", async () => {
    let header = "";
    await apiSession(app, `cookie-${Date.now()}@example.com`, { setCookie: (h) => (header = h) });
    const attributes = header.split(/;\s*/).slice(1).map((a) => a.toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "secure", "path=/"]));
  });

  it("HSTS and upgrade-insecure-requests with an https APP_URL; the PostHog host is allowed only when configured", async () => {
    const secure = await startApp({ env: { APP_URL: "https://tandem.example", POSTHOG_API_KEY: "phc_e2e", POSTHOG_HOST: "https://eu.i.posthog.com" } });
    try {
      for (const path of ["/login", "/api/health", "/api/nope"]) {
        const res = await fetch(`${secure.baseUrl}${path}`);
        expect(res.headers.get("strict-transport-security"), path).toMatch(/max-age=\d+/);
      }
      const csp = (await fetch(`${secure.baseUrl}/login`)).headers.get("content-security-policy")!;
      expect(csp).toMatch(/connect-src 'self' https:\/\/eu\.i\.posthog\.com/);
      expect(csp).toContain("upgrade-insecure-requests");
    } finally {
      await secure.stop();
    }
  });

  describe("in Chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("the app runs under its CSP with no violation, and refuses to be framed", async () => {
      const context = await browser.newContext();
      await context.addInitScript(() => {
        const w = window as unknown as { __cspViolations: string[] };
        w.__cspViolations = [];
        document.addEventListener("securitypolicyviolation", (e) => w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      const page = await context.newPage();
      // A login through the UI needs hydrated React: proof the nonce'd scripts (and their chunks) ran.
      await logIn(page, app, `csp-${Date.now()}@example.com`);
      await page.goto(`${app.baseUrl}/workspaces`);
      await page.getByLabel("Workspace name").waitFor();
      expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);

      // Another origin trying to frame a page gets nothing rendered in the frame.
      const framer = await context.newPage();
      await framer.setContent(`<iframe id="f" src="${app.baseUrl}/login"></iframe>`);
      await framer.waitForTimeout(1_000);
      const framedHasForm = await framer
        .frame({ url: /\/login/ })
        ?.evaluate(() => document.querySelector("form") !== null)
        .catch(() => false);
      expect(framedHasForm ?? false).toBe(false);
      await context.close();
    });
  });
});

describe("request targets and methods Node handles before any route", () => {
  const raw = async (request: string) => {
    const conn = await rawConnection(app);
    conn.socket.write(request);
    const res = await conn.response(1);
    conn.socket.destroy();
    return res;
  };

  it("'*' is a JSON 400, not Next's 500; an absolute-form target is served as its path, never redirected to its host", async () => {
    for (const method of ["OPTIONS", "GET"]) {
      const star = await raw(`${method} * HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\n\r\n`);
      expect(star.status).toBe(400);
      expect(JSON.parse(star.body).error).toBe("malformed request target");
    }
    const absolute = await raw(`GET http://evil.example/api/health HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\n\r\n`);
    expect(absolute.status).toBe(200);
    expect(absolute.headers.location).toBeUndefined();
  });

  it("CONNECT and an unsupported Expect get JSON answers with the security headers", async () => {
    const connect = await raw(`CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`);
    expect(connect.status).toBe(405);
    expect(JSON.parse(connect.body).error).toMatch(/CONNECT/);
    expect(connect.headers["x-content-type-options"]).toBe("nosniff");
    const expectation = await raw(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\nExpect: bogus\r\n\r\n`);
    expect(expectation.status).toBe(417);
    expect(JSON.parse(expectation.body).error).toMatch(/100-continue/);
  });
});

describe("the analytics proxy's paths", () => {
  it("posthog-js's trailing-slash paths (/ingest/e/) are served as they are without one, not redirected", async () => {
    for (const path of ["/ingest/e", "/ingest/e/", "/ingest/i/v0/e/?compression=gzip-js", "/ingest/flags/?v=2"]) {
      const res = await get(path, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
      expect(res.status, path).not.toBe(308);
      expect(res.headers.get("location"), path).toBeNull();
      expect(res.status, path).toBe((await get("/ingest/e", { method: "POST", body: "{}", headers: { "content-type": "application/json" } })).status);
    }
  });
});

describe("unknown API routes and methods (§5)", () => {
  it.each([
    ["GET", "/api/nope"],
    ["POST", "/api/nope"],
    ["DELETE", "/api/nope/deeper/still"],
    ["PATCH", "/api/issues/123/nope"],
    ["GET", "/api"],
  ])("%s %s is a JSON 404", async (method, path) => {
    const res = await get(path, { method, headers: { origin: app.baseUrl, cookie } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect((await res.json()).error).toMatch(/no such API route/);
  });

  it.each([
    ["DELETE", "/api/health", ["GET", "HEAD", "OPTIONS"]],
    ["PUT", "/api/auth/send-code", ["OPTIONS", "POST"]],
    ["PROPFIND", "/api/health", ["GET", "HEAD", "OPTIONS"]],
    ["PUT", "/api/issues/8d0f6f3e-1111-4222-8333-944445555666/comments", ["GET", "HEAD", "OPTIONS", "POST"]],
  ])("%s %s is a JSON 405 with Allow", async (method, path, allow) => {
    const res = await get(path, { method, headers: { origin: app.baseUrl, cookie } });
    expect(res.status).toBe(405);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect((await res.json()).error).toContain(method);
    expect(res.headers.get("allow")?.split(/,\s*/).sort()).toEqual(allow);
  });

  /** One raw request (for what fetch cannot send) and its answer. */
  async function rawRequest(text: string) {
    const conn = await rawConnection(app);
    conn.socket.write(text);
    const res = await conn.response(1);
    conn.socket.destroy();
    return res;
  }

  it("TRACE, which Next cannot take, is a JSON 405 with Allow on a route, a JSON 404 elsewhere, never a 500", async () => {
    const onRoute = await rawRequest("TRACE /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    expect(onRoute.status).toBe(405);
    expect(onRoute.headers["content-type"]).toMatch(/^application\/json/);
    expect(onRoute.headers.allow?.split(/,\s*/).sort()).toEqual(["GET", "HEAD", "OPTIONS"]);
    expect(JSON.parse(onRoute.body).error).toContain("TRACE");
    const unknown = await rawRequest("TRACE /api/nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error).toMatch(/no such API route/);
    const page = await rawRequest("TRACE / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    expect(page.status).toBe(405);
    expect(page.headers.allow).toBe("GET, HEAD");
  });

  it.each([
    ["a method Node's parser does not know", "FOO /api/me HTTP/1.1\r\nHost: x\r\n\r\n", 400],
    ["both Content-Length and chunked", "GET /api/me HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400],
    ["a header over the size limit", `GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
  ])("a request the HTTP parser refuses (%s) is answered in JSON with the security headers", async (_what, text, status) => {
    const res = await rawRequest(text);
    expect(res.status).toBe(status);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(res.body).error).toBeTruthy();
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(res.headers.connection).toBe("close");
  });

  it("an unknown page stays an HTML 404 page", async () => {
    const res = await get("/definitely/not/here");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await res.text()).toContain("This page does not exist");
  });
});

/**
 * The walking skeleton, for real: a production build, Chromium, the login code read from the server log,
 * a workspace that survives a restart on the embedded database, and two app nodes sharing PostgreSQL + Redis.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import net from "node:net";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, deleteRedisPrefix, dropTestDatabase, TEST_REDIS_URL } from "@/tests/setup/services";
import { startApp, waitFor, type App } from "./support/app";
import { launchBrowser } from "./support/browser";
import { signUpWithWorkspace } from "./support/flows";
import { ROOT } from "./support/paths";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("embedded default (PGlite, memory store)", () => {
  it("a person signs up with the logged code, creates a workspace and finds it after a restart", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-e2e-"));
    let app = await startApp({ dataDir });
    const email = `founder-${Date.now()}@example.com`;
    try {
      // server.mjs loads every route's code once the warm-up request has answered (next.config.ts: Next's own
      // preloading is off): through Next internals, so a Next upgrade that moves them shows here.
      await waitFor(() => /> routes preloaded in \d+ ms/.test(app.logs()) || undefined, 30_000, "routes preloaded");
      expect(app.logs()).not.toContain("preloading routes failed");
      const page = await signUpWithWorkspace(browser, app, email, "Acme Robotics");
      await page.waitForURL(/\/w\/acme-robotics/);
      await page.getByRole("heading", { name: "Acme Robotics" }).waitFor();
      expect(await page.getByText("ACM", { exact: true }).first().isVisible()).toBe(true);
      const cookies = await page.context().cookies();
      await page.close();

      expect(await app.stop()).toBe(0);
      app = await startApp({ dataDir });
      const ctx = await browser.newContext();
      await ctx.addCookies(cookies.map((c) => ({ ...c, domain: "127.0.0.1" })).filter((c) => c.name === "tandem_session"));
      const again = await ctx.newPage();
      await again.goto(`${app.baseUrl}/workspaces`);
      expect(await again.getByRole("link", { name: "Acme Robotics" }).isVisible()).toBe(true);
      await ctx.close();
    } finally {
      await app.stop();
    }
  });

  it("keyboard only: the login form is reachable and labelled", async () => {
    const app = await startApp();
    try {
      const page = await browser.newPage();
      await page.goto(`${app.baseUrl}/login`);
      await page.keyboard.press("Tab");
      let focused = "";
      for (let i = 0; i < 10 && focused !== "login-email"; i++) {
        focused = await page.evaluate(() => document.activeElement?.id ?? "");
        if (focused !== "login-email") await page.keyboard.press("Tab");
      }
      expect(focused).toBe("login-email");
      await page.keyboard.type("kb@example.com");
      await page.keyboard.press("Enter");
      await page.getByLabel("6-digit code").waitFor();
      await page.close();
    } finally {
      await app.stop();
    }
  });
});

describe("start-up failures are loud", () => {
  it.each([
    [{ DATABASE_URL: "mysql://nope" }, /DATABASE_URL: expected a postgres/],
    [{ ALLOW_SIGNUP: "perhaps" }, /ALLOW_SIGNUP: expected true\/false/],
    [{ DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" }, /cannot start: database/],
    [{ PORT: "abc" }, /cannot start: configuration: PORT: expected a port number/],
    [{ SHUTDOWN_TIMEOUT_MS: "3000000000" }, /SHUTDOWN_TIMEOUT_MS: expected a positive number of milliseconds/],
    [{ DB_STATEMENT_TIMEOUT_MS: "99999999999" }, /DB_STATEMENT_TIMEOUT_MS: expected at most 2147483647 ms/],
    [{ HOST: "no.such.host.invalid" }, /cannot start: listen on no\.such\.host\.invalid/],
    [{ REDIS_URL: "redis://127.0.0.1:1" }, /cannot start: redis: .*ECONNREFUSED/], // the cause, not "Connection is closed."
  ])("%o exits non-zero and says why on stderr", (env, message) => {
    const res = startBadly(env);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(message);
  });

  it("a port in use is a loud exit, not a server that never serves", async () => {
    const holder = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => holder.once("listening", r));
    try {
      const res = startBadly({ PORT: String((holder.address() as net.AddressInfo).port) });
      expect(res.status).toBe(1);
      expect(res.stderr).toMatch(/cannot start: listen on 127\.0\.0\.1:\d+: listen EADDRINUSE/);
    } finally {
      holder.close();
    }
  });
});

function startBadly(env: Record<string, string>) {
  return spawnSync(process.execPath, ["server.mjs"], {
    cwd: ROOT,
    env: { ...process.env, NEXT_DIST_DIR: process.env.E2E_DIST_DIR ?? ".next-e2e", PORT: "0", HOST: "127.0.0.1", DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bad-")), ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("two app nodes sharing PostgreSQL and Redis", () => {
  let db: { name: string; url: string };
  const prefix = `tandem-e2e:${Date.now().toString(36)}:`;
  let a: App;
  let b: App;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix };
    a = await startApp({ env });
    b = await startApp({ env });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    if (db) await dropTestDatabase(db.name);
    await deleteRedisPrefix(prefix);
  });

  const post = (app: App, p: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${app.baseUrl}${p}`, { method: "POST", headers: { "content-type": "application/json", origin: app.baseUrl, ...headers }, body: JSON.stringify(body) });

  it("a session created on one node is accepted by the other; health reports redis ok", async () => {
    expect(await (await fetch(`${b.baseUrl}/api/health`)).json()).toEqual({ status: "ok", db: "ok", redis: "ok" });
    const email = `two-nodes-${Date.now()}@example.com`;
    expect((await post(a, "/api/auth/send-code", { email })).status).toBe(200);
    const code = await a.codeFor(email);
    const verified = await post(b, "/api/auth/verify-code", { email, code });
    expect(verified.status).toBe(200);
    const cookie = verified.headers.get("set-cookie")!.split(";")[0]!;
    const me = await fetch(`${a.baseUrl}/api/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect((await me.json()).email).toBe(email);
  });

  it("rate limits are shared: the per-email send-code limit holds across nodes", async () => {
    const email = `limited-${Date.now()}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(i % 2 ? a : b, "/api/auth/send-code", { email })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

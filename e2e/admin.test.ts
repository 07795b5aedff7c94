/**
 * The operator page in Chromium against the production build: 404 for anonymous visitors and non-admins, the
 * funnel from the database (by day and by signup source) beside the live counters, a uPlot chart, the same numbers
 * readable without JavaScript, a CSV download. A full-page screenshot is kept as a test artifact
 * (test-results/e2e/admin.png).
 */
import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "./support/app";
import { launchBrowser } from "./support/browser";
import { logIn } from "./support/flows";
import { ROOT } from "./support/paths";

const ADMIN = `ops-${Date.now()}@example.com`;
const MEMBER = `member-${Date.now()}@example.com`;
const SCREENSHOT = path.join(ROOT, "test-results/e2e/admin.png");
let app: App;
let browser: Browser;
let adminCtx: BrowserContext;

beforeAll(async () => {
  app = await startApp({ env: { ADMIN_EMAILS: ADMIN, METRICS_TOKEN: "e2e-admin-metrics" } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const today = () => new Date().toISOString().slice(0, 10);

describe("/admin", () => {
  it("does not exist for anonymous visitors and signed-in non-admins", async () => {
    expect((await fetch(`${app.baseUrl}/admin`)).status).toBe(404);
    expect((await fetch(`${app.baseUrl}/admin/export?table=days`)).status).toBe(404);
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await logIn(page, app, MEMBER);
    const res = await page.goto(`${app.baseUrl}/admin`);
    expect(res!.status()).toBe(404);
    expect(await page.locator("h1", { hasText: "Operator" }).count()).toBe(0);
    expect(await page.title()).toBe("Not found · Tandem"); // "Operator" would say the page exists
    expect((await page.request.get(`${app.baseUrl}/admin/export?table=days`)).status()).toBe(404);
    await ctx.close();
  });

  it("shows the admin the funnel from the database beside the live counters, with a chart and a CSV", async () => {
    adminCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Arriving from GitHub: the first-touch cookie the client would set.
    await adminCtx.addCookies([{ name: "tandem_signup_source", value: encodeURIComponent(JSON.stringify({ utm_source: "github" })), url: app.baseUrl }]);
    const page = await adminCtx.newPage();
    await logIn(page, app, ADMIN);
    await page.goto(`${app.baseUrl}/workspaces`);
    await page.getByLabel("Workspace name").fill("Ops HQ");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.waitForURL(/\/w\/[a-z0-9-]+$/);

    const res = await page.goto(`${app.baseUrl}/admin`);
    expect(res!.status()).toBe(200);
    await page.getByRole("heading", { name: "Operator" }).waitFor();

    // Today: two signups (the member and the admin), one workspace; by source: github (admin) and direct (member).
    const todayRow = page.locator("#funnel-by-day tbody tr", { has: page.locator(`th:text-is("${today()}")`) });
    const cells = await todayRow.locator("td").allTextContents();
    expect(cells).toEqual(["2", "1", "0", "0"]); // a day counts what happened: no percentages
    // The funnel counts users who signed up in the window: a second workspace by the same admin is no conversion.
    await page.goto(`${app.baseUrl}/workspaces`);
    await page.getByLabel("Workspace name").fill("Ops HQ Two");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.waitForURL(/\/w\/[a-z0-9-]+$/);
    await page.goto(`${app.baseUrl}/admin`);
    const funnel = await page.locator("table.admin-steps tbody td").allTextContents();
    expect(funnel.slice(0, 2)).toEqual(["2", "1 (50.0 %)"]);
    expect(await todayRow.locator("td").nth(1).textContent()).toBe("2");
    const github = await page.locator("#funnel-by-source tbody tr", { has: page.locator('th:text-is("github")') }).locator("td").allTextContents();
    expect(github[0]).toBe("1");
    expect(github[1]).toMatch(/^1 \(100\.0 %\)$/);
    expect(await page.locator("#funnel-by-source tbody th", { hasText: "direct" }).count()).toBe(1);

    // Live counters of this node beside the database: no drift.
    const signups = await page.locator('tr[data-step="signups"] td').allTextContents();
    expect(signups).toEqual(["2", "2", "0"]);
    await page.getByText("Counters and database agree.").waitFor();

    // The uPlot chart drew itself above the table.
    await page.locator('[data-testid="funnel-chart"] .uplot canvas').waitFor();

    // CSV download from the link.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).first().click()]);
    expect(download.suggestedFilename()).toBe(`tandem-funnel-days-${today()}.csv`);
    const csv = fs.readFileSync((await download.path())!, "utf8");
    expect(csv.split("\r\n")[0]).toBe("date,signups,workspaces,onboarded,executed");
    expect(csv).toContain(`${today()},2,2,0,0`);

    await page.locator("#task-health").waitFor();
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });

  it("on a phone: its tables scroll by keyboard too, no serious or critical axe violation, one title suffix", async () => {
    const ctx = await browser.newContext({ storageState: await adminCtx.storageState(), viewport: { width: 375, height: 812 } });
    const page = await ctx.newPage();
    await page.goto(`${app.baseUrl}/admin`);
    await page.getByRole("heading", { name: "Operator" }).waitFor();
    expect(await page.title()).toBe("Operator · Tandem");
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
    // A way back into the app.
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Back to your workspace" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/admin"));
    await ctx.close();
  });

  it("is readable without JavaScript: the tables carry every number", async () => {
    const ctx = await browser.newContext({ storageState: await adminCtx.storageState(), javaScriptEnabled: false });
    const page = await ctx.newPage();
    expect((await page.goto(`${app.baseUrl}/admin`))!.status()).toBe(200);
    const todayRow = page.locator("#funnel-by-day tbody tr", { has: page.locator(`th:text-is("${today()}")`) });
    expect((await todayRow.locator("td").allTextContents())[0]).toBe("2");
    expect(await page.locator("#funnel-by-day tbody tr").count()).toBe(30);
    expect(await page.locator('[data-testid="funnel-chart"] canvas').count()).toBe(0);
    await ctx.close();
    await adminCtx.close();
  });
});

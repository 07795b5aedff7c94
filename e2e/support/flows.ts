/**
 * Steps several specs take the same way: logging in with the code from the server log, signing up straight into
 * a new workspace, and reading /api/metrics. A spec that asserts something between these steps keeps its own.
 */
import type { Browser, Page } from "playwright-core";
import { expect } from "vitest";
import { startCaptureServer, type CaptureServer } from "@/tests/helpers/capture-server";
import { startApp, type App } from "./app";
import { launchBrowser } from "./browser";

/** Logs `email` in on `page` through /login; resolves once the app has navigated away from /login. */
export async function logIn(page: Page, app: App, email: string): Promise<void> {
  await page.goto(`${app.baseUrl}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByLabel("6-digit code").fill(await app.codeFor(email));
  await page.getByRole("button", { name: "Verify and continue" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

/** A new page, logged in as `email`, on the home of a workspace it has just created on /workspaces. */
export async function signUpWithWorkspace(browser: Browser, app: App, email: string, workspaceName: string): Promise<Page> {
  const page = await browser.newPage();
  await logIn(page, app, email);
  await page.goto(`${app.baseUrl}/workspaces`);
  await page.getByLabel("Workspace name").fill(workspaceName);
  await page.getByRole("button", { name: "Create workspace" }).click();
  await page.waitForURL(/\/w\/[a-z0-9-]+$/);
  return page;
}

/** The Prometheus text from /api/metrics, read with the app's METRICS_TOKEN. */
export async function scrapeMetrics(app: App, token: string): Promise<string> {
  const res = await fetch(`${app.baseUrl}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return res.text();
}

export type Stack = { capture: CaptureServer; app: App; browser: Browser; page: Page; stop: () => Promise<void> };

/** A capture server standing in for PostHog, the app pointed at it (with a metrics token), Chromium and one page. */
export async function startAnalyticsStack(metricsToken: string): Promise<Stack> {
  const capture = await startCaptureServer();
  const app = await startApp({ env: { POSTHOG_API_KEY: "phc_e2e", POSTHOG_HOST: capture.url, METRICS_TOKEN: metricsToken } });
  const browser = await launchBrowser();
  const page = await (await browser.newContext()).newPage();
  return {
    capture,
    app,
    browser,
    page,
    stop: async () => {
      await browser.close();
      await app.stop();
      await capture.stop();
    },
  };
}

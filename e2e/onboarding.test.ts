/**
 * A new user signs up in Chromium, walks the whole onboarding flow (welcome → source → role → use case →
 * workspace → runtime), lands in their workspace and sends feedback from the signed-in shell. The capture server
 * (standing in for PostHog) and /api/metrics must show the server events and their label values.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CaptureServer, type CapturedEvent } from "@/tests/helpers/capture-server";
import { waitFor, type App } from "./support/app";
import { logIn, scrapeMetrics, startAnalyticsStack, type Stack } from "./support/flows";
import { fakeDaemon } from "./support/ui";

const METRICS_TOKEN = "e2e-onboarding-metrics";

/** posthog-node flushes every 10 s: wait until every named event has arrived. */
function eventsNamed(capture: CaptureServer, names: string[]): Promise<Record<string, CapturedEvent[]>> {
  return waitFor(
    () => {
      const all = capture.batchEvents();
      const byName = Object.fromEntries(names.map((n) => [n, all.filter((e) => e.event === n)]));
      return names.every((n) => byName[n]!.length > 0) ? byName : undefined;
    },
    40_000,
    `server events ${names.join(", ")}`,
  );
}

describe("onboarding in the browser", () => {
  let stack: Stack;
  let capture: CaptureServer;
  let app: App;
  let page: Page;
  const email = `e2e-${Date.now()}@robotics.example`;

  beforeAll(async () => {
    stack = await startAnalyticsStack(METRICS_TOKEN);
    ({ capture, app, page } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("a new user goes through the full flow and lands in their workspace", async () => {
    await logIn(page, app, email);
    await page.waitForURL(`${app.baseUrl}/onboarding`);

    await page.getByRole("heading", { name: "Welcome to Tandem" }).waitFor();
    // A brand-new user has no workspace, so there is nothing to skip to.
    expect(await page.getByRole("button", { name: "I've done this before" }).count()).toBe(0);
    await page.getByRole("button", { name: "Get started" }).click();

    await page.getByRole("heading", { name: "How did you hear about Tandem?" }).waitFor();
    await page.getByLabel("Search engine").check();
    await page.getByRole("button", { name: "Continue" }).click();

    // The role step by keyboard only: focus is on the step heading, Tab reaches the first option.
    const roleHeading = page.getByRole("heading", { name: "What best describes your role?" });
    await roleHeading.waitFor();
    await waitFor(() => roleHeading.evaluate((h) => document.activeElement === h), 5_000, "focus on the step heading");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    expect(await page.getByLabel("Engineer").isChecked()).toBe(true);
    await page.keyboard.press("Enter");

    await page.getByRole("heading", { name: "What do you want to use Tandem for?" }).waitFor();
    await page.getByLabel("Ship code with agents").check();
    await page.getByLabel("Something else").check();
    await page.getByLabel("Tell us more (optional)").fill("robot fleets");
    await page.getByRole("button", { name: "Continue" }).click();

    await page.getByRole("heading", { name: "Your workspace" }).waitFor();
    await page.getByLabel("Workspace name").fill("E2E Robotics");
    await page.getByRole("button", { name: "Continue" }).click();

    await page.getByRole("heading", { name: "Connect a runtime" }).waitFor();
    // Back offers the workspace just created (selected), so Continue does not create a second one.
    await page.getByRole("button", { name: "Back", exact: true }).click();
    await page.getByRole("heading", { name: "Your workspace" }).waitFor();
    expect(await page.getByLabel("Use E2E Robotics").isChecked()).toBe(true);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Connect a runtime" }).waitFor();
    const mine = await page.evaluate(() => fetch("/api/workspaces").then((r) => r.json()));
    expect(mine.workspaces.map((w: { name: string }) => w.name)).toEqual(["E2E Robotics"]);
    // "I've started the daemon" checks for an online runtime: mint the token here and register one with it.
    await page.getByRole("button", { name: "Create daemon token" }).click();
    const command = (await page.getByLabel("daemon command", { exact: true }).locator("pre").textContent()) ?? "";
    await fakeDaemon(app, /TANDEM_WORKSPACE_ID=(\S+)/.exec(command)![1]!, /TANDEM_TOKEN=(tdd_\S+)/.exec(command)![1]!);
    await page.getByRole("button", { name: "I've started the daemon" }).click();
    await page.waitForURL(/\/w\/e2e-robotics$/);

    // Onboarded users go to their workspace, from /home and from /onboarding alike.
    await page.goto(`${app.baseUrl}/home`);
    await page.waitForURL(/\/w\/e2e-robotics$/);
    await page.goto(`${app.baseUrl}/onboarding`);
    await page.waitForURL(/\/w\/e2e-robotics$/);
  });

  it("sends feedback of kind bug from the workspace shell", async () => {
    await page.getByRole("button", { name: "Feedback" }).click();
    const dialog = page.getByRole("dialog", { name: "Send feedback" });
    await dialog.getByLabel("Bug").check();
    await dialog.getByLabel("Message").fill("The board does not refresh after a drag ![shot](https://x.example/a.png)");
    await dialog.getByRole("button", { name: "Send feedback" }).click();
    await dialog.getByRole("status").waitFor();
    expect(await dialog.getByRole("status").textContent()).toContain("Thank you");
  });

  it("the capture server and /api/metrics show the events with real label values", async () => {
    const ev = await eventsNamed(capture, [
      "onboarding_started",
      "onboarding_questionnaire_submitted",
      "onboarding_completed",
      "feedback_submitted",
    ]);
    expect(ev.onboarding_started).toHaveLength(1);
    expect(ev.onboarding_started![0]!.properties.platform).toBe("web");
    expect(ev.onboarding_questionnaire_submitted).toHaveLength(1);
    expect(ev.onboarding_questionnaire_submitted![0]!.properties).toMatchObject({
      source: ["search"],
      role: "engineer",
      use_case: ["ship_code", "other"],
      use_case_has_other: true,
    });
    expect(JSON.stringify(capture.batchEvents())).not.toContain("robot fleets");
    expect(ev.onboarding_completed).toHaveLength(1);
    expect(ev.onboarding_completed![0]!.properties).toMatchObject({ completion_path: "full", joined_cloud_waitlist: false });
    expect(ev.feedback_submitted![0]!.properties).toMatchObject({ kind: "bug", platform: "web", has_images: true });

    const metrics = await scrapeMetrics(app, METRICS_TOKEN);
    expect(metrics).toMatch(/^tandem_onboarding_started_total\{platform="web"\} 1$/m);
    expect(metrics).toMatch(/^tandem_onboarding_questionnaire_submitted_total 1$/m);
    expect(metrics).toMatch(/^tandem_onboarding_completed_total\{path="full"\} 1$/m);
    expect(metrics).toMatch(/^tandem_feedback_submitted_total\{kind="bug",platform="web"\} 1$/m);
  });
});

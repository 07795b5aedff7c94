/**
 * A visitor (no account) opens /contact-sales from the landing page and submits the form in Chromium. A free-mail
 * address is refused in the page; the business address goes through. The capture server and /api/metrics show
 * `contact_sales_submitted` with `form_source`/`source` = page.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CaptureServer } from "@/tests/helpers/capture-server";
import { waitFor, type App } from "./support/app";
import { scrapeMetrics, startAnalyticsStack, type Stack } from "./support/flows";

const METRICS_TOKEN = "e2e-contact-sales-metrics";

describe("contact sales in the browser", () => {
  let stack: Stack;
  let capture: CaptureServer;
  let app: App;
  let page: Page;

  beforeAll(async () => {
    stack = await startAnalyticsStack(METRICS_TOKEN);
    ({ capture, app, page } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("a visitor submits the form from the public page", async () => {
    await page.goto(app.baseUrl);
    await page.getByRole("link", { name: "Contact sales" }).first().click();
    await page.waitForURL(`${app.baseUrl}/contact-sales`);

    const form = page.getByTestId("contact-sales-form");
    await form.getByLabel("First name").fill("Grace");
    await form.getByLabel("Last name").fill("Hopper");
    await form.getByLabel("Business email").fill("grace@gmail.com");
    await form.getByLabel("Company name").fill("Compilers Inc");
    await form.getByLabel("Company size").selectOption("201-500");
    await form.getByLabel("Country or region").fill("United States");
    await form.getByLabel("What would you like to do?").selectOption("self_host");
    await form.getByLabel("Goals (optional)").fill("Run agents next to our compilers");
    await form.getByLabel("You may contact me about this request").check();
    // The honeypot is out of the tab order and of the accessibility tree, so people never fill it.
    expect(await page.locator('input[name="website"]').getAttribute("tabindex")).toBe("-1");
    expect(await page.getByRole("textbox", { name: "Website" }).count()).toBe(0);

    await form.getByRole("button", { name: "Contact sales" }).click();
    await form.getByRole("alert").waitFor();
    expect(await form.getByRole("alert").textContent()).toMatch(/please use a business email address/i);

    await form.getByLabel("Business email").fill("grace@compilers.example");
    await form.getByRole("button", { name: "Contact sales" }).click();
    const done = page.getByRole("status").filter({ hasText: "Thanks" });
    await done.waitFor();
    expect(await done.textContent()).toContain("Thanks, we will be in touch");
  });

  it("the capture server and /api/metrics show contact_sales_submitted with source page", async () => {
    const [ev] = await waitFor(
      () => {
        const found = capture.batchEvents().filter((e) => e.event === "contact_sales_submitted");
        return found.length > 0 ? found : undefined;
      },
      40_000,
      "contact_sales_submitted at the capture server",
    );
    expect(ev!.properties).toMatchObject({ form_source: "page", company_size: "201-500", use_case: "self_host", has_goals: true });
    // distinct_id = inquiry id (TELEMETRY.md §3), with the visitor's session; the visitor's own anonymous posthog-js
    // id (a UUIDv7) is aliased to it (issue 16 stitching).
    expect(ev!.distinct_id).toBe(ev!.properties.inquiry_id);
    expect(ev!.properties.$session_id).toEqual(expect.any(String));
    const alias = capture.batchEvents().find((e) => e.event === "$create_alias" && e.distinct_id === ev!.distinct_id);
    expect(alias?.properties.alias).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    const wire = JSON.stringify(ev);
    for (const secret of ["Grace", "Hopper", "compilers.example", "Run agents"]) expect(wire).not.toContain(secret);

    const metrics = await scrapeMetrics(app, METRICS_TOKEN);
    expect(metrics).toMatch(/^tandem_contact_sales_submitted_total\{source="page"\} 1$/m);
  });
});

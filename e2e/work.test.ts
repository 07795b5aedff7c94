/**
 * The work domain in a real browser against the production build: create an agent and an issue through the UI,
 * assign the issue to the agent on the issue page, and find it in the list filtered by that agent.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, waitFor, type App } from "./support/app";
import { launchBrowser } from "./support/browser";
import { signUpWithWorkspace } from "./support/flows";

let browser: Browser;
let app: App;
beforeAll(async () => {
  browser = await launchBrowser();
  app = await startApp();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe("work domain UI", () => {
  it("creates an agent and an issue, assigns the issue to the agent and lists it", async () => {
    const page = await signUpWithWorkspace(browser, app, `worker-${Date.now()}@example.com`, "Orbit Labs");
    const base = new URL(page.url()).pathname;

    // Agent
    await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Agents" }).click();
    await page.waitForURL(`**${base}/agents`);
    await page.getByRole("button", { name: "New agent" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Builder Bot");
    await page.getByLabel("Instructions").fill("Fix what is broken.");
    await page.getByRole("button", { name: "Create agent" }).click();
    await page.getByRole("status").filter({ hasText: "Created agent Builder Bot" }).waitFor();
    await page.getByRole("table", { name: "Agents" }).getByRole("cell", { name: "Builder Bot", exact: true }).waitFor();

    // Issue, created unassigned (keyboard: type the title and submit with Enter)
    await page.goto(`${app.baseUrl}${base}/issues`);
    await page.getByRole("button", { name: "New issue" }).click();
    const titleField = page.getByLabel("Title", { exact: true });
    // The dialog opens with focus in its first field; a blank title is refused at the field.
    await waitFor(() => titleField.evaluate((el) => document.activeElement === el || undefined), 5_000, "focus on the title");
    await titleField.fill("   ");
    await titleField.press("Enter");
    await page.getByRole("dialog", { name: "New issue" }).getByRole("alert").filter({ hasText: "Title is required" }).waitFor();
    expect(await titleField.getAttribute("aria-invalid")).toBe("true");
    await titleField.fill("Login page times out");
    await titleField.press("Enter");
    await page.getByRole("status").filter({ hasText: /Created ORB-1/ }).waitFor();
    const row = page.getByRole("row", { name: /Login page times out/ });
    await row.waitFor();
    expect(await row.getByRole("cell").nth(4).textContent()).toBe("Unassigned");

    // Assign it to the agent on the issue page
    await row.getByRole("link", { name: "Login page times out" }).click();
    await page.waitForURL(`**${base}/issues/ORB-1`);
    await page.getByRole("heading", { name: /Login page times out/ }).waitFor();
    await page.getByLabel("Assignee", { exact: true }).selectOption({ label: "Builder Bot (agent)" });
    await page.getByLabel("Status", { exact: true }).selectOption("todo");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();

    // Rename it (Escape leaves the form unchanged, focus back on its button)
    const editButton = page.getByRole("button", { name: "Edit title and description" });
    await editButton.click();
    await page.getByLabel("Title", { exact: true }).fill("Not this");
    await page.keyboard.press("Escape");
    await waitFor(() => editButton.evaluate((b) => document.activeElement === b || undefined), 5_000, "focus back on Edit");
    await editButton.click();
    expect(await page.getByLabel("Title", { exact: true }).inputValue()).toBe("Login page times out");
    await page.getByLabel("Title", { exact: true }).fill("Login page times out on Safari");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("heading", { name: /Login page times out on Safari/ }).waitFor();

    // The list shows it assigned, also when filtered by the agent
    await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Issues" }).click();
    await page.waitForURL(`**${base}/issues`);
    await page.getByLabel("Filter by assignee").selectOption({ label: "Builder Bot (agent)" });
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/assignee=agent/);
    const rows = page.getByRole("table", { name: "Issues" }).getByRole("row");
    await expect.poll(() => rows.count()).toBe(2); // header + the one issue
    const assigned = page.getByRole("row", { name: /Login page times out/ });
    expect(await assigned.getByRole("cell").nth(0).textContent()).toBe("ORB-1");
    expect(await assigned.getByRole("cell").nth(2).textContent()).toBe("todo");
    expect(await assigned.getByRole("cell").nth(4).textContent()).toBe("Builder Bot (agent)");

    // The API agrees (same session, same origin).
    const api = await page.evaluate(async () => {
      const slug = location.pathname.split("/")[2];
      const res = await fetch(`/api/issues?workspace_slug=${slug}`);
      return res.json();
    });
    expect(api.issues[0]).toMatchObject({ identifier: "ORB-1", assignee_type: "agent", status: "todo" });
    await page.close();
  });

  it("squads, autopilots (run now, webhook URL) and chat work from the UI", async () => {
    const page = await signUpWithWorkspace(browser, app, `crew-${Date.now()}@example.com`, "Crew Deck");
    const base = new URL(page.url()).pathname;
    for (const name of ["Lead Bot", "Helper Bot"]) {
      await page.goto(`${app.baseUrl}${base}/agents`);
      await page.getByRole("button", { name: "New agent" }).click();
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByRole("button", { name: "Create agent" }).click();
      await page.getByRole("status").filter({ hasText: `Created agent ${name}` }).waitFor();
    }

    await page.goto(`${app.baseUrl}${base}/squads`);
    await page.getByRole("button", { name: "New squad" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Night Crew");
    await page.getByLabel("Leader").selectOption({ label: "Lead Bot" });
    await page.getByRole("checkbox", { name: "Helper Bot" }).check();
    await page.getByRole("button", { name: "Create squad" }).click();
    const squadRow = page.getByRole("row", { name: /Night Crew/ });
    await squadRow.waitFor();
    expect(await squadRow.getByRole("cell").nth(2).textContent()).toContain("Helper Bot");

    await page.goto(`${app.baseUrl}${base}/autopilots`);
    await page.getByRole("button", { name: "New autopilot" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Morning digest");
    await page.getByLabel("Runs as").selectOption({ label: "Night Crew (squad)" });
    await page.getByLabel("Prompt").fill("Summarise yesterday");
    await page.getByRole("checkbox", { name: "On a schedule" }).check();
    await page.getByLabel("Time zone").fill("UTC");
    await page.getByRole("checkbox", { name: "From a webhook" }).check();
    await page.getByRole("button", { name: "Create autopilot" }).click();
    const url = await page.getByLabel(/Webhook URL/).inputValue();
    expect(url).toMatch(new RegExp(`^${app.baseUrl}/api/webhooks/autopilot/awt_`));
    await page.getByRole("dialog", { name: "New autopilot" }).getByRole("button", { name: "Close dialog" }).click();
    const apRow = page.getByRole("row", { name: /Morning digest/ });
    await apRow.waitFor();
    expect(await apRow.getByRole("cell").nth(2).textContent()).toContain("Weekdays at 09:00");
    // The schedule is edited in place; a bad cron is refused at its field.
    await apRow.getByText("Edit schedule").click();
    const schedule = apRow.getByRole("form", { name: "Schedule of Morning digest" });
    await schedule.getByLabel(/^Cron/).fill("61 * * * *");
    await schedule.getByText("Not a valid schedule").waitFor();
    await schedule.getByRole("button", { name: "Save schedule" }).click();
    await schedule.getByRole("alert").filter({ hasText: "Invalid value for minute: 61" }).waitFor();
    await schedule.getByLabel(/^Cron/).fill("30 7 * * *");
    await schedule.getByRole("button", { name: "Save schedule" }).click();
    await schedule.getByRole("status").filter({ hasText: "Schedule saved" }).waitFor();
    await waitFor(async () => ((await apRow.getByRole("cell").nth(2).textContent())?.includes("30 7 * * *") ? true : undefined), 10_000, "the new cron in the row");
    // No runtime is connected, so a manual run is skipped and says why.
    await apRow.getByRole("button", { name: "Run Morning digest now" }).click();
    await apRow.getByRole("status").filter({ hasText: "Skipped: the agent has no runtime online" }).waitFor();
    // Paused, the next run is skipped as disabled.
    await apRow.getByRole("button", { name: "Pause Morning digest" }).click();
    await apRow.getByRole("button", { name: "Resume Morning digest" }).waitFor();
    await apRow.getByRole("button", { name: "Run Morning digest now" }).click();
    await apRow.getByRole("status").filter({ hasText: "Skipped: the autopilot or its trigger is off" }).waitFor();
    await apRow.getByRole("button", { name: "Resume Morning digest" }).click();
    await apRow.getByRole("button", { name: "Pause Morning digest" }).waitFor();
    // The secret URL accepts a JSON payload without any session.
    const hook = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: "ping" }) });
    expect(hook.status).toBe(200);
    expect(await hook.json()).toMatchObject({ status: "skipped", reason: "runtime_offline" });
    // The webhook's upkeep: a signing secret (then an unsigned call is refused), a new URL (the old one stops).
    await page.reload();
    await apRow.getByText("Manage webhook").click();
    await apRow.getByLabel(/Signing secret/).fill("a-signing-secret-0123456789");
    await apRow.getByRole("button", { name: "Save secret" }).click();
    await apRow.getByRole("status").filter({ hasText: "Signing secret saved" }).waitFor();
    expect((await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(401);
    await page.reload();
    await apRow.getByText("Manage webhook").click();
    await apRow.getByText("ends in …6789").waitFor();
    await apRow.getByRole("button", { name: "Remove secret" }).click();
    await apRow.getByRole("status").filter({ hasText: "Signing secret removed" }).waitFor();
    await apRow.getByRole("button", { name: "New webhook URL for Morning digest" }).click();
    await page.getByRole("dialog", { name: "A new webhook URL for Morning digest?" }).getByRole("button", { name: "Make a new URL" }).click();
    const fresh = ((await apRow.getByRole("group", { name: "new webhook URL" }).locator("code").textContent()) ?? "").trim();
    expect(fresh).toMatch(new RegExp(`^${app.baseUrl}/api/webhooks/autopilot/awt_`));
    expect(fresh).not.toBe(url);
    expect((await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(404);
    expect((await fetch(fresh, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: "ping" }) })).status).toBe(200);

    // The deliveries panel: dispatched, with the skipped run said beside it; it scrolls in its box on a phone.
    await page.reload();
    const deliveries = page.getByRole("table", { name: "Webhook deliveries" });
    await deliveries.getByRole("row", { name: /run skipped: the agent has no runtime online/ }).first().waitFor();
    expect(await deliveries.getByRole("button", { name: /^Replay the .+ delivery of / }).count()).toBe(2);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.goto(`${app.baseUrl}${base}/chat`);
    await page.getByLabel("Agent", { exact: true }).selectOption({ label: "Helper Bot" });
    await page.getByRole("button", { name: "Start chat" }).click();
    await page.getByRole("heading", { name: "Chat with Helper Bot" }).waitFor();
    await page.getByLabel("Message to the agent").fill("Are you there?");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByRole("list", { name: "Messages" }).getByText("Are you there?").waitFor();
    await page.close();
  });
});

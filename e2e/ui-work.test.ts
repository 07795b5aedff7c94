/**
 * Issue 17's broken work flows, in Chromium against the production build: an agent created without a runtime gets
 * one by editing it, the queued task says why it waits; the agent's answer becomes a rendered (sanitised) markdown
 * comment and the issue leaves backlog; chat replies, runtimes and autopilot runs appear without a reload; the
 * runtimes page's command fits, tokens are listed and revocable, members see no Ping; squads edit/delete; the small ones.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, waitFor, type App } from "./support/app";
import { launchBrowser } from "./support/browser";
import { logIn, signUpWithWorkspace } from "./support/flows";
import { currentWorkspace, daemonToken, fakeDaemon, pageApi } from "./support/ui";

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

async function createAgent(page: Page, base: string, name: string, runtimeLabel?: string) {
  await page.goto(`${app.baseUrl}${base}/agents`);
  await page.getByRole("button", { name: "New agent" }).click();
  const dialog = page.getByRole("dialog", { name: "New agent" });
  await dialog.getByLabel("Name", { exact: true }).fill(name);
  if (runtimeLabel) await dialog.getByLabel("Runtime").selectOption({ label: runtimeLabel });
  await dialog.getByRole("button", { name: "Create agent" }).click();
  await page.getByRole("status").filter({ hasText: `Created agent ${name}` }).waitFor();
  const agents = await pageApi<{ agents: { id: string; name: string }[] }>(page, `/api/agents?workspace_slug=${base.split("/")[2]}`);
  return agents.body.agents.find((a) => a.name === name)!;
}

/** Starts a chat with the agent and sends one message, as a person would. */
async function sendChat(page: Page, base: string, agentName: string, text: string) {
  await page.goto(`${app.baseUrl}${base}/chat`);
  await page.getByLabel("Agent", { exact: true }).selectOption({ label: agentName });
  await page.getByRole("button", { name: "Start chat" }).click();
  await page.getByRole("heading", { name: `Chat with ${agentName}` }).waitFor();
  await page.getByLabel("Message to the agent").fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
}

describe("agents, tasks and the issue page", () => {
  it("an agent without a runtime is edited to get one; the queued task says why it waits; the answer becomes a markdown comment and the issue moves to in_review", async () => {
    const page = await signUpWithWorkspace(browser, app, `edit-${Date.now()}@example.com`, "Edit Works");
    const ws = await currentWorkspace(page);
    const agent = await createAgent(page, ws.base, "Loner Bot");
    await page.getByRole("row", { name: /Loner Bot/ }).getByText("no runtime").waitFor();

    const issue = await pageApi<{ id: string; identifier: string }>(page, "/api/issues", {
      workspaceId: ws.id,
      body: {
        title: "Tidy the docs",
        description:
          "Please **tidy** the docs.\n\n<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">\n\n[bad](javascript:alert(1))" +
          "\n\n| page | state |\n| --- | --- |\n| intro | ~~stale~~ |\n\n- [x] outline\n- [ ] examples\n\n![diagram](https://img.example/d.png)",
        assignee_type: "agent",
        assignee_id: agent.id,
      },
    });
    expect(issue.status).toBe(201);
    await page.goto(`${app.baseUrl}${ws.base}/issues/${issue.body.identifier}`);

    // Markdown is rendered, raw HTML is not (...), unsafe links lose their href.
    await page.locator(".markdown strong", { hasText: "tidy" }).waitFor();
    expect(await page.locator("main script").count()).toBe(0);
    expect(await page.locator("main .markdown img").count()).toBe(0);
    // ...it is shown as the text it is, not dropped.
    await page.locator("main .markdown p", { hasText: '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">' }).waitFor();
    // GitHub-flavoured markdown (tables, strikethrough, task lists) renders; an image elsewhere is a link to it (the
    // CSP loads none, and it would tell its host who read the issue).
    expect(await page.locator("main .markdown table td", { hasText: "intro" }).count()).toBe(1);
    expect(await page.locator("main .markdown del").textContent()).toBe("stale");
    expect(await page.locator('main .markdown input[type="checkbox"][disabled]').count()).toBe(2);
    expect(await page.getByRole("link", { name: "Image: diagram" }).getAttribute("href")).toBe("https://img.example/d.png");
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.getByRole("link", { name: "bad" }).count()).toBe(0);
    expect(await page.locator('main a[href^="javascript"]').count()).toBe(0);

    // The queued task says why it waits and links to the fix.
    const panel = page.getByRole("region", { name: "Agent task" });
    await panel.getByText("Queued — waiting for a runtime").waitFor();
    await panel.getByTestId("wait-reason").filter({ hasText: "Loner Bot has no runtime" }).waitFor();
    // The workspace home lists the waiting task with the issue it is for.
    await page.goto(`${app.baseUrl}${ws.base}`);
    await page.getByRole("list", { name: "Agents at work" }).getByRole("link", { name: `${issue.body.identifier} Tidy the docs` }).click();
    await page.waitForURL(`**${ws.base}/issues/${issue.body.identifier}`);
    await panel.getByRole("link", { name: "Edit Loner Bot and choose a runtime" }).click();
    await page.waitForURL(`**${ws.base}/agents`);

    // A runtime comes online; the agent is edited to use it (name and instructions too).
    const daemon = await fakeDaemon(app, ws.id, await daemonToken(page, ws.id));
    await page.reload();
    await page.getByRole("button", { name: "Edit Loner Bot" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit Loner Bot" });
    await dialog.getByLabel("Name", { exact: true }).fill("Docs Bot");
    await dialog.getByLabel("Instructions").fill("Keep the docs tidy.");
    await dialog.getByLabel("Runtime").selectOption({ label: "Echo (echo, online)" });
    await dialog.getByRole("button", { name: "Save agent" }).click();
    await page.getByRole("status").filter({ hasText: "Saved agent Docs Bot" }).waitFor();
    const saved = await pageApi<{ name: string; instructions: string; runtime_id: string }>(page, `/api/agents/${agent.id}`, { workspaceId: ws.id });
    expect(saved.body).toMatchObject({ name: "Docs Bot", instructions: "Keep the docs tidy.", runtime_id: daemon.runtimeId });
    // Validation: an empty name is refused, by the field.
    const bad = await pageApi<{ error: string }>(page, `/api/agents/${agent.id}`, { method: "PATCH", workspaceId: ws.id, body: { name: " " } });
    expect(bad.status).toBe(400);

    // The issue page, open while the runtime works: it follows the task to completion without a reload.
    await page.goto(`${app.baseUrl}${ws.base}/issues/${issue.body.identifier}`);
    await panel.getByTestId("wait-reason").filter({ hasText: "Echo is online" }).waitFor();
    await daemon.runNext("Done: the docs are **tidy** now.");
    await panel.getByText("Completed", { exact: true }).waitFor({ timeout: 15_000 });
    expect(await panel.textContent()).not.toContain("runs");
    const comments = page.getByRole("list", { name: "Comments" });
    await comments.getByText("Docs Bot (agent)").waitFor({ timeout: 10_000 });
    expect(await comments.locator(".markdown strong").textContent()).toBe("tidy");
    expect(await page.locator('[data-status="in_review"]').count()).toBeGreaterThan(0);
    const after = await pageApi<{ status: string }>(page, `/api/issues/${issue.body.id}`, { workspaceId: ws.id });
    expect(after.body.status).toBe("in_review");
    // The status control follows the refreshed issue (a later Save would not write back "backlog").
    expect(await page.getByLabel("Status", { exact: true }).inputValue()).toBe("in_review");
    await page.close();
  });

  it("the task panel does not count a cancelled run", async () => {
    const page = await signUpWithWorkspace(browser, app, `cancel-${Date.now()}@example.com`, "Cancel Works");
    const ws = await currentWorkspace(page);
    const a = await createAgent(page, ws.base, "First Bot");
    const b = await createAgent(page, ws.base, "Second Bot");
    const issue = await pageApi<{ id: string; identifier: string }>(page, "/api/issues", { workspaceId: ws.id, body: { title: "Swap", assignee_type: "agent", assignee_id: a.id } });
    // Reassigning cancels the first agent's task and queues one for the second.
    expect((await pageApi(page, `/api/issues/${issue.body.id}`, { method: "PATCH", workspaceId: ws.id, body: { assignee_type: "agent", assignee_id: b.id } })).status).toBe(200);
    const tasks = await pageApi<{ tasks: { status: string }[] }>(page, `/api/runtimes/tasks?issue_id=${issue.body.id}`, { workspaceId: ws.id });
    expect(tasks.body.tasks.map((t) => t.status)).toEqual(["queued", "cancelled"]);
    await page.goto(`${app.baseUrl}${ws.base}/issues/${issue.body.identifier}`);
    const panel = page.getByRole("region", { name: "Agent task" });
    await panel.getByText("Queued — waiting for a runtime").waitFor();
    expect(await panel.textContent()).not.toContain("2 runs");
    await page.close();
  });
});

describe("live updates without a reload", () => {
  it("a chat reply, a new runtime and an autopilot run appear on an open page", async () => {
    const page = await signUpWithWorkspace(browser, app, `live-${Date.now()}@example.com`, "Live Works");
    const ws = await currentWorkspace(page);

    // Runtimes: the page is open when the daemon registers.
    await page.goto(`${app.baseUrl}${ws.base}/runtimes`);
    await page.getByText("No runtimes yet").waitFor();
    const daemon = await fakeDaemon(app, ws.id, await daemonToken(page, ws.id));
    await page.getByRole("row", { name: /Echo/ }).waitFor({ timeout: 10_000 });

    // Chat: the reply shows up by itself.
    const agent = await createAgent(page, ws.base, "Chatty Bot", "Echo (echo, online)");
    await sendChat(page, ws.base, "Chatty Bot", "Ping?");
    await page.getByRole("list", { name: "Messages" }).getByText("Ping?").waitFor();
    await daemon.runNext("Pong from the agent");
    await page.getByRole("list", { name: "Messages" }).getByText("Pong from the agent").waitFor({ timeout: 10_000 });
    // While the agent works the page says so; when it gives up, the page says why instead of just stopping.
    await sendChat(page, ws.base, "Chatty Bot", "Now fail, please");
    await page.getByRole("list", { name: "Messages" }).getByText("Now fail, please").waitFor();
    const claimNext = async () => (await daemon.call<{ task: { id: string } }>(`/api/daemon/runtimes/${daemon.runtimeId}/tasks/claim`)).body.task.id;
    let taskId = await claimNext();
    await daemon.call(`/api/daemon/tasks/${taskId}/start`);
    await page.getByRole("status").filter({ hasText: "Chatty Bot is working on a reply" }).waitFor({ timeout: 10_000 });
    let failed = await daemon.call<{ will_retry?: boolean }>(`/api/daemon/tasks/${taskId}/fail`, { error: "provider crashed" });
    while (failed.body.will_retry) {
      taskId = await claimNext();
      await daemon.call(`/api/daemon/tasks/${taskId}/start`);
      failed = await daemon.call<{ will_retry?: boolean }>(`/api/daemon/tasks/${taskId}/fail`, { error: "provider crashed" });
    }
    await page.getByRole("alert").filter({ hasText: "Chatty Bot could not reply: provider crashed" }).waitFor({ timeout: 10_000 });

    // Autopilot: "Last run" changes when a run happens elsewhere.
    const ap = await pageApi<{ id: string }>(page, "/api/autopilots", {
      workspaceId: ws.id,
      body: { name: "Nightly", assignee_type: "agent", assignee_id: agent.id, execution_mode: "run_only", prompt: "Report", triggers: [{ kind: "schedule", cron: "0 9 * * 1-5", timezone: "UTC" }] },
    });
    expect(ap.status).toBe(201);
    await page.goto(`${app.baseUrl}${ws.base}/autopilots`);
    const row = page.getByRole("row", { name: /Nightly/ });
    expect(await row.getByRole("cell").nth(2).textContent()).toContain("Weekdays at 09:00");
    expect(await row.getByRole("cell").nth(2).textContent()).not.toContain("daily");
    expect(await row.getByRole("cell").nth(3).textContent()).toBe("never");
    expect((await pageApi(page, `/api/autopilots/${ap.body.id}/runs`, { method: "POST", workspaceId: ws.id })).status).toBeLessThan(300);
    await waitFor(async () => ((await row.getByRole("cell").nth(3).textContent()) !== "never" ? true : undefined), 10_000, "the last run to show");
    await page.close();
  });
});

describe("chat with an agent that cannot run", () => {
  it("a message its agent cannot pick up says why, as the issue page does", async () => {
    const page = await signUpWithWorkspace(browser, app, `chatwait-${Date.now()}@example.com`, "Chat Wait");
    const ws = await currentWorkspace(page);
    await createAgent(page, ws.base, "Idle Bot");
    await sendChat(page, ws.base, "Idle Bot", "Anyone there?");
    const hint = page.getByTestId("wait-reason");
    await hint.waitFor({ timeout: 10_000 });
    expect(await hint.textContent()).toContain("Idle Bot has no runtime");
    await hint.getByRole("link", { name: "Edit Idle Bot and choose a runtime" }).waitFor();
    await page.close();
  });
});

describe("live refresh never costs a draft", () => {
  it("while the app does not answer, a typed comment stays and the page is not reloaded", async () => {
    const page = await signUpWithWorkspace(browser, app, `draft-${Date.now()}@example.com`, "Draft Works");
    const ws = await currentWorkspace(page);
    const issue = await pageApi<{ identifier: string }>(page, "/api/issues", { workspaceId: ws.id, body: { title: "Keep my words" } });
    await page.goto(`${app.baseUrl}${ws.base}/issues/${issue.body.identifier}`);
    await page.getByRole("textbox", { name: "Comment" }).fill("half a thought, not sent yet");
    await page.getByRole("heading", { name: "Keep my words" }).click(); // the box loses focus; the draft stays

    // The app stops answering (a deploy, a database outage): its health check and its page data both fail.
    await page.route("**/*", (route) => {
      const r = route.request();
      if (r.url().includes("/api/health") || r.headers()["rsc"] === "1") return route.fulfill({ status: 503, body: "" });
      return route.continue();
    });
    let loads = 0;
    page.on("load", () => loads++);
    await page.waitForTimeout(12_000); // two refresh ticks of the issue page (5 s)
    expect(loads).toBe(0);
    expect(await page.getByRole("textbox", { name: "Comment" }).inputValue()).toBe("half a thought, not sent yet");
    await page.unroute("**/*");
    await page.close();
  });
});

describe("runtimes page", () => {
  it("the one-time command fits and copies; tokens are listed and revoked; a member sees no Ping", async () => {
    const page = await signUpWithWorkspace(browser, app, `rt-${Date.now()}@example.com`, "Runtime Works");
    const ws = await currentWorkspace(page);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.goto(`${app.baseUrl}${ws.base}/runtimes`);
    await page.getByLabel("Token name").fill("Build box");
    await page.getByRole("button", { name: "Create daemon token" }).click();
    const command = page.getByLabel("daemon command", { exact: true }).locator("pre");
    await command.waitFor();
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await page.getByRole("button", { name: "Copy daemon command" }).click();
    await page.getByLabel("daemon command", { exact: true }).getByText("Copied").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await command.textContent());
    const token = /TANDEM_TOKEN=(tdd_\S+)/.exec((await command.textContent()) ?? "")![1]!;

    const tokens = page.getByRole("table", { name: "Daemon tokens" });
    await tokens.getByRole("row", { name: /Build box/ }).waitFor();
    const daemon = await fakeDaemon(app, ws.id, token);
    await page.getByRole("row", { name: /Echo/ }).getByRole("button", { name: "Ping Echo" }).waitFor({ timeout: 10_000 });

    // A plain member: no Ping on someone else's runtime, no token form.
    const memberEmail = `member-${Date.now()}@example.com`;
    const inv = await pageApi<{ id: string }>(page, `/api/workspaces/${ws.id}/invitations`, { body: { email: memberEmail, role: "member" } });
    expect(inv.status).toBe(201);
    await page.goto(`${app.baseUrl}${ws.base}`);
    await page.getByRole("table", { name: "Invitations" }).getByRole("cell", { name: memberEmail, exact: true }).waitFor();
    const member = await browser.newPage();
    await logIn(member, app, memberEmail);
    expect((await pageApi(member, `/api/invitations/${inv.body.id}/accept`, { method: "POST" })).status).toBe(200);
    await member.goto(`${app.baseUrl}${ws.base}/runtimes`);
    await member.getByRole("row", { name: /Echo/ }).waitFor();
    expect(await member.getByRole("button", { name: "Ping Echo" }).count()).toBe(0);
    expect(await member.getByRole("button", { name: "Create daemon token" }).count()).toBe(0);
    await member.close();

    // Revoke: the daemon's next call is refused.
    await page.goto(`${app.baseUrl}${ws.base}/runtimes`);
    await tokens.getByRole("button", { name: "Revoke Build box" }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke Build box?" });
    // Focus starts on Cancel: Enter out of habit revokes nothing.
    expect(await confirm.getByRole("button", { name: "Cancel" }).evaluate((b) => document.activeElement === b)).toBe(true);
    await confirm.getByRole("button", { name: "Revoke token" }).click();
    await page.getByRole("status").filter({ hasText: "Revoked Build box" }).waitFor();
    await waitFor(async () => ((await tokens.getByRole("row", { name: /Build box/ }).count()) === 0 ? true : undefined), 5000, "the token row to go");
    expect((await daemon.call(`/api/daemon/runtimes/${daemon.runtimeId}/tasks/claim`)).status).toBe(401);
    await page.close();
  });
});

describe("the small ones", () => {
  it("the phone menu and the workspace switcher close on Escape and hand focus back; settings revokes a token after a confirmation and offers Log out; a long name wraps in its table", async () => {
    const page = await signUpWithWorkspace(browser, app, `menu-${Date.now()}@example.com`, "Menu Works");
    const ws = await currentWorkspace(page);
    await createAgent(page, ws.base, "A".repeat(100));
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    // The workspace switcher closes on Escape too, focus back on its summary.
    const switcher = page.locator("details.switcher");
    await switcher.locator("summary").click();
    await page.getByRole("navigation", { name: "Workspaces" }).waitFor();
    await page.keyboard.press("Escape");
    expect(await switcher.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("SUMMARY");

    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${app.baseUrl}${ws.base}`);
    const menu = page.getByRole("button", { name: "Menu", exact: true });
    await menu.click();
    await page.getByRole("button", { name: "Close menu" }).waitFor();
    await page.keyboard.press("Escape");
    await menu.waitFor();
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-controls"))).toBe("sidebar");

    await page.goto(`${app.baseUrl}/settings`);
    // A personal access token: shown once, revoked after a confirmation, and its one-time display goes with it.
    await page.getByLabel("Token name").fill("CI deploy");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByText("Copy your new token now").waitFor();
    await page.getByRole("button", { name: "Revoke CI deploy" }).click();
    await page.getByRole("dialog", { name: "Revoke CI deploy?" }).getByRole("button", { name: "Revoke token" }).click();
    await page.getByRole("status").filter({ hasText: "Revoked CI deploy" }).waitFor();
    expect(await page.getByText("Copy your new token now").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Revoke CI deploy" }).count()).toBe(0);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL((u) => u.pathname === "/login");
    expect((await page.request.get(`${app.baseUrl}/api/me`)).status()).toBe(401);
    await page.close();
  });

  it("squads edit/delete, filters, timestamps, favicon, destructive delete", async () => {
    const page = await signUpWithWorkspace(browser, app, `small-${Date.now()}@example.com`, "Small Works");
    const ws = await currentWorkspace(page);
    expect((await fetch(`${app.baseUrl}/favicon.ico`)).status).toBe(200);

    // The shell: a skip link first in the tab order, the current section marked, a title per page.
    await page.goto(`${app.baseUrl}${ws.base}/agents`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    const nav = page.getByRole("navigation", { name: "Workspace" });
    expect(await nav.getByRole("link", { name: "Agents" }).getAttribute("aria-current")).toBe("page");
    expect(await nav.getByRole("link", { name: "Issues" }).getAttribute("aria-current")).toBeNull();
    expect(await page.title()).toBe("Agents · Tandem");

    // "No issues match." only with a filter set.
    await page.goto(`${app.baseUrl}${ws.base}/issues`);
    await page.getByText("No issues yet").waitFor();
    expect(await page.getByText("No issues match.").count()).toBe(0);
    await page.goto(`${app.baseUrl}${ws.base}/issues?q=nothing-like-this`);
    await page.getByText("No issues match.").waitFor();

    // Timestamps: relative, exact time on hover, never a raw GMT string.
    await pageApi(page, "/api/issues", { workspaceId: ws.id, body: { title: "Dated" } });
    await page.goto(`${app.baseUrl}${ws.base}/issues`);
    const time = page.getByRole("row", { name: /Dated/ }).locator("time");
    await waitFor(async () => ((await time.getAttribute("title")) ? true : undefined), 5000, "the exact time on hover");
    expect(await time.textContent()).toBe("just now");
    expect(await page.locator("main").textContent()).not.toContain("GMT");

    // Squads: edit and delete.
    await createAgent(page, ws.base, "Lead");
    await createAgent(page, ws.base, "Helper");
    await page.goto(`${app.baseUrl}${ws.base}/squads`);
    await page.getByRole("button", { name: "New squad" }).click();
    await page.getByRole("dialog", { name: "New squad" }).getByLabel("Name", { exact: true }).fill("Crew");
    await page.getByRole("dialog", { name: "New squad" }).getByRole("button", { name: "Create squad" }).click();
    await page.getByRole("row", { name: /Crew/ }).waitFor();
    await page.getByRole("button", { name: "Edit Crew" }).click();
    const edit = page.getByRole("dialog", { name: "Edit Crew" });
    await edit.getByLabel("Name", { exact: true }).fill("Day Crew");
    await edit.getByRole("checkbox", { name: "Helper" }).check();
    await edit.getByRole("button", { name: "Save squad" }).click();
    const row = page.getByRole("row", { name: /Day Crew/ });
    await row.waitFor();
    expect(await row.getByRole("cell").nth(2).textContent()).toContain("Helper");
    await page.getByRole("button", { name: "Delete Day Crew" }).click();
    await page.getByRole("dialog", { name: "Delete Day Crew?" }).getByRole("button", { name: "Delete squad" }).click();
    await page.getByText("No squads yet").waitFor();

    // "Delete my account" looks destructive.
    await page.goto(`${app.baseUrl}/settings`);
    const del = page.getByRole("button", { name: "Delete my account" });
    expect(await del.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(180, 35, 24)");
    await page.close();
  });
});

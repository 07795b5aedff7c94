/**
 * Every page of the app at 1280×800 and 390×844 in Chromium: a screenshot of each into e2e/artifacts/ (gitignored),
 * no horizontal scrolling (`scrollWidth <= clientWidth`), a per-page <title>, and zero serious or critical axe-core
 * violations. The data behind the pages (agent, issue with markdown and a comment, squad, autopilot, chat, runtime,
 * invitation) is made first, so no page is measured empty only.
 */
import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "./support/app";
import { launchBrowser } from "./support/browser";
import { logIn, signUpWithWorkspace } from "./support/flows";
import { ROOT } from "./support/paths";
import { currentWorkspace, daemonToken, fakeDaemon, pageApi } from "./support/ui";

const ARTIFACTS = path.join(ROOT, "e2e", "artifacts");
const SIZES = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "mobile", width: 390, height: 844 },
] as const;

let browser: Browser;
let app: App;
beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchBrowser();
  app = await startApp();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

type Check = { page: string; size: string; scrollWidth: number; clientWidth: number; title: string; violations: string[] };

/** Loads `url`, waits for hydration to settle, screenshots it and measures it. */
async function check(page: Page, url: string, name: string, size: string): Promise<Check> {
  await page.goto(url);
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${size}.png`), fullPage: true });
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const violations = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  return { page: name, size, scrollWidth, clientWidth, title: await page.title(), violations };
}

describe("every page, desktop and mobile", () => {
  it("has no horizontal scroll, a title, and no serious/critical axe violations", async () => {
    // Data: an owner with a workspace full of things, and a second user mid-onboarding.
    const owner = await signUpWithWorkspace(browser, app, `pages-${Date.now()}@example.com`, "Pages Co");
    const ws = await currentWorkspace(owner);
    const daemon = await fakeDaemon(app, ws.id, await daemonToken(owner, ws.id), "Workhorse");
    const agent = await pageApi<{ id: string }>(owner, "/api/agents", { workspaceId: ws.id, body: { name: "Scribe", instructions: "Write.", runtime_id: daemon.runtimeId } });
    const helper = await pageApi<{ id: string }>(owner, "/api/agents", { workspaceId: ws.id, body: { name: "Helper" } });
    const issue = await pageApi<{ id: string; identifier: string }>(owner, "/api/issues", {
      workspaceId: ws.id,
      body: {
        title: "A fairly long issue title that has to wrap nicely on a phone screen without pushing the layout sideways",
        description: "## Steps\n\n1. Open the page\n2. See `averyveryveryverylongidentifierwithoutanybreakopportunity_at_all_123456789`\n\n```\nconst x = 'a long code line that should wrap inside its block rather than overflow the page width';\n```",
        assignee_type: "agent",
        assignee_id: agent.body.id,
      },
    });
    await daemon.runNext("Done. See **the fix**.");
    await pageApi(owner, "/api/issues", { workspaceId: ws.id, body: { title: "Second issue" } });
    await pageApi(owner, `/api/issues/${issue.body.id}/comments`, { workspaceId: ws.id, body: { body: "Looks good, thanks!" } });
    await pageApi(owner, "/api/squads", { workspaceId: ws.id, body: { name: "Crew", leader_id: agent.body.id, member_ids: [helper.body.id] } });
    await pageApi(owner, "/api/autopilots", {
      workspaceId: ws.id,
      body: { name: "Digest", assignee_type: "agent", assignee_id: agent.body.id, execution_mode: "create_issue", prompt: "Summarise", triggers: [{ kind: "schedule", cron: "0 9 * * 1-5", timezone: "UTC" }, { kind: "webhook" }] },
    });
    const chat = await pageApi<{ id: string }>(owner, "/api/chat/sessions", { workspaceId: ws.id, body: { agent_id: agent.body.id } });
    const inv = await pageApi<{ id: string }>(owner, `/api/workspaces/${ws.id}/invitations`, { body: { email: `guest-${Date.now()}@example.com`, role: "member" } });
    await pageApi(owner, "/api/tokens", { body: { name: "CI" } });
    const state = await owner.context().storageState();
    await owner.close();

    const newcomerCtx = await browser.newContext();
    const newcomer = await newcomerCtx.newPage();
    await logIn(newcomer, app, `newcomer-${Date.now()}@example.com`);
    const newcomerState = await newcomerCtx.storageState();
    await newcomerCtx.close();

    const w = `${app.baseUrl}${ws.base}`;
    const pages: Array<[string, string, "anon" | "owner" | "newcomer"]> = [
      ["landing", `${app.baseUrl}/`, "anon"],
      ["login", `${app.baseUrl}/login`, "anon"],
      ["contact-sales", `${app.baseUrl}/contact-sales`, "anon"],
      ["invite-anon", `${app.baseUrl}/invite/${inv.body.id}`, "anon"],
      ["onboarding", `${app.baseUrl}/onboarding`, "newcomer"],
      ["onboarding-workspace", `${app.baseUrl}/onboarding?step=workspace`, "newcomer"],
      ["workspaces", `${app.baseUrl}/workspaces`, "owner"],
      ["settings", `${app.baseUrl}/settings`, "owner"],
      ["home", w, "owner"],
      ["issues", `${w}/issues`, "owner"],
      ["issues-filtered", `${w}/issues?q=zzz`, "owner"],
      ["issue", `${w}/issues/${issue.body.identifier}`, "owner"],
      ["agents", `${w}/agents`, "owner"],
      ["squads", `${w}/squads`, "owner"],
      ["autopilots", `${w}/autopilots`, "owner"],
      ["chat", `${w}/chat`, "owner"],
      ["chat-session", `${w}/chat/${chat.body.id}`, "owner"],
      ["runtimes", `${w}/runtimes`, "owner"],
      ["not-found", `${w}/issues/NOPE-999`, "owner"],
    ];

    const results: Check[] = [];
    for (const size of SIZES) {
      const contexts: Record<string, BrowserContext> = {
        anon: await browser.newContext({ viewport: size }),
        owner: await browser.newContext({ viewport: size, storageState: state }),
        newcomer: await browser.newContext({ viewport: size, storageState: newcomerState }),
      };
      const tabs = Object.fromEntries(await Promise.all(Object.entries(contexts).map(async ([k, c]) => [k, await c.newPage()] as const)));
      for (const [name, url, who] of pages) results.push(await check(tabs[who]!, url, name, size.name));
      // The sidebar as a menu on the phone; the create dialog open on the desktop.
      if (size.name === "mobile") {
        await tabs.owner!.goto(`${w}/issues`);
        await tabs.owner!.getByRole("button", { name: "Menu" }).click();
        await tabs.owner!.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Agents" }).waitFor();
        await tabs.owner!.screenshot({ path: path.join(ARTIFACTS, `menu-open-${size.name}.png`) });
        const open = await tabs.owner!.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
        expect(open).toBe(true);
      } else {
        await tabs.owner!.goto(`${w}/issues`);
        await tabs.owner!.getByRole("button", { name: "New issue" }).click();
        await tabs.owner!.getByRole("dialog", { name: "New issue" }).waitFor();
        await tabs.owner!.screenshot({ path: path.join(ARTIFACTS, `new-issue-dialog-${size.name}.png`) });
      }
      await Promise.all(Object.values(contexts).map((c) => c.close()));
    }

    // What does not exist answers 404, not a 200 page that says so.
    const ownerCtx = await browser.newContext({ storageState: state });
    const tab = await ownerCtx.newPage();
    for (const [url, heading] of [
      [`${w}/issues/NOPE-999`, "Not found"],
      [`${w}/chat/00000000-0000-4000-8000-000000000000`, "Not found"],
      [`${app.baseUrl}/invite/00000000-0000-4000-8000-000000000000`, "Invitation not found"],
      [`${app.baseUrl}/invite/garbage`, "Invitation not found"],
    ] as const) {
      const res = await tab.goto(url);
      expect(res?.status(), url).toBe(404);
      await tab.getByRole("heading", { name: heading }).waitFor();
    }
    await ownerCtx.close();
    // A visitor is asked to log in only for an invitation that exists.
    const visitorCtx = await browser.newContext();
    const visitorTab = await visitorCtx.newPage();
    expect((await visitorTab.goto(`${app.baseUrl}/invite/00000000-0000-4000-8000-000000000000`))?.status()).toBe(404);
    await visitorTab.getByRole("heading", { name: "Invitation not found" }).waitFor();
    await visitorCtx.close();

    fs.writeFileSync(path.join(ARTIFACTS, "report.json"), JSON.stringify(results, null, 2));
    const overflow = results.filter((r) => r.scrollWidth > r.clientWidth).map((r) => `${r.page}@${r.size}: ${r.scrollWidth} > ${r.clientWidth}`);
    const untitled = results.filter((r) => !/ · Tandem$|^Tandem$/.test(r.title) || (r.page !== "landing" && r.title === "Tandem")).map((r) => `${r.page}: "${r.title}"`);
    const axe = results.flatMap((r) => r.violations.map((v) => `${r.page}@${r.size}: ${v}`));
    expect(overflow).toEqual([]);
    expect(axe).toEqual([]);
    expect(untitled).toEqual([]);
    expect(fs.readdirSync(ARTIFACTS).filter((f) => f.endsWith(".png")).length).toBeGreaterThanOrEqual(pages.length * 2);
  }, 300_000);
});

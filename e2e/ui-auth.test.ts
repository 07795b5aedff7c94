/**
 * Issue 17's sign-in and onboarding flows in Chromium: a safe return path after login (an invitation link), a new
 * invited person keeps the invitation through onboarding, onboarding resumes at its step after a reload and its
 * runtime step hands out a token and checks that a runtime is online, "resend code", and contact-sales errors by
 * their field.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, waitFor, type App } from "./support/app";
import { launchBrowser } from "./support/browser";
import { logIn, signUpWithWorkspace } from "./support/flows";
import { currentWorkspace, fakeDaemon, pageApi } from "./support/ui";

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

/** How many login mails `email` has had so far (the server log prints each one without SMTP). */
const mailsTo = (email: string) => app.logs().split(`[mail] to=${email} `).length - 1;

/** Logs in through the form with the code of the mail this login sends (not an earlier one). */
async function codeLogin(page: import("playwright-core").Page, email: string) {
  const before = mailsTo(email);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send code" }).click();
  await waitFor(() => (mailsTo(email) > before ? true : undefined), 10_000, "the login mail");
  await page.getByLabel("6-digit code").fill(await app.codeFor(email));
  await page.getByRole("button", { name: "Verify and continue" }).click();
}

describe("return path and invitations", () => {
  it("an invitation link survives login; a new invitee joins without onboarding first; foreign return paths are ignored; the owner manages people", async () => {
    const owner = await signUpWithWorkspace(browser, app, `owner-${Date.now()}@example.com`, "Invite Works");
    const ws = await currentWorkspace(owner);
    const invitee = `new-${Date.now()}@example.com`;
    const inv = await pageApi<{ id: string }>(owner, `/api/workspaces/${ws.id}/invitations`, { body: { email: invitee, role: "member" } });
    expect(inv.status).toBe(201);

    // Logged out, the invitation page sends to login with a return path...
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${app.baseUrl}/invite/${inv.body.id}`);
    await page.getByRole("link", { name: /Log in with the invited email/ }).click();
    await page.waitForURL((u) => u.pathname === "/login" && u.searchParams.get("next") === `/invite/${inv.body.id}`);
    await codeLogin(page, invitee);
    // ...a new person lands on the invitation itself (no workspace of their own to create first), and accepting
    // it completes their onboarding (invite_accept).
    await page.waitForURL((u) => u.pathname === `/invite/${inv.body.id}`);
    await page.getByRole("button", { name: "Accept invitation" }).click();
    await page.waitForURL(`**${ws.base}`);
    await page.getByRole("heading", { name: "Invite Works" }).waitFor();
    expect((await pageApi<{ onboarded_at: string | null }>(page, "/api/me")).body.onboarded_at).not.toBeNull();
    await ctx.close();

    // An existing, onboarded user who follows a deep link lands on that very page after login; an off-site "next"
    // is ignored.
    const ctx2 = await browser.newContext();
    const p2 = await ctx2.newPage();
    const deep = `${ws.base}/issues?status=todo`;
    await p2.goto(`${app.baseUrl}${deep}`);
    await p2.waitForURL((u) => u.pathname === "/login" && u.searchParams.get("next") === deep);
    await codeLogin(p2, invitee);
    await p2.waitForURL((u) => u.pathname === `${ws.base}/issues` && u.search === "?status=todo");
    await p2.goto(`${app.baseUrl}/login?next=//evil.example/x`);
    await p2.waitForURL((u) => u.origin === app.baseUrl && !u.pathname.startsWith("/login"));

    // The owner manages people on the workspace home: a role, a withdrawn invitation, a removal.
    const later = `later-${Date.now()}@example.com`;
    expect((await pageApi(owner, `/api/workspaces/${ws.id}/invitations`, { body: { email: later } })).status).toBe(201);
    await owner.goto(`${app.baseUrl}${ws.base}`);
    const inviteeName = invitee.slice(0, invitee.indexOf("@")); // a new account is named after its address
    await owner.getByLabel(`Role of ${inviteeName}`).selectOption("admin");
    const memberRow = owner.getByRole("table", { name: "Members" }).getByRole("row", { name: new RegExp(invitee) });
    await waitFor(async () => ((await memberRow.getByRole("cell").nth(2).textContent()) === "admin" ? true : undefined), 10_000, "the new role");
    await owner.getByRole("button", { name: `Withdraw the invitation to ${later}` }).click();
    await owner.getByRole("dialog", { name: `Withdraw the invitation to ${later}?` }).getByRole("button", { name: "Withdraw invitation" }).click();
    await owner.getByRole("table", { name: "Invitations" }).getByRole("row", { name: new RegExp(later) }).getByText("revoked").waitFor();
    await owner.getByRole("button", { name: `Remove ${inviteeName}` }).click();
    await owner.getByRole("dialog", { name: `Remove ${inviteeName}?` }).getByRole("button", { name: "Remove member" }).click();
    await waitFor(async () => ((await memberRow.count()) === 0 ? true : undefined), 10_000, "the member's row to go");
    expect((await p2.goto(`${app.baseUrl}${ws.base}`))?.status()).toBe(404);
    await ctx2.close();
    await owner.close();
  });

  it("login offers to resend the code; a refused code is said at its field", async () => {
    const page = await browser.newPage();
    const email = `resend-${Date.now()}@example.com`;
    await page.goto(`${app.baseUrl}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send code" }).click();
    const first = await app.codeFor(email);
    const resend = page.getByRole("button", { name: /Resend code/ });
    await resend.waitFor();
    expect(await resend.isDisabled()).toBe(true); // a short wait first
    const ready = page.getByRole("button", { name: "Resend code", exact: true });
    await ready.waitFor({ timeout: 40_000 });
    const before = mailsTo(email);
    await ready.click();
    await page.getByRole("status").filter({ hasText: `We sent a new code to ${email}` }).waitFor();
    await waitFor(() => (mailsTo(email) > before ? true : undefined), 10_000, "the second mail");
    const second = await app.codeFor(email);
    expect(second).not.toBe(first);
    // The old code is refused at the code field, in words, with focus back on it.
    const codeField = page.getByLabel("6-digit code");
    await codeField.fill(first);
    await page.getByRole("button", { name: "Verify and continue" }).click();
    await page.getByRole("alert").filter({ hasText: "That code is wrong or has expired" }).waitFor();
    expect(await codeField.getAttribute("aria-invalid")).toBe("true");
    expect(await codeField.evaluate((el) => document.activeElement === el)).toBe(true);
    await codeField.fill(second);
    await page.getByRole("button", { name: "Verify and continue" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    await page.close();
  }, 60_000);
});

describe("onboarding runtime step", () => {
  it("gives a token and the workspace id, checks a runtime is online, and resumes at its step after a reload", async () => {
    const page = await browser.newPage();
    await logIn(page, app, `onb-${Date.now()}@example.com`);
    await page.waitForURL(`${app.baseUrl}/onboarding`);
    await page.getByRole("button", { name: "Get started" }).click();
    for (const h of ["How did you hear about Tandem?", "What best describes your role?", "What do you want to use Tandem for?"]) {
      await page.getByRole("heading", { name: h }).waitFor();
      await page.getByRole("button", { name: "Skip" }).click();
    }
    await page.getByRole("heading", { name: "Your workspace" }).waitFor();
    await page.getByLabel("Workspace name").fill("Resume Robotics");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Connect a runtime" }).waitFor();

    // Reload: still on the runtime step of the same workspace.
    await page.reload();
    await page.getByRole("heading", { name: "Connect a runtime" }).waitFor();
    await page.getByRole("link", { name: "Runtimes page" }).waitFor();

    // Not started yet: it says so and stays.
    await page.getByRole("button", { name: "I've started the daemon" }).click();
    await page.getByRole("alert").filter({ hasText: "No runtime of Resume Robotics is online yet" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/onboarding");

    // The step mints a token and shows the command with the workspace id.
    await page.getByRole("button", { name: "Create daemon token" }).click();
    const command = (await page.getByLabel("daemon command", { exact: true }).locator("pre").textContent()) ?? "";
    const token = /TANDEM_TOKEN=(tdd_\S+)/.exec(command)![1]!;
    const workspaceId = /TANDEM_WORKSPACE_ID=(\S+)/.exec(command)![1]!;
    expect(command).toContain(`TANDEM_SERVER_URL=${app.baseUrl}`);
    await fakeDaemon(app, workspaceId, token);
    await page.getByRole("button", { name: "I've started the daemon" }).click();
    await page.waitForURL(/\/w\/resume-robotics$/);
    await page.close();
  });
});

describe("contact sales", () => {
  it("shows a field's error by the field, without the raw key", async () => {
    const page = await browser.newPage();
    await page.goto(`${app.baseUrl}/contact-sales`);
    const form = page.getByTestId("contact-sales-form");
    await form.getByLabel("First name").fill("Ada");
    await form.getByLabel("Last name").fill("Lovelace");
    await form.getByLabel("Business email").fill("ada@gmail.com");
    await form.getByLabel("Company name").fill("Engines Ltd");
    await form.getByLabel("Company size").selectOption("11-50");
    await form.getByLabel("Country or region").fill("United Kingdom");
    await form.getByLabel("What would you like to do?").selectOption("evaluate");
    await form.getByRole("button", { name: "Contact sales" }).click();
    const email = form.getByLabel("Business email");
    await form.getByRole("alert").waitFor();
    expect(await email.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await email.getAttribute("aria-describedby")) ?? "";
    const errorText = await page.evaluate((ids) => ids.split(" ").map((id) => document.getElementById(id)?.textContent ?? "").join(" "), describedBy);
    expect(errorText).toMatch(/please use a business email address/i);
    expect(await form.textContent()).not.toContain("business_email");
    // Focus moved to the field that needs fixing.
    expect(await email.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.close();
  });
});

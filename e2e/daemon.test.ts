/**
 * The runtime loop against the production build: a daemon token made on the runtimes page, the reference daemon
 * started as its own process (what `npm run daemon` runs), a runtime coming online, a ping answered through a
 * pending request, an issue assigned to an agent on that runtime executed and completed, /api/metrics counting
 * each step once, and SIGTERM stopping the daemon gracefully (its runtimes go offline).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricValue } from "../tests/helpers/daemon";
import { startApp, waitFor, type App } from "./support/app";
import { launchBrowser } from "./support/browser";
import { scrapeMetrics, signUpWithWorkspace } from "./support/flows";
import { ROOT } from "./support/paths";
import { pageApi } from "./support/ui";

const METRICS_TOKEN = "e2e-metrics-token";
let browser: Browser;
let app: App;
let daemon: ChildProcess | undefined;
let daemonLog = "";
let tmpDir: string | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
  app = await startApp({ env: { METRICS_TOKEN } });
});
afterAll(async () => {
  if (daemon && daemon.exitCode === null) daemon.kill("SIGKILL");
  await browser?.close();
  await app?.stop();
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

describe("reference daemon against the production server", () => {
  it("token → daemon online → ping → assigned issue executed once → graceful stop", async () => {
    const page = await signUpWithWorkspace(browser, app, `runner-${Date.now()}@example.com`, "Runner Labs");
    const base = new URL(page.url()).pathname;
    const slug = base.split("/")[2]!;
    const workspace = (await pageApi<{ id: string }>(page, `/api/workspaces/${slug}`)).body;
    const m0 = await scrapeMetrics(app, METRICS_TOKEN);

    // A daemon token from the runtimes page, shown once with the command that uses it.
    await page.goto(`${app.baseUrl}${base}/runtimes`);
    await page.getByText("No runtimes yet").waitFor();
    await page.getByRole("button", { name: "Create daemon token" }).click();
    const command = await page.getByLabel("daemon command", { exact: true }).locator("pre").textContent();
    const token = /TANDEM_TOKEN=(tdd_\S+)/.exec(command ?? "")?.[1];
    expect(token).toBeTruthy();
    expect(command).toContain(`TANDEM_WORKSPACE_ID=${workspace.id}`);

    // The daemon, as its own process.
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-daemon-"));
    const configFile = path.join(tmpDir, "daemon.json");
    fs.writeFileSync(configFile, JSON.stringify({ daemon_id: "e2e-daemon", heartbeat_ms: 500, poll_ms: 300, runtimes: [{ name: "Echo", provider: "echo", models: ["echo-1"] }] }));
    daemon = spawn(process.execPath, ["--import", "tsx", "lib/daemon/cli.ts", "--config", configFile], {
      cwd: ROOT,
      env: { ...process.env, TANDEM_SERVER_URL: app.baseUrl, TANDEM_TOKEN: token!, TANDEM_WORKSPACE_ID: workspace.id },
      stdio: ["ignore", "pipe", "pipe"],
    });
    daemon.stdout!.on("data", (d) => (daemonLog += d));
    daemon.stderr!.on("data", (d) => (daemonLog += d));
    const daemonExit = new Promise<number | null>((resolve) => daemon!.once("exit", (code) => resolve(code)));
    await waitFor(() => daemonLog.includes("registered") || undefined, 30_000, `daemon registration (log: ${daemonLog})`);

    await page.reload();
    const row = page.getByRole("row", { name: /Echo/ });
    await row.waitFor();
    expect(await row.getByRole("cell").nth(2).textContent()).toBe("online");

    // Ping: a pending request the daemon's next heartbeat claims and answers.
    await row.getByRole("button", { name: "Ping Echo" }).click();
    await row.getByRole("status").filter({ hasText: "answered" }).waitFor({ timeout: 15_000 });

    // An agent on the runtime (through the agents page), an issue assigned to it.
    await page.goto(`${app.baseUrl}${base}/agents`);
    await page.getByRole("button", { name: "New agent" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Echo Bot");
    await page.getByLabel("Runtime").selectOption({ label: "Echo (echo, online)" });
    await page.getByRole("button", { name: "Create agent" }).click();
    await page.getByRole("status").filter({ hasText: "Created agent Echo Bot" }).waitFor();
    const agents = (await pageApi<{ agents: { id: string; name: string }[] }>(page, "/api/agents", { workspaceId: workspace.id })).body.agents;
    const agent = agents.find((a) => a.name === "Echo Bot")!;
    const issue = await pageApi<{ id: string; identifier: string }>(page, "/api/issues", {
      method: "POST",
      workspaceId: workspace.id,
      body: { title: "Say hello", description: "Greet the team.", assignee_type: "agent", assignee_id: agent.id },
    });
    expect(issue.status).toBe(201);

    type TaskList = { tasks: { status: string; result: { output: string } | null }[] };
    const done = await waitFor(
      async () => {
        const r = await pageApi<TaskList>(page, `/api/runtimes/tasks?issue_id=${issue.body.id}`, { workspaceId: workspace.id });
        return r.body.tasks[0]?.status === "completed" ? r.body.tasks[0] : undefined;
      },
      30_000,
      "the task to complete",
    );
    expect(done.result!.output).toContain(`Issue ${issue.body.identifier}: Say hello`);

    // Graceful stop: SIGTERM → runtimes offline, exit 0.
    daemon.kill("SIGTERM");
    expect(await daemonExit).toBe(0);
    await page.goto(`${app.baseUrl}${base}/runtimes`);
    expect(await page.getByRole("row", { name: /Echo/ }).getByRole("cell").nth(2).textContent()).toBe("offline");

    const m1 = await scrapeMetrics(app, METRICS_TOKEN);
    const delta = (name: string, labels: Record<string, string> = {}) => metricValue(m1, name, labels) - metricValue(m0, name, labels);
    expect(delta("tandem_runtime_registered_total")).toBe(1);
    expect(delta("tandem_runtime_ready_total")).toBe(1);
    expect(delta("tandem_runtime_offline_total")).toBe(1);
    expect(delta("tandem_agent_task_enqueued_total", { source: "issue" })).toBe(1);
    expect(delta("tandem_agent_task_dispatched_total", { source: "issue" })).toBe(1);
    expect(delta("tandem_agent_task_started_total", { source: "issue" })).toBe(1);
    expect(delta("tandem_agent_task_terminal_total", { source: "issue", terminal_status: "completed" })).toBe(1);
    expect(delta("tandem_issue_executed_total", { source: "manual" })).toBe(1);
    expect(delta("tandem_llm_unpriced_tokens_total", { model_alias: "echo" })).toBeGreaterThan(0);
    await page.close();
  });
});

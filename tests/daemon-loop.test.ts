/**
 * The whole loop on one machine: the reference daemon (lib/daemon) runs against the real route handlers
 * (in-process fetch), an issue assigned to an agent is executed and completed, and /api/metrics shows
 * runtime_registered_total, agent_task_* and issue_executed_total — the latter once, whatever reruns follow.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createAgent } from "@/app/api/agents/route";
import { POST as createIssue } from "@/app/api/issues/route";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { GET as listRuntimes } from "@/app/api/runtimes/route";
import { GET as issueTasks } from "@/app/api/runtimes/tasks/route";
import { POST as createRequest } from "@/app/api/runtimes/[id]/requests/route";
import { GET as getRequest } from "@/app/api/runtimes/[id]/requests/[requestId]/route";
import { resetConfigForTests } from "@/lib/config";
import { Daemon } from "@/lib/daemon/daemon";
import { daemonConfigSchema } from "@/lib/daemon/config";
import { getDb } from "@/lib/db";
import { afterTaskEnqueued, enqueueTask } from "@/lib/tasks";
import { MemorySink, setSinkForTests } from "@/lib/telemetry";
import { call } from "./helpers/api";
import { daemonTokenFor, inProcessFetch, metricValue } from "./helpers/daemon";
import { ownerWithWorkspace } from "./helpers/workspace";

const METRICS_TOKEN = "test-metrics-token";
const sink = new MemorySink();

beforeAll(() => {
  process.env.METRICS_TOKEN = METRICS_TOKEN;
  resetConfigForTests();
  setSinkForTests(sink);
});
afterAll(() => {
  delete process.env.METRICS_TOKEN;
  resetConfigForTests();
  setSinkForTests(undefined);
});

async function scrape(): Promise<string> {
  const res = await call(metricsRoute, { path: "/api/metrics", headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  return res.body as string;
}

// A "claude" runtime whose command is a small node script: it answers on stdout and reports priced usage.
const FAKE_CLAUDE = [
  process.execPath,
  "-e",
  `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{console.log("done: "+s.split("\\n")[0]);` +
    `console.log('TANDEM_USAGE {"model":"claude-sonnet-4-5","input_tokens":1200,"output_tokens":300}')})`,
];
const BROKEN = [process.execPath, "-e", "process.stderr.write('boom'); process.exit(3)"];

describe("reference daemon loop", () => {
  it("executes an assigned issue end to end; metrics show each count once", async () => {
    const { owner, workspace, headers } = await ownerWithWorkspace("Loop Works");
    const token = await daemonTokenFor(owner, workspace.id);
    const config = daemonConfigSchema.parse({
      server_url: "http://localhost",
      token,
      workspace_id: workspace.id,
      daemon_id: "loop-daemon",
      heartbeat_ms: 60_000,
      poll_ms: 60_000,
      runtimes: [
        { name: "Echo", provider: "echo", models: ["echo-1"] },
        { name: "Claude", provider: "claude", command: FAKE_CLAUDE },
        { name: "Broken", provider: "codex", command: BROKEN },
      ],
    });
    const daemon = new Daemon(config, { fetch: inProcessFetch, log: () => {} });
    const m0 = await scrape();
    await daemon.start();
    const [echoId, claudeId, brokenId] = daemon.runtimeIds;

    const listed = await call(listRuntimes, { path: "/api/runtimes", session: owner, headers });
    expect(listed.body.runtimes.map((r: { status: string }) => r.status)).toEqual(["online", "online", "online"]);

    // An agent on the echo runtime; an issue assigned to it is executed and completed.
    const agent = (await call(createAgent, { path: "/api/agents", body: { name: "Echo agent", instructions: "Be brief.", runtime_id: echoId }, session: owner, headers })).body;
    const issue = (await call(createIssue, { path: "/api/issues", body: { title: "Say hello", description: "Greet the team.", assignee_type: "agent", assignee_id: agent.id }, session: owner, headers })).body;
    await daemon.pollOnce();
    await daemon.idle();
    let status = await call(issueTasks, { path: `/api/runtimes/tasks?issue_id=${issue.id}`, session: owner, headers });
    expect(status.body.tasks).toHaveLength(1);
    expect(status.body.tasks[0]).toMatchObject({ status: "completed", runtime_id: echoId });
    expect(status.body.tasks[0].result.output).toContain(`Issue ${issue.identifier}: Say hello`);
    expect(status.body.messages.map((m: { content: string }) => m.content)).toEqual(["running on Echo"]);

    // A rerun of the same issue completes too, but the issue was already executed.
    const db = await getDb();
    const rerun = await enqueueTask(db, { workspaceId: workspace.id, agentId: agent.id, source: "issue", prompt: "again", issueId: issue.id });
    await afterTaskEnqueued(rerun);
    await daemon.pollOnce();
    await daemon.idle();

    // The command runtime: priced usage from the TANDEM_USAGE line.
    const claudeAgent = (await call(createAgent, { path: "/api/agents", body: { name: "Claude agent", runtime_id: claudeId }, session: owner, headers })).body;
    const claudeIssue = (await call(createIssue, { path: "/api/issues", body: { title: "Refactor", assignee_type: "agent", assignee_id: claudeAgent.id }, session: owner, headers })).body;
    // A failing command: exit status 3 → agent_error.process_failure.
    const brokenAgent = (await call(createAgent, { path: "/api/agents", body: { name: "Broken agent", runtime_id: brokenId }, session: owner, headers })).body;
    const brokenIssue = (await call(createIssue, { path: "/api/issues", body: { title: "Will fail", assignee_type: "agent", assignee_id: brokenAgent.id }, session: owner, headers })).body;
    await daemon.pollOnce();
    await daemon.idle();
    status = await call(issueTasks, { path: `/api/runtimes/tasks?issue_id=${claudeIssue.id}`, session: owner, headers });
    expect(status.body.tasks[0]).toMatchObject({ status: "completed" });
    expect(status.body.tasks[0].result.output).toBe("done: Issue " + claudeIssue.identifier + ": Refactor");
    status = await call(issueTasks, { path: `/api/runtimes/tasks?issue_id=${brokenIssue.id}`, session: owner, headers });
    expect(status.body.tasks[0]).toMatchObject({ status: "failed", failure_reason: "agent_error.process_failure" });
    expect(status.body.tasks[0].error).toContain("exit status 3");

    // A pending request: the UI asks the echo runtime for its models; the next heartbeat answers it.
    const req = await call(createRequest, { path: `/api/runtimes/${echoId}/requests`, body: { kind: "list_models" }, session: owner, headers, params: { id: echoId! } });
    expect(req.status).toBe(201);
    await daemon.heartbeat();
    const answered = await call(getRequest, { path: `/api/runtimes/${echoId}/requests/${req.body.id}`, session: owner, headers, params: { id: echoId!, requestId: req.body.id } });
    expect(answered.body).toMatchObject({ status: "completed", result: { models: ["echo-1"] } });

    await daemon.stop(1000);
    const after = await call(listRuntimes, { path: "/api/runtimes", session: owner, headers });
    expect(after.body.runtimes.map((r: { status: string }) => r.status)).toEqual(["offline", "offline", "offline"]);

    const m1 = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => metricValue(m1, name, labels) - metricValue(m0, name, labels);
    expect(delta("tandem_runtime_registered_total")).toBe(3);
    expect(delta("tandem_runtime_ready_total")).toBe(3);
    expect(delta("tandem_runtime_offline_total")).toBe(3);
    expect(delta("tandem_agent_task_enqueued_total", { source: "issue", runtime_mode: "local" })).toBe(4);
    expect(delta("tandem_agent_task_dispatched_total", { source: "issue", runtime_mode: "local" })).toBe(4);
    expect(delta("tandem_agent_task_started_total", { source: "issue", runtime_mode: "local" })).toBe(4);
    expect(delta("tandem_agent_task_terminal_total", { terminal_status: "completed" })).toBe(3);
    expect(delta("tandem_agent_task_terminal_total", { terminal_status: "failed" })).toBe(1);
    expect(delta("tandem_agent_task_failed_total", { source: "issue", failure_reason: "agent_error.process_failure" })).toBe(1);
    // Two issues were executed (echo and claude), each once; the rerun did not count.
    expect(delta("tandem_issue_executed_total", { source: "manual" })).toBe(2);
    expect(sink.named("issue_executed").filter((e) => e.properties.issue_id === issue.id)).toHaveLength(1);
    expect(delta("tandem_llm_tokens_total", { provider: "anthropic", model: "claude-sonnet-4.5", token_type: "input" })).toBe(1200);
    expect(delta("tandem_llm_cost_usd_total", { provider: "anthropic", model: "claude-sonnet-4.5", token_type: "output" })).toBeCloseTo(0.0045, 9);
    expect(delta("tandem_llm_unpriced_tokens_total", { model_alias: "echo" })).toBeGreaterThan(0);
    // Daemon traffic by kind: 4 claims that found a task (+ empty polls), 3 completions with usage, 1 heartbeat.
    expect(delta("tandem_daemon_message_received_total", { kind: "task_complete" })).toBe(3);
    expect(delta("tandem_daemon_message_received_total", { kind: "task_usage" })).toBe(3);
    expect(delta("tandem_daemon_message_received_total", { kind: "heartbeat" })).toBe(1);
    expect(delta("tandem_daemon_message_received_total", { kind: "task_claim" })).toBeGreaterThanOrEqual(4);
    // Register, the 4 starts, the failure and deregister are not on the reference's list: `other`.
    expect(delta("tandem_daemon_message_received_total", { kind: "other" })).toBeGreaterThanOrEqual(7);
    expect(m1).not.toMatch(/tandem_daemon_message_received_total\{kind="(register|deregister|task_start|task_fail)"/);
  });
});

/**
 * The daemon API against a real database (TEST_BACKEND=postgres for real concurrency, pglite by default):
 * auth, register exactly-once, claim with SKIP LOCKED, the task transitions, issue_executed exactly-once,
 * failure classification and retries, idempotent usage, sweepers and pending runtime requests.
 */
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as createAgent } from "@/app/api/agents/route";
import { PATCH as patchAgent } from "@/app/api/agents/[id]/route";
import { POST as createIssue } from "@/app/api/issues/route";
import { POST as claim } from "@/app/api/daemon/runtimes/[id]/tasks/claim/route";
import { POST as complete } from "@/app/api/daemon/tasks/[id]/complete/route";
import { POST as fail } from "@/app/api/daemon/tasks/[id]/fail/route";
import { POST as start } from "@/app/api/daemon/tasks/[id]/start/route";
import { POST as usage } from "@/app/api/daemon/tasks/[id]/usage/route";
import { POST as messages } from "@/app/api/daemon/tasks/[id]/messages/route";
import { POST as register } from "@/app/api/daemon/register/route";
import { POST as heartbeat } from "@/app/api/daemon/heartbeat/route";
import { POST as deregister } from "@/app/api/daemon/deregister/route";
import { POST as requestResult } from "@/app/api/daemon/runtimes/[id]/requests/[requestId]/result/route";
import { POST as createDaemonTokenRoute, GET as listDaemonTokensRoute } from "@/app/api/runtimes/daemon-tokens/route";
import { DELETE as revokeDaemonTokenRoute } from "@/app/api/runtimes/daemon-tokens/[id]/route";
import { GET as listRuntimesRoute } from "@/app/api/runtimes/route";
import { GET as issueTasks } from "@/app/api/runtimes/tasks/route";
import { POST as createRequest } from "@/app/api/runtimes/[id]/requests/route";
import { GET as getRequest } from "@/app/api/runtimes/[id]/requests/[requestId]/route";
import { POST as invite } from "@/app/api/workspaces/[id]/invitations/route";
import { POST as accept } from "@/app/api/invitations/[id]/accept/route";
import { POST as createPat } from "@/app/api/tokens/route";
import { getDb } from "@/lib/db";
import { issueComments } from "@/lib/db/schema";
import { enqueueTask, afterTaskEnqueued, runSweepsOnce, startSweepers, stopSweepers } from "@/lib/tasks";
import { resetConfigForTests } from "@/lib/config";
import { MemorySink, registry, setSinkForTests } from "@/lib/telemetry";
import { MemoryPendingRequestStore, setPendingRequestStoreForTests } from "@/lib/pending-requests";
import { call, signIn, type Session } from "./helpers/api";
import { bearer, daemonTokenFor, metricValue } from "./helpers/daemon";
import { addMember, ownerWithWorkspace } from "./helpers/workspace";

let sink: MemorySink;
beforeAll(() => {
  sink = new MemorySink();
  setSinkForTests(sink);
});
beforeEach(() => sink.clear());

const metrics = () => registry().metrics();

type Ctx = Awaited<ReturnType<typeof ownerWithWorkspace>> & { token: string };

async function setup(): Promise<Ctx> {
  const ctx = await ownerWithWorkspace();
  return { ...ctx, token: await daemonTokenFor(ctx.owner, ctx.workspace.id) };
}

async function registerRuntime(ctx: Ctx, daemonId = `d-${randomUUID()}`, provider = "claude") {
  const res = await call(register, {
    path: "/api/daemon/register",
    headers: bearer(ctx.token),
    body: { workspace_id: ctx.workspace.id, daemon_id: daemonId, device_name: "laptop", cli_version: "1.0.0", runtimes: [{ name: "Claude", provider, version: "2.1", status: "online" }] },
  });
  expect(res.status).toBe(200);
  return res.body.runtimes[0] as { id: string; name: string; provider: string; status: string };
}

async function agentOn(ctx: Ctx, runtimeId: string | null) {
  const res = await call(createAgent, { path: "/api/agents", body: { name: `Agent ${randomUUID().slice(0, 6)}`, runtime_id: runtimeId }, session: ctx.owner, headers: ctx.headers });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

async function assignedIssue(ctx: Ctx, agentId: string, title = "Fix the login page") {
  const res = await call(createIssue, { path: "/api/issues", body: { title, assignee_type: "agent", assignee_id: agentId }, session: ctx.owner, headers: ctx.headers });
  expect(res.status).toBe(201);
  return res.body as { id: string; identifier: string };
}

const claimOn = (ctx: Ctx, runtimeId: string) =>
  call(claim, { path: `/api/daemon/runtimes/${runtimeId}/tasks/claim`, method: "POST", headers: bearer(ctx.token), params: { id: runtimeId } });
const taskCall = (handler: typeof start, ctx: Ctx, op: string, taskId: string, body: unknown = {}) =>
  call(handler, { path: `/api/daemon/tasks/${taskId}/${op}`, body, headers: bearer(ctx.token), params: { id: taskId } });

describe("daemon auth and tokens", () => {
  it("owners create daemon tokens; plain members get 403; no token → 401; another workspace → 404", async () => {
    const ctx = await setup();
    expect(ctx.token.startsWith("tdd_")).toBe(true);

    const member = await signIn();
    const inv = await call(invite, { path: `/api/workspaces/${ctx.workspace.id}/invitations`, body: { email: member.user.email }, session: ctx.owner, params: { id: ctx.workspace.id } });
    expect(inv.status).toBe(201);
    expect((await call(accept, { path: `/api/invitations/${inv.body.id}/accept`, method: "POST", session: member, params: { id: inv.body.id } })).status).toBe(200);
    const denied = await call(createDaemonTokenRoute, { path: "/api/runtimes/daemon-tokens", body: { name: "x" }, session: member, headers: ctx.headers });
    expect(denied.status).toBe(403);

    const body = { workspace_id: ctx.workspace.id, daemon_id: "d1", device_name: "", cli_version: "", runtimes: [{ name: "C", provider: "claude", version: "", status: "online" }] };
    expect((await call(register, { path: "/api/daemon/register", body })).status).toBe(401);
    expect((await call(register, { path: "/api/daemon/register", body, headers: { authorization: "Token abc" } })).status).toBe(401);
    expect((await call(register, { path: "/api/daemon/register", body, headers: bearer("tdd_wrong") })).status).toBe(401);

    const other = await setup();
    const cross = await call(register, { path: "/api/daemon/register", body: { ...body, workspace_id: other.workspace.id }, headers: bearer(ctx.token) });
    expect(cross.status).toBe(404);
    expect(sink.named("runtime_registered")).toHaveLength(0);
  });

  it("daemon tokens are listed without their secret and can be revoked (→ 401 afterwards)", async () => {
    const ctx = await setup();
    await registerRuntime(ctx);
    const list = await call(listDaemonTokensRoute, { path: "/api/runtimes/daemon-tokens", session: ctx.owner, headers: ctx.headers });
    expect(list.body.tokens).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(ctx.token);
    const id = list.body.tokens[0].id;
    const other = await setup();
    const foreign = await call(revokeDaemonTokenRoute, { path: `/api/runtimes/daemon-tokens/${id}`, method: "DELETE", session: other.owner, headers: other.headers, params: { id } });
    expect(foreign.status).toBe(404);
    const revoked = await call(revokeDaemonTokenRoute, { path: `/api/runtimes/daemon-tokens/${id}`, method: "DELETE", session: ctx.owner, headers: ctx.headers, params: { id } });
    expect(revoked.status).toBe(204);
    const res = await call(heartbeat, { path: "/api/daemon/heartbeat", body: { runtime_ids: [randomUUID()] }, headers: bearer(ctx.token) });
    expect(res.status).toBe(401);
  });

  it("a personal access token works for a member's workspace", async () => {
    const ctx = await setup();
    const { POST: createPat } = await import("@/app/api/tokens/route");
    const pat = (await call(createPat, { path: "/api/tokens", body: { name: "cli" }, session: ctx.owner })).body.token as string;
    const rt = await registerRuntime({ ...ctx, token: pat });
    expect(rt.status).toBe("online");
    const list = await call(listRuntimesRoute, { path: "/api/runtimes", session: ctx.owner, headers: ctx.headers });
    expect(list.body.runtimes.map((r: { id: string }) => r.id)).toContain(rt.id);
  });
});

describe("register", () => {
  it("10 concurrent registers of one daemon → one runtime, one runtime_registered and one runtime_ready", async () => {
    const ctx = await setup();
    const before = metricValue(await metrics(), "tandem_runtime_registered_total");
    const results = await Promise.all(Array.from({ length: 10 }, () => registerRuntime(ctx, "daemon-concurrent")));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(sink.named("runtime_registered")).toHaveLength(1);
    expect(sink.named("runtime_ready")).toHaveLength(1);
    expect(metricValue(await metrics(), "tandem_runtime_registered_total") - before).toBe(1);
    // A later re-registration updates, never re-emits.
    await registerRuntime(ctx, "daemon-concurrent");
    expect(sink.named("runtime_registered")).toHaveLength(1);
  });

  it("a runtime registered offline fires runtime_ready on its first online heartbeat, once", async () => {
    const ctx = await setup();
    const res = await call(register, {
      path: "/api/daemon/register",
      headers: bearer(ctx.token),
      body: { workspace_id: ctx.workspace.id, daemon_id: "late", device_name: "", cli_version: "", runtimes: [{ name: "Codex", provider: "codex", version: "", status: "offline" }] },
    });
    const id = res.body.runtimes[0].id;
    expect(sink.named("runtime_ready")).toHaveLength(0);
    for (let i = 0; i < 2; i++) expect((await call(heartbeat, { path: "/api/daemon/heartbeat", body: { runtime_ids: [id] }, headers: bearer(ctx.token) })).status).toBe(200);
    expect(sink.named("runtime_ready")).toHaveLength(1);
  });

  it("deregister emits runtime_offline once; an unknown runtime id → 404", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    for (let i = 0; i < 2; i++) await call(deregister, { path: "/api/daemon/deregister", body: { runtime_ids: [rt.id] }, headers: bearer(ctx.token) });
    expect(sink.named("runtime_offline")).toHaveLength(1);
    const res = await call(deregister, { path: "/api/daemon/deregister", body: { runtime_ids: [randomUUID()] }, headers: bearer(ctx.token) });
    expect(res.status).toBe(404);
  });
});

describe("tasks", () => {
  it("a completion with a top-level output (instead of result.output) keeps the answer as the agent's comment", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    const agent = await agentOn(ctx, rt.id);
    const issue = await assignedIssue(ctx, agent.id);
    const task = (await claimOn(ctx, rt.id)).body.task;
    await taskCall(start, ctx, "start", task.id);
    expect((await taskCall(complete, ctx, "complete", task.id, { output: "Fixed the timeout." })).status).toBe(200);
    const comments = await (await getDb()).select().from(issueComments).where(eq(issueComments.issueId, issue.id));
    expect(comments.map((c) => [c.authorType, c.body])).toEqual([["agent", "Fixed the timeout."]]);
    expect((await taskCall(complete, ctx, "complete", task.id, { output: 42 })).status).toBe(400);
  });

  it("an issue assigned to an agent is claimed, started, completed; issue_executed once; tasks of another workspace → 404", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    const agent = await agentOn(ctx, rt.id);
    const issue = await assignedIssue(ctx, agent.id);
    expect(sink.named("agent_task_queued")).toHaveLength(1);

    const claimed = await claimOn(ctx, rt.id);
    expect(claimed.status).toBe(200);
    const task = claimed.body.task;
    expect(task.issue).toMatchObject({ id: issue.id, identifier: issue.identifier, title: "Fix the login page" });
    expect(task.agent.id).toBe(agent.id);
    expect((await claimOn(ctx, rt.id)).status).toBe(204);

    const other = await setup();
    expect((await taskCall(start, other, "start", task.id)).status).toBe(404);

    expect((await taskCall(start, ctx, "start", task.id)).body.task.status).toBe("running");
    expect((await taskCall(messages, ctx, "messages", task.id, { messages: [{ content: "reading the code" }] })).status).toBe(200);
    const done = await taskCall(complete, ctx, "complete", task.id, { result: { output: "fixed" } });
    expect(done.status).toBe(200);
    expect(done.body.task.status).toBe("completed");
    // A repeated completion is harmless and emits nothing.
    expect((await taskCall(complete, ctx, "complete", task.id, { result: {} })).status).toBe(200);
    expect(sink.named("agent_task_completed")).toHaveLength(1);
    const executed = sink.named("issue_executed");
    expect(executed).toHaveLength(1);
    expect(executed[0]!.properties).toMatchObject({ issue_id: issue.id, task_id: task.id, source: "manual", runtime_mode: "local", provider: "claude" });
    // Failing a completed task is a conflict.
    expect((await taskCall(fail, ctx, "fail", task.id, { error: "late" })).status).toBe(409);

    const status = await call(issueTasks, { path: `/api/runtimes/tasks?issue_id=${issue.id}`, session: ctx.owner, headers: ctx.headers });
    expect(status.body.tasks[0]).toMatchObject({ id: task.id, status: "completed" });
    expect(status.body.messages.map((m: { content: string }) => m.content)).toEqual(["reading the code"]);
  });

  it("a task queued before its agent had a runtime is claimed once the agent is bound to one", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    const agent = await agentOn(ctx, null);
    const issue = await assignedIssue(ctx, agent.id);
    expect((await claimOn(ctx, rt.id)).status).toBe(204);
    const db = await getDb();
    await db.execute(sql`update agents set runtime_id = ${rt.id} where id = ${agent.id}`);
    const claimed = await claimOn(ctx, rt.id);
    expect(claimed.body.task).toMatchObject({ issue_id: issue.id, runtime_id: rt.id, status: "dispatched" });
  });

  it("20 concurrent claims → each task claimed exactly once", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    const agent = await agentOn(ctx, rt.id);
    for (let i = 0; i < 8; i++) await assignedIssue(ctx, agent.id, `issue ${i}`);
    const before = metricValue(await metrics(), "tandem_agent_task_dispatched_total");
    const results = await Promise.all(Array.from({ length: 20 }, () => claimOn(ctx, rt.id)));
    const ids = results.filter((r) => r.status === 200).map((r) => r.body.task.id as string);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    expect(results.filter((r) => r.status === 204)).toHaveLength(12);
    expect(sink.named("agent_task_dispatched")).toHaveLength(8);
    expect(metricValue(await metrics(), "tandem_agent_task_dispatched_total") - before).toBe(8);
  });

  it("20 concurrent completions of one issue's tasks → one issue_executed", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    const agent = await agentOn(ctx, rt.id);
    const issue = await assignedIssue(ctx, agent.id);
    const db = await getDb();
    // 19 more tasks for the same issue (reruns), through the shared enqueue contract.
    for (let i = 0; i < 19; i++) {
      const t = await enqueueTask(db, { workspaceId: ctx.workspace.id, agentId: agent.id, source: "issue", prompt: "again", issueId: issue.id });
      await afterTaskEnqueued(t);
    }
    const claimed: string[] = [];
    for (;;) {
      const r = await claimOn(ctx, rt.id);
      if (r.status === 204) break;
      claimed.push(r.body.task.id);
    }
    expect(claimed).toHaveLength(20);
    const before = metricValue(await metrics(), "tandem_issue_executed_total");
    const results = await Promise.all(claimed.map((id) => taskCall(complete, ctx, "complete", id, { result: { output: "ok" } })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(sink.named("agent_task_completed")).toHaveLength(20);
    expect(sink.named("issue_executed")).toHaveLength(1);
    expect(metricValue(await metrics(), "tandem_issue_executed_total") - before).toBe(1);
  });

  it("fail classifies the error text, keeps canonical reasons, and retries retryable reasons once", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    const agent = await agentOn(ctx, rt.id);
    await assignedIssue(ctx, agent.id);
    const first = (await claimOn(ctx, rt.id)).body.task;
    const failed = await taskCall(fail, ctx, "fail", first.id, { error: "API Error: 429 overloaded" });
    expect(failed.status).toBe(200);
    expect(failed.body.task).toMatchObject({ failure_reason: "agent_error.provider_capacity_or_rate_limit", will_retry: false });
    const ev = sink.named("agent_task_failed")[0]!;
    expect(ev.properties).toMatchObject({ failure_reason: "agent_error.provider_capacity_or_rate_limit", error_type: "agent_error", will_retry: false });
    const m = await metrics();
    expect(metricValue(m, "tandem_agent_task_failed_total", { source: "issue", runtime_mode: "local", failure_reason: "agent_error.provider_capacity_or_rate_limit" })).toBeGreaterThanOrEqual(1);

    // A retryable reason queues attempt 2; attempt 2 (= max_attempts) is not retried again.
    await assignedIssue(ctx, agent.id, "second");
    const second = (await claimOn(ctx, rt.id)).body.task;
    const r1 = await taskCall(fail, ctx, "fail", second.id, { failure_reason: "timeout", error: "no answer" });
    expect(r1.body.task).toMatchObject({ failure_reason: "timeout", will_retry: true });
    const retry = (await claimOn(ctx, rt.id)).body.task;
    expect(retry).toMatchObject({ id: r1.body.task.retry_task_id, attempt: 2 });
    // A repeated report is a no-op that answers as the first did, retry included.
    const again = await taskCall(fail, ctx, "fail", second.id, { failure_reason: "timeout", error: "no answer" });
    expect(again.status).toBe(200);
    expect(again.body.task).toMatchObject({ status: "failed", will_retry: true, retry_task_id: retry.id });
    const r2 = await taskCall(fail, ctx, "fail", retry.id, { failure_reason: "timeout" });
    expect(r2.body.task.will_retry).toBe(false);
    expect((await taskCall(fail, ctx, "fail", retry.id, { failure_reason: "timeout" })).body.task).toMatchObject({ will_retry: false, retry_task_id: null });
    expect(sink.named("agent_task_failed").map((e) => e.properties.will_retry)).toEqual([false, true, false]);
  });

  it("a queued task follows its agent to another runtime, and is claimed there", async () => {
    const ctx = await setup();
    const stale = await registerRuntime(ctx);
    const fresh = await registerRuntime(ctx);
    const agent = await agentOn(ctx, stale.id);
    await assignedIssue(ctx, agent.id, "waits for a runtime");
    const moved = await call(patchAgent, { method: "PATCH", path: `/api/agents/${agent.id}`, params: { id: agent.id }, body: { runtime_id: fresh.id }, session: ctx.owner, headers: ctx.headers });
    expect(moved.status).toBe(200);
    expect((await claimOn(ctx, stale.id)).status).toBe(204);
    const claimed = (await claimOn(ctx, fresh.id)).body.task;
    expect(claimed).toMatchObject({ agent_id: agent.id, runtime_id: fresh.id });
  });

  it("an operational reason is stored as sent: codex_semantic_inactivity is a retried timeout, agent_fallback_message agent output; the metric label is agent_error.unknown", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    const agent = await agentOn(ctx, rt.id);
    const label = { source: "issue", runtime_mode: "local", failure_reason: "agent_error.unknown" };
    const before = metricValue(await metrics(), "tandem_agent_task_failed_total", label);
    await assignedIssue(ctx, agent.id, "inactive");
    const first = (await claimOn(ctx, rt.id)).body.task;
    const inactive = await taskCall(fail, ctx, "fail", first.id, { failure_reason: "codex_semantic_inactivity" });
    expect(inactive.body.task).toMatchObject({ failure_reason: "codex_semantic_inactivity", will_retry: true });
    await claimOn(ctx, rt.id); // the retry, out of the way
    await assignedIssue(ctx, agent.id, "fallback");
    const second = (await claimOn(ctx, rt.id)).body.task;
    const fallback = await taskCall(fail, ctx, "fail", second.id, { failure_reason: "agent_fallback_message" });
    expect(fallback.body.task).toMatchObject({ failure_reason: "agent_fallback_message", will_retry: false });
    const events = sink.named("agent_task_failed").map((e) => [e.properties.failure_reason, e.properties.error_type, e.properties.will_retry]);
    expect(events).toEqual([["codex_semantic_inactivity", "timeout", true], ["agent_fallback_message", "agent_output", false]]);
    expect(metricValue(await metrics(), "tandem_agent_task_failed_total", label) - before).toBe(2);
  });

  it("usage is idempotent per (task, model): a re-sent report counts nothing", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    const agent = await agentOn(ctx, rt.id);
    await assignedIssue(ctx, agent.id);
    const task = (await claimOn(ctx, rt.id)).body.task;
    const labels = { provider: "anthropic", model: "claude-sonnet-4.5", token_type: "input" };
    const before = metricValue(await metrics(), "tandem_llm_tokens_total", labels);
    const costBefore = metricValue(await metrics(), "tandem_llm_cost_usd_total", labels);
    const requestLabels = { provider: "anthropic", model: "claude-sonnet-4.5" };
    const requestsBefore = metricValue(await metrics(), "tandem_llm_request_total", requestLabels);
    const report = { usage: [{ model: "claude-sonnet-4-5-20250929", input_tokens: 1000, output_tokens: 200 }] };
    await Promise.all([1, 2, 3].map(() => taskCall(usage, ctx, "usage", task.id, report)));
    let m = await metrics();
    expect(metricValue(m, "tandem_llm_tokens_total", labels) - before).toBe(1000);
    expect(metricValue(m, "tandem_llm_cost_usd_total", labels) - costBefore).toBeCloseTo(0.003, 9);
    // Cumulative growth counts only the difference.
    await taskCall(usage, ctx, "usage", task.id, { usage: [{ model: "claude-sonnet-4-5-20250929", input_tokens: 1500, output_tokens: 200 }] });
    m = await metrics();
    expect(metricValue(m, "tandem_llm_tokens_total", labels) - before).toBe(1500);
    // One (task, model) is one request, however many reports it took.
    expect(metricValue(m, "tandem_llm_request_total", requestLabels) - requestsBefore).toBe(1);
    // Each growth is one PostHog `$ai_generation` (issue 16): counts and cost only, never prompt or output text.
    const generations = sink.named("$ai_generation").filter((e) => e.properties.$ai_trace_id === task.id);
    expect(generations.map((e) => [e.properties.$ai_input_tokens, e.properties.$ai_output_tokens])).toEqual([
      [1000, 200],
      [500, 0],
    ]);
    expect(generations[0]!.properties).toMatchObject({ $ai_model: "claude-sonnet-4-5-20250929", task_id: task.id });
    expect(generations[0]!.properties.$ai_total_cost_usd).toBeCloseTo(0.003 + 0.003, 9);
    expect(Object.keys(generations[0]!.properties).filter((k) => /input$|output$|prompt|choices/.test(k))).toEqual([]);
    const bad = await taskCall(usage, ctx, "usage", task.id, { usage: [{ model: "", input_tokens: 1 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/model/);
  });
});

describe("sweepers", () => {
  it("stale runtimes go offline, their tasks fail (and retry), queued tasks and leases expire — each once", async () => {
    const ctx = await setup();
    const db = await getDb();
    const stale = await registerRuntime(ctx, "stale-daemon");
    const live = await registerRuntime(ctx, "live-daemon");
    const staleAgent = await agentOn(ctx, stale.id);
    const liveAgent = await agentOn(ctx, live.id);
    await assignedIssue(ctx, staleAgent.id, "on the stale runtime");
    const onStale = (await claimOn(ctx, stale.id)).body.task;
    await assignedIssue(ctx, liveAgent.id, "dispatched long ago");
    const leased = (await claimOn(ctx, live.id)).body.task;
    await assignedIssue(ctx, liveAgent.id, "queued long ago");
    await db.execute(sql`update runtimes set last_seen_at = now() - interval '10 minutes' where id = ${stale.id}`);
    await db.execute(sql`update agent_tasks set dispatched_at = now() - interval '10 minutes' where id = ${leased.id}`);
    await db.execute(sql`update agent_tasks set created_at = now() - interval '3 hours' where status = 'queued' and workspace_id = ${ctx.workspace.id}`);
    const m0 = await metrics();
    sink.clear();

    await Promise.all([runSweepsOnce(), runSweepsOnce()]); // two "nodes" at once
    await runSweepsOnce();

    expect(sink.named("runtime_offline").map((e) => e.properties.runtime_id)).toEqual([stale.id]);
    const failed = sink.named("agent_task_failed");
    const reasons = Object.fromEntries(failed.map((e) => [e.properties.task_id, e.properties.failure_reason]));
    expect(reasons[onStale.id]).toBe("runtime_offline");
    expect(reasons[leased.id]).toBe("timeout");
    expect(Object.values(reasons).filter((r) => r === "queued_expired")).toHaveLength(1);
    expect(failed).toHaveLength(3);
    const m1 = await metrics();
    expect(metricValue(m1, "tandem_task_queued_expired_total") - metricValue(m0, "tandem_task_queued_expired_total")).toBe(1);
    expect(metricValue(m1, "tandem_task_lease_expired_total") - metricValue(m0, "tandem_task_lease_expired_total")).toBe(1);
    // runtime_offline and timeout are retryable on attempt 1: both were queued again.
    expect(sink.named("agent_task_queued")).toHaveLength(2);
  });
});

describe("sweeper timer", () => {
  it("startSweepers runs passes on its interval until stopSweepers; SWEEPERS_ENABLED=false starts nothing", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    const db = await getDb();
    await db.execute(sql`update runtimes set last_seen_at = now() - interval '10 minutes' where id = ${rt.id}`);

    process.env.SWEEPERS_ENABLED = "false";
    resetConfigForTests();
    startSweepers(20);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.named("runtime_offline")).toHaveLength(0);
    await stopSweepers();
    expect(sink.named("runtime_offline")).toHaveLength(0);

    delete process.env.SWEEPERS_ENABLED;
    resetConfigForTests();
    startSweepers(20);
    try {
      const offlined = () => sink.named("runtime_offline").map((e) => e.properties.runtime_id);
      for (let i = 0; i < 100 && !offlined().includes(rt.id); i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await stopSweepers();
    }
    expect(sink.named("runtime_offline").map((e) => e.properties.runtime_id)).toContain(rt.id);
  });
});

describe("pending runtime requests", () => {
  it("UI creates → heartbeat claims → daemon answers → UI reads; a finished request ignores later reports", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    const created = await call(createRequest, { path: `/api/runtimes/${rt.id}/requests`, body: { kind: "list_models" }, session: ctx.owner, headers: ctx.headers, params: { id: rt.id } });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe("pending");
    const hb = await call(heartbeat, { path: "/api/daemon/heartbeat", body: { runtime_ids: [rt.id] }, headers: bearer(ctx.token) });
    expect(hb.body.pending_requests).toEqual([{ id: created.body.id, runtime_id: rt.id, kind: "list_models", params: null }]);
    const again = await call(heartbeat, { path: "/api/daemon/heartbeat", body: { runtime_ids: [rt.id] }, headers: bearer(ctx.token) });
    expect(again.body.pending_requests).toEqual([]);

    const params = { id: rt.id, requestId: created.body.id };
    const path = `/api/daemon/runtimes/${rt.id}/requests/${created.body.id}/result`;
    const ok = await call(requestResult, { path, body: { result: { models: ["sonnet"] } }, headers: bearer(ctx.token), params });
    expect(ok.status).toBe(200);
    const late = await call(requestResult, { path, body: { error: "late" }, headers: bearer(ctx.token), params });
    expect(late.body).toMatchObject({ status: "ok", stored: false });
    const read = await call(getRequest, { path: `/api/runtimes/${rt.id}/requests/${created.body.id}`, session: ctx.owner, headers: ctx.headers, params });
    expect(read.body).toMatchObject({ status: "completed", result: { models: ["sonnet"] }, error: null });

    const other = await setup();
    const cross = await call(requestResult, { path, body: { result: {} }, headers: bearer(other.token), params });
    expect(cross.status).toBe(404);
  });

  it("only the runtime's owner may ask it or read its answers: a workspace admin gets 403, another workspace 404", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    const created = await call(createRequest, { path: `/api/runtimes/${rt.id}/requests`, body: { kind: "ping" }, session: ctx.owner, headers: ctx.headers, params: { id: rt.id } });
    expect(created.status).toBe(201);
    const admin = await addMember(ctx.workspace.id, "admin");
    const asAdmin = await call(createRequest, { path: `/api/runtimes/${rt.id}/requests`, body: { kind: "ping" }, session: admin, headers: ctx.headers, params: { id: rt.id } });
    expect(asAdmin).toMatchObject({ status: 403, body: { error: "insufficient permissions" } });
    const params = { id: rt.id, requestId: created.body.id };
    const readByAdmin = await call(getRequest, { path: `/api/runtimes/${rt.id}/requests/${created.body.id}`, session: admin, headers: ctx.headers, params });
    expect(readByAdmin.status).toBe(403);
    const other = await setup();
    const foreign = await call(createRequest, { path: `/api/runtimes/${rt.id}/requests`, body: { kind: "ping" }, session: other.owner, headers: other.headers, params: { id: rt.id } });
    expect(foreign.status).toBe(404);
    const hb = await call(heartbeat, { path: "/api/daemon/heartbeat", body: { runtime_ids: [rt.id] }, headers: bearer(ctx.token) });
    expect(hb.body.pending_requests.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
  });

  it("a runtime id in upper case names the same runtime: the request is stored under its canonical id and claimed", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    const upper = rt.id.toUpperCase();
    const created = await call(createRequest, { path: `/api/runtimes/${upper}/requests`, body: { kind: "ping" }, session: ctx.owner, headers: ctx.headers, params: { id: upper } });
    expect(created.status).toBe(201);
    expect(created.body.runtime_id).toBe(rt.id);
    const read = await call(getRequest, { path: `/api/runtimes/${rt.id}/requests/${created.body.id}`, session: ctx.owner, headers: ctx.headers, params: { id: rt.id, requestId: created.body.id } });
    expect(read.status).toBe(200);
    const hb = await call(heartbeat, { path: "/api/daemon/heartbeat", body: { runtime_ids: [rt.id] }, headers: bearer(ctx.token) });
    expect(hb.body.pending_requests.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
  });

  it("an offline runtime → 503; a result that cannot be stored → 500, not 200", async () => {
    const ctx = await setup();
    const rt = await registerRuntime(ctx);
    await call(deregister, { path: "/api/daemon/deregister", body: { runtime_ids: [rt.id] }, headers: bearer(ctx.token) });
    const offline = await call(createRequest, { path: `/api/runtimes/${rt.id}/requests`, body: { kind: "ping" }, session: ctx.owner, headers: ctx.headers, params: { id: rt.id } });
    expect(offline.status).toBe(503);

    class BrokenWrites extends MemoryPendingRequestStore {
      override async complete(): Promise<never> {
        throw new Error("READONLY You can't write against a read only replica");
      }
    }
    const broken = new BrokenWrites();
    setPendingRequestStoreForTests(broken);
    try {
      const rt2 = await registerRuntime(ctx);
      const created = await call(createRequest, { path: `/api/runtimes/${rt2.id}/requests`, body: { kind: "ping" }, session: ctx.owner, headers: ctx.headers, params: { id: rt2.id } });
      await call(heartbeat, { path: "/api/daemon/heartbeat", body: { runtime_ids: [rt2.id] }, headers: bearer(ctx.token) });
      const params = { id: rt2.id, requestId: created.body.id };
      const res = await call(requestResult, { path: `/api/daemon/runtimes/${rt2.id}/requests/${created.body.id}/result`, body: { result: { pong: true } }, headers: bearer(ctx.token), params });
      expect(res.status).toBe(500);
      expect((await broken.get(created.body.id))!.status).toBe("running");
    } finally {
      setPendingRequestStoreForTests(undefined);
    }
  });
});

describe("runtime ownership", () => {
  const patFor = async (session: Session) => {
    const res = await call(createPat, { path: "/api/tokens", body: { name: "daemon" }, session });
    expect(res.status).toBe(201);
    return res.body.token as string;
  };
  const registerAs = (ctx: Ctx, token: string, daemonId: string) =>
    call(register, {
      path: "/api/daemon/register",
      headers: bearer(token),
      body: { workspace_id: ctx.workspace.id, daemon_id: daemonId, device_name: "laptop", cli_version: "1.0.0", runtimes: [{ name: "Claude", provider: "claude", version: "2.1", status: "online" }] },
    });

  it("another member cannot take over a runtime by re-registering its daemon id, nor drive it or its tasks", async () => {
    const ctx = await setup();
    const ownerPat = await patFor(ctx.owner);
    const daemonId = `owner-laptop-${randomUUID().slice(0, 6)}`;
    const mine = await registerAs(ctx, ownerPat, daemonId);
    expect(mine.status).toBe(200);
    const runtimeId = mine.body.runtimes[0].id as string;

    const member = await addMember(ctx.workspace.id, "member");
    const memberPat = await patFor(member);
    const takeover = await registerAs(ctx, memberPat, daemonId);
    expect(takeover.status).toBe(409);
    const byDaemonToken = await registerAs(ctx, ctx.token, daemonId);
    expect(byDaemonToken.status).toBe(409);

    const agent = await agentOn(ctx, runtimeId);
    await assignedIssue(ctx, agent.id);
    const asMember = { ...ctx, token: memberPat };
    expect((await claimOn(asMember, runtimeId)).status).toBe(404);
    expect((await call(heartbeat, { path: "/api/daemon/heartbeat", headers: bearer(memberPat), body: { runtime_ids: [runtimeId] } })).status).toBe(404);
    const claimed = await claimOn({ ...ctx, token: ownerPat }, runtimeId);
    expect(claimed.status).toBe(200);
    const taskId = claimed.body.task.id as string;
    expect((await taskCall(start, asMember, "start", taskId)).status).toBe(404);
    expect((await taskCall(complete, asMember, "complete", taskId, { output: "forged" })).status).toBe(404);
    expect((await taskCall(start, { ...ctx, token: ownerPat }, "start", taskId)).status).toBe(200);
  });

  it("a runtime registered by one daemon token is not another's, until the first token is revoked", async () => {
    const ctx = await setup();
    const second = await daemonTokenFor(ctx.owner, ctx.workspace.id);
    const daemonId = `shared-${randomUUID().slice(0, 6)}`;
    const first = await registerAs(ctx, ctx.token, daemonId);
    const runtimeId = first.body.runtimes[0].id as string;
    expect((await registerAs(ctx, second, daemonId)).status).toBe(409);
    expect((await claimOn({ ...ctx, token: second }, runtimeId)).status).toBe(404);

    const tokens = await call(listDaemonTokensRoute, { path: "/api/runtimes/daemon-tokens", session: ctx.owner, headers: ctx.headers });
    const firstId = (tokens.body.tokens as { id: string; created_at: string }[]).sort((a, b) => a.created_at.localeCompare(b.created_at))[0]!.id;
    expect((await call(revokeDaemonTokenRoute, { method: "DELETE", path: `/api/runtimes/daemon-tokens/${firstId}`, session: ctx.owner, headers: ctx.headers, params: { id: firstId } })).status).toBe(204);
    const adopted = await registerAs(ctx, second, daemonId);
    expect(adopted.status).toBe(200);
    expect(adopted.body.runtimes[0].id).toBe(runtimeId);
    expect((await claimOn({ ...ctx, token: second }, runtimeId)).status).toBe(204);
  });

  it("a runtime whose daemon token went with its creator's account is adopted by the workspace's next daemon token", async () => {
    const ctx = await setup();
    const leaver = await addMember(ctx.workspace.id, "admin");
    const leaverToken = await daemonTokenFor(leaver, ctx.workspace.id);
    const daemonId = `left-${randomUUID().slice(0, 6)}`;
    const first = await registerAs(ctx, leaverToken, daemonId);
    const runtimeId = first.body.runtimes[0].id as string;
    expect((await registerAs(ctx, ctx.token, daemonId)).status).toBe(409);
    await (await getDb()).execute(sql`delete from users where id = ${leaver.user.id}`); // tokens go with the account
    const adopted = await registerAs(ctx, ctx.token, daemonId);
    expect(adopted.status).toBe(200);
    expect(adopted.body.runtimes[0].id).toBe(runtimeId);
    expect((await claimOn(ctx, runtimeId)).status).toBe(204);
  });
});

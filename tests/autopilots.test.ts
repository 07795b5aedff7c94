import { and, eq, ne } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as listAutopilots, POST as createAutopilot } from "@/app/api/autopilots/route";
import { DELETE as deleteAutopilot, GET as getAutopilot, PATCH as patchAutopilot } from "@/app/api/autopilots/[id]/route";
import { GET as listRuns, POST as runNow } from "@/app/api/autopilots/[id]/runs/route";
import { POST as addTrigger } from "@/app/api/autopilots/[id]/triggers/route";
import { PATCH as patchTrigger } from "@/app/api/autopilots/[id]/triggers/[triggerId]/route";
import { POST as rotateToken } from "@/app/api/autopilots/[id]/triggers/[triggerId]/rotate/route";
import { DELETE as deleteIssue, PATCH as patchIssue } from "@/app/api/issues/[id]/route";
import { POST as createSquad } from "@/app/api/squads/route";
import { DELETE as archiveAgent } from "@/app/api/agents/[id]/route";
import { POST as webhook } from "@/app/api/webhooks/autopilot/[token]/route";
import { finishAutopilotRun, runDueSchedules, startAutopilotScheduler, stopAutopilotScheduler } from "@/lib/autopilots";
import { dispatchAutopilot } from "@/lib/autopilots/dispatch";
import { MAX_DISPATCH_ATTEMPTS } from "@/lib/autopilots/scheduler";
import { getDb } from "@/lib/db";
import { agentTasks, autopilotRuns, autopilotTriggers, autopilots, issues } from "@/lib/db/schema";
import { call, type Session } from "./helpers/api";
import { captureEvents, metricValue } from "./helpers/telemetry";
import { addMember, ownerWithWorkspace } from "./helpers/workspace";
import { bearer, daemonTokenFor } from "./helpers/daemon";
import { POST as registerDaemon } from "@/app/api/daemon/register/route";
import { POST as claimTask } from "@/app/api/daemon/runtimes/[id]/tasks/claim/route";
import { POST as startTask } from "@/app/api/daemon/tasks/[id]/start/route";
import { POST as completeTask } from "@/app/api/daemon/tasks/[id]/complete/route";
import { POST as failTask } from "@/app/api/daemon/tasks/[id]/fail/route";
import { insertRuntime, newAgent } from "./helpers/work";

process.env.RATE_LIMIT_SEND_CODE_IP = "100000";

const sink = captureEvents();

type Ctx = { owner: Session; workspace: { id: string }; headers: Record<string, string> };

/** A workspace with an agent on an online runtime (so runs are admitted). */
async function setup(opts: { runtime?: "online" | "offline" | "none" } = {}) {
  const ctx = await ownerWithWorkspace();
  const runtime = opts.runtime === "none" ? null : await insertRuntime(ctx.workspace.id, { status: opts.runtime ?? "online" });
  const agent = await newAgent(ctx.owner, ctx.headers, { runtime_id: runtime?.id });
  sink.clear();
  return { ...ctx, agent };
}

async function newAutopilot(ctx: Ctx, body: Record<string, unknown>) {
  const res = await call(createAutopilot, { path: "/api/autopilots", session: ctx.owner, headers: ctx.headers, body: { name: "Nightly triage", execution_mode: "create_issue", prompt: "Triage the inbox", ...body } });
  if (res.status !== 201) throw new Error(`create autopilot failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The captured events of one autopilot (scheduler ticks see every workspace's due triggers). */
const eventsOf = (name: string, autopilotId: string) => sink.named(name).filter((e) => e.properties.autopilot_id === autopilotId);

const run = (ctx: Ctx, id: string) => call(runNow, { session: ctx.owner, headers: ctx.headers, params: { id } });

describe("POST /api/autopilots", () => {
  it("creates an autopilot with schedule and webhook triggers; cadence comes from the cron, trigger_kind is its own", async () => {
    const ctx = await setup();
    const before = await metricValue("tandem_autopilot_created_total", { cadence: "daily" });
    const res = await call(createAutopilot, {
      path: "/api/autopilots",
      session: ctx.owner,
      headers: ctx.headers,
      body: {
        name: "Weekday digest",
        assignee_type: "agent",
        assignee_id: ctx.agent.id,
        execution_mode: "create_issue",
        prompt: "Summarise",
        triggers: [{ kind: "webhook" }, { kind: "schedule", cron: "0 9 * * 1-5", timezone: "Europe/Paris" }],
      },
    });
    expect(res.status).toBe(201);
    const [hook, schedule] = res.body.triggers;
    expect(schedule).toMatchObject({ kind: "schedule", cron: "0 9 * * 1-5", timezone: "Europe/Paris", cadence: "daily", enabled: true, next_run_at: expect.any(String) });
    expect(new Date(schedule.next_run_at).getTime()).toBeGreaterThan(Date.now());
    expect(hook).toMatchObject({ kind: "webhook", cadence: "webhook", webhook_token: expect.stringMatching(/^awt_/), webhook_path: `/api/webhooks/autopilot/${hook.webhook_token}` });

    const [ev] = sink.named("autopilot_created");
    expect(ev!.properties).toMatchObject({ autopilot_id: res.body.id, cadence: "daily", trigger_kind: "schedule", source: "manual" });
    expect(await metricValue("tandem_autopilot_created_total", { cadence: "daily" })).toBe(before + 1);

    // The token is shown once; only its hash is stored.
    const got = await call(getAutopilot, { session: ctx.owner, headers: ctx.headers, params: { id: res.body.id } });
    expect(JSON.stringify(got.body)).not.toContain("awt_");
    const [row] = await (await getDb()).select().from(autopilotTriggers).where(eq(autopilotTriggers.id, hook.id));
    expect(row!.webhookSecretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(hook.webhook_token).not.toContain(row!.webhookSecretHash);
  });

  it("an autopilot without triggers is manual/manual", async () => {
    const ctx = await setup();
    await newAutopilot(ctx, { assignee_type: "agent", assignee_id: ctx.agent.id });
    expect(sink.named("autopilot_created")[0]!.properties).toMatchObject({ cadence: "manual", trigger_kind: "manual" });
  });

  it.each([
    [{ triggers: [{ kind: "schedule", cron: "every day" }] }, /triggers\.cron/],
    [{ triggers: [{ kind: "schedule", cron: "0 9 * * *", timezone: "Nowhere/Land" }] }, /triggers\.timezone/],
    [{ triggers: [{ kind: "cron" }] }, /kind/],
    [{ execution_mode: "later" }, /execution_mode/],
    [{ prompt: "" }, /prompt/],
    [{ assignee_type: "team" }, /assignee_type/],
  ])("rejects %j", async (override, message) => {
    const ctx = await setup();
    const res = await call(createAutopilot, {
      path: "/api/autopilots",
      session: ctx.owner,
      headers: ctx.headers,
      body: { name: "x", assignee_type: "agent", assignee_id: ctx.agent.id, execution_mode: "run_only", prompt: "p", ...override },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
    expect((await call(listAutopilots, { path: "/api/autopilots", session: ctx.owner, headers: ctx.headers })).body.autopilots).toEqual([]);
    expect(sink.named("autopilot_created")).toHaveLength(0);
  });

  it("refuses another workspace's assignee and hides autopilots across workspaces; changes need creator or owner/admin", async () => {
    const a = await setup();
    const b = await setup();
    const foreign = await call(createAutopilot, { path: "/api/autopilots", session: a.owner, headers: a.headers, body: { name: "x", assignee_type: "agent", assignee_id: b.agent.id, execution_mode: "run_only", prompt: "p" } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toMatch(/assignee_id/);

    const ap = await newAutopilot(a, { assignee_type: "agent", assignee_id: a.agent.id });
    const asB = { session: b.owner, headers: b.headers, params: { id: ap.id } };
    expect((await call(getAutopilot, asB)).status).toBe(404);
    expect((await call(patchAutopilot, { ...asB, method: "PATCH", body: { name: "y" } })).status).toBe(404);
    expect((await call(deleteAutopilot, { ...asB, method: "DELETE" })).status).toBe(404);
    expect((await call(runNow, asB)).status).toBe(404);
    expect((await call(listRuns, asB)).status).toBe(404);
    expect((await call(addTrigger, { ...asB, body: { kind: "manual" } })).status).toBe(404);

    const member = await addMember(a.workspace.id, "member");
    const asMember = { session: member, headers: a.headers, params: { id: ap.id } };
    expect((await call(patchAutopilot, { ...asMember, method: "PATCH", body: { name: "y" } })).status).toBe(403);
    expect((await call(deleteAutopilot, { ...asMember, method: "DELETE" })).status).toBe(403);
    expect((await call(addTrigger, { ...asMember, body: { kind: "manual" } })).status).toBe(403);
    // Any member may run it.
    expect((await call(runNow, asMember)).status).toBe(201);
    const renamed = await call(patchAutopilot, { session: a.owner, headers: a.headers, params: { id: ap.id }, method: "PATCH", body: { name: "Renamed", enabled: false } });
    expect(renamed.body).toMatchObject({ name: "Renamed", enabled: false });
    expect((await call(deleteAutopilot, { session: a.owner, headers: a.headers, params: { id: ap.id }, method: "DELETE" })).status).toBe(204);
  });
});

describe("runs", () => {
  it("deleting the run's issue ends the run, so the autopilot is not blocked as already running", async () => {
    const ctx = await setup();
    const ap = await newAutopilot(ctx, { assignee_type: "agent", assignee_id: ctx.agent.id });
    const first = await run(ctx, ap.id);
    expect(first.body.status).toBe("started");
    const del = await call(deleteIssue, { method: "DELETE", session: ctx.owner, headers: ctx.headers, params: { id: first.body.issue_id } });
    expect(del.status).toBe(204);
    const [ended] = await (await getDb()).select().from(autopilotRuns).where(eq(autopilotRuns.id, first.body.id));
    expect(ended).toMatchObject({ status: "failed" });
    expect((await run(ctx, ap.id)).body.status).toBe("started");
  });

  it("create_issue: a started run creates an issue for the agent with its task; finishing the issue completes the run once", async () => {
    const ctx = await setup();
    const ap = await newAutopilot(ctx, { assignee_type: "agent", assignee_id: ctx.agent.id });
    const startedBefore = await metricValue("tandem_autopilot_run_started_total", { cadence: "manual", trigger_kind: "manual" });
    const res = await run(ctx, ap.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "started", trigger_kind: "manual", cadence: "manual", issue_id: expect.any(String), task_id: expect.any(String) });

    const db = await getDb();
    const [issue] = await db.select().from(issues).where(eq(issues.id, res.body.issue_id));
    expect(issue).toMatchObject({ title: "Nightly triage", originType: "autopilot", originId: res.body.id, assigneeType: "agent", assigneeId: ctx.agent.id, creatorId: ctx.owner.user.id, status: "todo" });
    const [task] = await db.select().from(agentTasks).where(eq(agentTasks.id, res.body.task_id));
    expect(task).toMatchObject({ issueId: issue!.id, autopilotRunId: res.body.id, source: "autopilot_issue", agentId: ctx.agent.id });

    const [started] = sink.named("autopilot_run_started");
    expect(started!.properties).toMatchObject({ autopilot_id: ap.id, autopilot_run_id: res.body.id, cadence: "manual", trigger_kind: "manual", assignee_type: "agent", agent_id: ctx.agent.id, source: "autopilot" });
    const [created] = sink.named("issue_created");
    expect(created!.properties).toMatchObject({ source: "autopilot", platform: "server", autopilot_run_id: res.body.id });
    expect(await metricValue("tandem_autopilot_run_started_total", { cadence: "manual", trigger_kind: "manual" })).toBe(startedBefore + 1);

    // While it runs, another fire is skipped.
    const again = await run(ctx, ap.id);
    expect(again.body).toMatchObject({ status: "skipped", skip_reason: "already_running" });
    expect(sink.named("autopilot_run_skipped")[0]!.properties).toMatchObject({ reason: "already_running", cadence: "manual", trigger_kind: "manual", autopilot_run_id: again.body.id });

    const terminalBefore = await metricValue("tandem_autopilot_run_terminal_total", { cadence: "manual", trigger_kind: "manual", terminal_status: "completed" });
    const patch = (status: string) => call(patchIssue, { method: "PATCH", session: ctx.owner, headers: ctx.headers, params: { id: issue!.id }, body: { status } });
    await patch("done");
    await patch("todo");
    await patch("done");
    expect(sink.named("autopilot_run_completed")).toHaveLength(1);
    expect(sink.named("autopilot_run_completed")[0]!.properties).toMatchObject({ autopilot_run_id: res.body.id, duration_ms: expect.any(Number) });
    expect(await metricValue("tandem_autopilot_run_terminal_total", { cadence: "manual", trigger_kind: "manual", terminal_status: "completed" })).toBe(terminalBefore + 1);
    expect(await finishAutopilotRun(db, res.body.id, "failed", "task timeout")).toBe(false);
    const runs = (await call(listRuns, { session: ctx.owner, headers: ctx.headers, params: { id: ap.id } })).body.runs;
    expect(runs.map((r: { status: string }) => r.status)).toEqual(["skipped", "completed"]);
  });

  it("run_only via a squad: the leader gets an autopilot task; a failed task fails the run", async () => {
    const ctx = await setup();
    const member = await newAgent(ctx.owner, ctx.headers, { name: "Helper" });
    const squad = (await call(createSquad, { path: "/api/squads", session: ctx.owner, headers: ctx.headers, body: { name: "Ops", leader_id: ctx.agent.id, member_ids: [member.id] } })).body;
    const ap = await newAutopilot(ctx, { assignee_type: "squad", assignee_id: squad.id, execution_mode: "run_only" });
    const res = await run(ctx, ap.id);
    expect(res.body).toMatchObject({ status: "started", issue_id: null });
    const [task] = await (await getDb()).select().from(agentTasks).where(eq(agentTasks.id, res.body.task_id));
    expect(task).toMatchObject({ agentId: ctx.agent.id, source: "autopilot", autopilotRunId: res.body.id, issueId: null, prompt: "Triage the inbox" });
    expect(sink.named("autopilot_run_started")[0]!.properties).toMatchObject({ assignee_type: "squad", squad_id: squad.id, agent_id: ctx.agent.id });
    expect(sink.named("issue_created")).toHaveLength(0);

    expect(await finishAutopilotRun(await getDb(), res.body.id, "failed", "task timeout", ctx.agent.id)).toBe(true);
    expect(await finishAutopilotRun(await getDb(), res.body.id, "completed")).toBe(false);
    const [failed] = sink.named("autopilot_run_failed");
    expect(failed!.properties).toMatchObject({ failure_reason: "task timeout", error_type: "task_error", will_retry: false });
  });

  it("skips with runtime_offline (offline or unbound runtime) and trigger_disabled", async () => {
    for (const runtime of ["offline", "none"] as const) {
      const ctx = await setup({ runtime });
      const ap = await newAutopilot(ctx, { assignee_type: "agent", assignee_id: ctx.agent.id });
      const before = await metricValue("tandem_autopilot_run_skipped_total", { cadence: "manual", reason: "runtime_offline" });
      expect((await run(ctx, ap.id)).body).toMatchObject({ status: "skipped", skip_reason: "runtime_offline", task_id: null });
      expect(await metricValue("tandem_autopilot_run_skipped_total", { cadence: "manual", reason: "runtime_offline" })).toBe(before + 1);
    }
    const ctx = await setup();
    const ap = await newAutopilot(ctx, { assignee_type: "agent", assignee_id: ctx.agent.id, enabled: false });
    expect((await run(ctx, ap.id)).body).toMatchObject({ status: "skipped", skip_reason: "trigger_disabled" });
    expect(sink.named("autopilot_run_skipped").at(-1)!.properties).toMatchObject({ reason: "trigger_disabled" });
    expect(await (await getDb()).select().from(agentTasks).where(eq(agentTasks.workspaceId, ctx.workspace.id))).toHaveLength(0);
  });

  it("fails the run (no work left behind) when the assignee is archived or the mode is unknown", async () => {
    const ctx = await setup();
    const ap = await newAutopilot(ctx, { assignee_type: "agent", assignee_id: ctx.agent.id });
    const db = await getDb();
    await db.update(autopilots).set({ executionMode: "later" }).where(eq(autopilots.id, ap.id));
    const bad = (await run(ctx, ap.id)).body;
    expect(bad).toMatchObject({ status: "failed", failure_reason: expect.stringContaining("unknown execution_mode"), task_id: null, issue_id: null });
    expect(eventsOf("autopilot_run_failed", ap.id)[0]!.properties).toMatchObject({ error_type: "configuration", will_retry: false });
    expect(await db.select().from(issues).where(eq(issues.workspaceId, ctx.workspace.id))).toHaveLength(0);

    await db.update(autopilots).set({ executionMode: "create_issue" }).where(eq(autopilots.id, ap.id));
    await call(archiveAgent, { method: "DELETE", session: ctx.owner, headers: ctx.headers, params: { id: ctx.agent.id } });
    const gone = (await run(ctx, ap.id)).body;
    expect(gone).toMatchObject({ status: "failed", failure_reason: expect.stringMatching(/^dispatch:/) });
    expect(eventsOf("autopilot_run_failed", ap.id)[1]!.properties).toMatchObject({ error_type: "dispatch_error" });
    expect(eventsOf("autopilot_run_started", ap.id)).toHaveLength(0);
    expect(await db.select().from(agentTasks).where(eq(agentTasks.workspaceId, ctx.workspace.id))).toHaveLength(0);
  });

  it("concurrent manual fires start exactly one run", async () => {
    const ctx = await setup();
    const ap = await newAutopilot(ctx, { assignee_type: "agent", assignee_id: ctx.agent.id, execution_mode: "run_only" });
    const results = await Promise.all(Array.from({ length: 6 }, () => run(ctx, ap.id)));
    const statuses = results.map((r) => r.body.status).sort();
    expect(statuses).toEqual(["skipped", "skipped", "skipped", "skipped", "skipped", "started"]);
    expect(sink.named("autopilot_run_started")).toHaveLength(1);
    expect(sink.named("autopilot_run_skipped")).toHaveLength(5);
  });
});

describe("deleting an autopilot", () => {
  it("ends each started run as failed and cancels its run-only work; an issue it created keeps its task", async () => {
    const ctx = await setup();
    const db = await getDb();
    const runOnly = await newAutopilot(ctx, { assignee_type: "agent", assignee_id: ctx.agent.id, execution_mode: "run_only" });
    const started = (await run(ctx, runOnly.id)).body;
    expect(started.status).toBe("started");
    const issueMaker = await newAutopilot(ctx, { assignee_type: "agent", assignee_id: ctx.agent.id, execution_mode: "create_issue" });
    const made = (await run(ctx, issueMaker.id)).body;
    expect(made.status).toBe("started");
    const terminal = { cadence: "manual", trigger_kind: "manual", terminal_status: "failed" };
    const failedBefore = await metricValue("tandem_autopilot_run_terminal_total", terminal);

    // Concurrent deletions: one 204, the others 404 (nothing left to delete), every run ended once.
    for (const ap of [runOnly, issueMaker]) {
      const all = await Promise.all([1, 2, 3, 4].map(() => call(deleteAutopilot, { session: ctx.owner, headers: ctx.headers, params: { id: ap.id }, method: "DELETE" })));
      expect(all.map((r) => r.status).sort()).toEqual([204, 404, 404, 404]);
    }
    const failed = sink.named("autopilot_run_failed");
    expect(failed.map((e) => e.properties.autopilot_run_id).sort()).toEqual([started.id, made.id].sort());
    for (const e of failed) expect(e.properties).toMatchObject({ failure_reason: "autopilot deleted", error_type: "autopilot_error", agent_id: ctx.agent.id });
    expect(await metricValue("tandem_autopilot_run_terminal_total", terminal)).toBe(failedBefore + 2);
    const [task] = await db.select().from(agentTasks).where(eq(agentTasks.id, started.task_id));
    expect(task!.status).toBe("cancelled");
    expect(sink.named("agent_task_cancelled")).toHaveLength(1);
    const [issue] = await db.select().from(issues).where(eq(issues.workspaceId, ctx.workspace.id));
    expect((await db.select().from(agentTasks).where(eq(agentTasks.issueId, issue!.id))).map((t) => t.status)).toEqual(["queued"]);
    expect(await db.select().from(autopilotRuns).where(eq(autopilotRuns.autopilotId, runOnly.id))).toHaveLength(0);
  });
});

describe("runs end with their task (daemon API)", () => {
  it("a completed task completes its run; a failed one (no retry for run-only) fails it", async () => {
    const ctx = await ownerWithWorkspace();
    const token = await daemonTokenFor(ctx.owner, ctx.workspace.id);
    const reg = await call(registerDaemon, {
      path: "/api/daemon/register",
      headers: bearer(token),
      body: { workspace_id: ctx.workspace.id, daemon_id: "d-auto", device_name: "box", cli_version: "1.0.0", runtimes: [{ name: "Claude", provider: "claude", version: "2", status: "online" }] },
    });
    const runtimeId = reg.body.runtimes[0].id as string;
    const agent = await newAgent(ctx.owner, ctx.headers, { runtime_id: runtimeId });
    const ap = await newAutopilot(ctx, { assignee_type: "agent", assignee_id: agent.id, execution_mode: "run_only" });
    const daemon = (handler: typeof startTask, op: string, taskId: string, body: unknown = {}) =>
      call(handler, { path: `/api/daemon/tasks/${taskId}/${op}`, body, headers: bearer(token), params: { id: taskId } });
    const claimAndStart = async () => {
      const claimed = await call(claimTask, { path: `/api/daemon/runtimes/${runtimeId}/tasks/claim`, method: "POST", headers: bearer(token), params: { id: runtimeId } });
      expect(claimed.status).toBe(200);
      const taskId = claimed.body.task.id as string;
      expect((await daemon(startTask, "start", taskId)).status).toBe(200);
      return taskId;
    };
    sink.clear();

    const first = (await run(ctx, ap.id)).body;
    expect(first.status).toBe("started");
    const t1 = await claimAndStart();
    expect(t1).toBe(first.task_id);
    expect((await daemon(completeTask, "complete", t1, { result: { output: "done" } })).status).toBe(200);
    const [completed] = sink.named("autopilot_run_completed");
    expect(completed!.properties).toMatchObject({ autopilot_run_id: first.id, agent_id: agent.id, cadence: "manual", trigger_kind: "manual" });

    // The run is over, so the next one is admitted (not already_running).
    const second = (await run(ctx, ap.id)).body;
    expect(second.status).toBe("started");
    const t2 = await claimAndStart();
    const failure = await daemon(failTask, "fail", t2, { failure_reason: "timeout", error: "took too long" });
    expect(failure.status).toBe(200);
    expect(failure.body.task).toMatchObject({ status: "failed", will_retry: false, retry_task_id: null });
    const [failed] = sink.named("autopilot_run_failed");
    expect(failed!.properties).toMatchObject({ autopilot_run_id: second.id, failure_reason: "task timeout", error_type: "task_error" });
    const runs = (await call(listRuns, { session: ctx.owner, headers: ctx.headers, params: { id: ap.id } })).body.runs;
    expect(runs.map((r: { status: string }) => r.status)).toEqual(["failed", "completed"]);
  });
});

describe("scheduler", () => {
  async function scheduled(ctx: Awaited<ReturnType<typeof setup>>, cron = "0 * * * *") {
    const ap = await newAutopilot(ctx, { assignee_type: "agent", assignee_id: ctx.agent.id, execution_mode: "run_only", triggers: [{ kind: "schedule", cron, timezone: "UTC" }] });
    const trigger = ap.triggers[0] as { id: string; next_run_at: string };
    // The tick runs every due trigger in this database: earlier tests' hourly ones would come due at the top of the
    // hour and be counted with this one. Only this test's trigger may fire.
    await (await getDb()).update(autopilotTriggers).set({ nextRunAt: new Date(Date.now() + 365 * 86_400_000) }).where(and(ne(autopilotTriggers.id, trigger.id), eq(autopilotTriggers.kind, "schedule")));
    return { ap, trigger };
  }
  const slotRuns = async (triggerId: string) => (await getDb()).select().from(autopilotRuns).where(eq(autopilotRuns.triggerId, triggerId));

  it("fires a due slot once across concurrent ticks, advances next_run_at, and does not refire after a restart", async () => {
    const ctx = await setup();
    const { ap, trigger } = await scheduled(ctx);
    const db = await getDb();
    const slot = new Date(new Date(trigger.next_run_at).getTime() - 3_600_000);
    await db.update(autopilotTriggers).set({ nextRunAt: slot }).where(eq(autopilotTriggers.id, trigger.id));

    // Three "nodes" tick at once.
    const claimed = await Promise.all([runDueSchedules(db), runDueSchedules(db), runDueSchedules(db)]);
    const runs = await slotRuns(trigger.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "started", triggerKind: "schedule", cadence: "hourly", scheduledFor: slot });
    expect(claimed.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const [after] = await db.select().from(autopilotTriggers).where(eq(autopilotTriggers.id, trigger.id));
    expect(after!.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
    expect(after!.lastFiredAt).not.toBeNull();
    expect(eventsOf("autopilot_run_started", ap.id)[0]!.properties).toMatchObject({ cadence: "hourly", trigger_kind: "schedule" });

    // A node that crashed after firing but before advancing: the slot is due again, the claim refuses it.
    await db.update(autopilotTriggers).set({ nextRunAt: slot }).where(eq(autopilotTriggers.id, trigger.id));
    expect(await runDueSchedules(db)).toBe(0);
    expect(await slotRuns(trigger.id)).toHaveLength(1);
    expect(eventsOf("autopilot_run_started", ap.id)).toHaveLength(1);
    expect(await runDueSchedules(db)).toBe(0);
  });

  it("the in-process loop picks up due slots on its own and stops cleanly", async () => {
    const ctx = await setup();
    const { trigger } = await scheduled(ctx);
    const db = await getDb();
    await db.update(autopilotTriggers).set({ nextRunAt: new Date(Date.now() - 1000) }).where(eq(autopilotTriggers.id, trigger.id));
    startAutopilotScheduler({ intervalMs: 50 });
    startAutopilotScheduler({ intervalMs: 50 }); // idempotent: one loop per process
    try {
      await expect.poll(async () => (await slotRuns(trigger.id)).length, { timeout: 5000 }).toBe(1);
    } finally {
      stopAutopilotScheduler();
    }
    // Stopped: a new due slot stays unfired.
    await db.update(autopilotTriggers).set({ nextRunAt: new Date(Date.now() - 500) }).where(eq(autopilotTriggers.id, trigger.id));
    await new Promise((r) => setTimeout(r, 300));
    expect(await slotRuns(trigger.id)).toHaveLength(1);
    await db.update(autopilotTriggers).set({ enabled: false, nextRunAt: null }).where(eq(autopilotTriggers.id, trigger.id));
  });

  it("a slot whose dispatch throws is retried on the next ticks, then recorded once as a failed run with its event", async () => {
    const ctx = await setup();
    const { ap, trigger } = await scheduled(ctx);
    const db = await getDb();
    const slot = new Date(Date.now() - 60_000);
    await db.update(autopilotTriggers).set({ nextRunAt: slot }).where(eq(autopilotTriggers.id, trigger.id));
    const before = await metricValue("tandem_autopilot_run_terminal_total", { cadence: "hourly", trigger_kind: "schedule", terminal_status: "failed" });
    let calls = 0;
    const broken = async () => {
      calls++;
      throw new Error("connection reset by the database");
    };
    const nextRunAt = async () => (await db.select().from(autopilotTriggers).where(eq(autopilotTriggers.id, trigger.id)))[0]!.nextRunAt;

    for (let tick = 1; tick < MAX_DISPATCH_ATTEMPTS; tick++) {
      await runDueSchedules(db, new Date(), { dispatch: broken });
      expect(await slotRuns(trigger.id)).toHaveLength(0);
      expect(await nextRunAt()).toEqual(slot); // not skipped: still due for the next tick
    }
    await runDueSchedules(db, new Date(), { dispatch: broken });
    expect(calls).toBe(MAX_DISPATCH_ATTEMPTS);
    const runs = await slotRuns(trigger.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "failed", triggerKind: "schedule", cadence: "hourly", scheduledFor: slot });
    expect(runs[0]!.failureReason).toMatch(/^dispatch failed after 3 attempts: connection reset/);
    expect((await nextRunAt())!.getTime()).toBeGreaterThan(Date.now());
    const [failed] = eventsOf("autopilot_run_failed", ap.id);
    expect(failed!.properties).toMatchObject({ autopilot_run_id: runs[0]!.id, trigger_kind: "schedule", error_type: "dispatch_error" });
    expect(await metricValue("tandem_autopilot_run_terminal_total", { cadence: "hourly", trigger_kind: "schedule", terminal_status: "failed" })).toBe(before + 1);
    // Nothing left to retry.
    await runDueSchedules(db, new Date(), { dispatch: broken });
    expect(calls).toBe(MAX_DISPATCH_ATTEMPTS);
  });

  it("a dispatch that throws once succeeds on the retry: one started run, no failure", async () => {
    const ctx = await setup();
    const { ap, trigger } = await scheduled(ctx);
    const db = await getDb();
    const slot = new Date(Date.now() - 60_000);
    await db.update(autopilotTriggers).set({ nextRunAt: slot }).where(eq(autopilotTriggers.id, trigger.id));
    let calls = 0;
    const flaky: typeof dispatchAutopilot = async (...args) => {
      if (++calls === 1) throw new Error("statement timeout");
      return dispatchAutopilot(...args);
    };
    await runDueSchedules(db, new Date(), { dispatch: flaky });
    expect(await slotRuns(trigger.id)).toHaveLength(0);
    await runDueSchedules(db, new Date(), { dispatch: flaky });
    const runs = await slotRuns(trigger.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "started", scheduledFor: slot });
    expect(eventsOf("autopilot_run_failed", ap.id)).toHaveLength(0);
    expect(eventsOf("autopilot_run_started", ap.id)).toHaveLength(1);
  });

  it("a schedule's cron and time zone are changed in place: validated as at creation, cadence and next slot follow", async () => {
    const ctx = await setup();
    const { ap, trigger } = await scheduled(ctx, "0 9 * * 1");
    const patch = (body: unknown, triggerId = trigger.id) => call(patchTrigger, { method: "PATCH", session: ctx.owner, headers: ctx.headers, params: { id: ap.id, triggerId }, body });
    expect(await patch({ cron: "61 * * * *" })).toMatchObject({ status: 400, body: { error: "cron: invalid value for minute: 61" } });
    expect((await patch({ timezone: "Mars/Olympus" })).body.error).toBe("timezone: unknown time zone");
    const changed = await patch({ cron: "30 7 * * *", timezone: "Europe/Paris" });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ cron: "30 7 * * *", timezone: "Europe/Paris", cadence: "daily" });
    const next = new Date(changed.body.next_run_at);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit" }).format(next)).toBe("07:30");
    const hook = await newAutopilot(ctx, { assignee_type: "agent", assignee_id: ctx.agent.id, execution_mode: "run_only", triggers: [{ kind: "webhook" }] });
    const onHook = await call(patchTrigger, { method: "PATCH", session: ctx.owner, headers: ctx.headers, params: { id: hook.id, triggerId: hook.triggers[0].id }, body: { cron: "* * * * *" } });
    expect(onHook).toMatchObject({ status: 400, body: { error: "cron and timezone apply to schedule triggers only" } });
  });

  it("a due slot of a disabled trigger is recorded as skipped (trigger_disabled) with the schedule's cadence", async () => {
    const ctx = await setup();
    const { ap, trigger } = await scheduled(ctx, "0 9 * * 1");
    const off = await call(patchTrigger, { method: "PATCH", session: ctx.owner, headers: ctx.headers, params: { id: ap.id, triggerId: trigger.id }, body: { enabled: false } });
    expect(off.body.enabled).toBe(false);
    const db = await getDb();
    await db.update(autopilotTriggers).set({ nextRunAt: new Date(Date.now() - 1000) }).where(eq(autopilotTriggers.id, trigger.id));
    const before = await metricValue("tandem_autopilot_run_skipped_total", { cadence: "weekly", reason: "trigger_disabled" });
    await runDueSchedules(db);
    expect((await slotRuns(trigger.id))[0]).toMatchObject({ status: "skipped", skipReason: "trigger_disabled", cadence: "weekly" });
    expect(await metricValue("tandem_autopilot_run_skipped_total", { cadence: "weekly", reason: "trigger_disabled" })).toBe(before + 1);
    expect(eventsOf("autopilot_run_skipped", ap.id)[0]!.properties).toMatchObject({ trigger_kind: "schedule", cadence: "weekly" });
  });
});

describe("webhook trigger", () => {
  async function hooked(ctx: Awaited<ReturnType<typeof setup>>) {
    const ap = await newAutopilot(ctx, { assignee_type: "agent", assignee_id: ctx.agent.id, execution_mode: "run_only", triggers: [{ kind: "webhook" }] });
    return { ap, trigger: ap.triggers[0] as { id: string; webhook_token: string } };
  }
  const post = (token: string, rawBody: string, headers: Record<string, string> = {}) =>
    call(webhook, { path: `/api/webhooks/autopilot/${token}`, params: { token }, rawBody, headers: { "content-type": "application/json", ...headers }, noOrigin: true });

  it("accepts a JSON payload on the secret URL and starts a webhook run with the payload in the prompt", async () => {
    const ctx = await setup();
    const { ap, trigger } = await hooked(ctx);
    const res = await post(trigger.webhook_token, JSON.stringify({ event: "deploy.finished", ok: true }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "accepted", run_id: expect.any(String), autopilot_id: ap.id, trigger_id: trigger.id });
    const [runRow] = await (await getDb()).select().from(autopilotRuns).where(eq(autopilotRuns.id, res.body.run_id));
    expect(runRow).toMatchObject({ triggerKind: "webhook", cadence: "webhook", status: "started" });
    const [task] = await (await getDb()).select().from(agentTasks).where(eq(agentTasks.autopilotRunId, res.body.run_id));
    expect(task!.prompt).toContain("deploy.finished");
    expect(sink.named("autopilot_run_started")[0]!.properties).toMatchObject({ trigger_kind: "webhook", cadence: "webhook" });
  });

  it("a wrong secret, an unknown trigger or a malformed token is a 404; bad bodies are 400/413; nothing runs or counts", async () => {
    const ctx = await setup();
    const { trigger } = await hooked(ctx);
    sink.clear();
    const rejectedBefore = await metricValue("tandem_webhook_delivery_total", { provider: "generic", status: "rejected" });
    const wrong = trigger.webhook_token.slice(0, -4) + (trigger.webhook_token.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect((await post(wrong, "{}")).status).toBe(404);
    expect((await post(`awt_${"0".repeat(32)}_${"A".repeat(43)}`, "{}")).status).toBe(404);
    expect((await post("hello", "{}")).status).toBe(404);
    expect((await post(trigger.webhook_token, "not json")).status).toBe(400);
    expect((await post(trigger.webhook_token, "42")).status).toBe(400);
    expect((await post(trigger.webhook_token, JSON.stringify({ blob: "x".repeat(300 * 1024) }))).status).toBe(413);
    expect(await (await getDb()).select().from(autopilotRuns).where(eq(autopilotRuns.triggerId, trigger.id))).toHaveLength(0);
    expect(sink.messages).toHaveLength(0);
    expect(await metricValue("tandem_webhook_delivery_total", { provider: "generic", status: "rejected" })).toBe(rejectedBefore);
  });

  it("a disabled trigger answers ignored and records a trigger_disabled skip", async () => {
    const ctx = await setup();
    const { ap, trigger } = await hooked(ctx);
    const ignoredBefore = await metricValue("tandem_webhook_delivery_total", { provider: "generic", status: "ignored" });
    await call(patchTrigger, { method: "PATCH", session: ctx.owner, headers: ctx.headers, params: { id: ap.id, triggerId: trigger.id }, body: { enabled: false } });
    const res = await post(trigger.webhook_token, "[]");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ignored", reason: "trigger_disabled" });
    expect(await metricValue("tandem_webhook_delivery_total", { provider: "generic", status: "ignored" })).toBe(ignoredBefore + 1);
    expect(sink.named("autopilot_run_skipped")[0]!.properties).toMatchObject({ reason: "trigger_disabled", trigger_kind: "webhook", cadence: "webhook" });
    const rows = await (await getDb()).select().from(autopilotRuns).where(and(eq(autopilotRuns.triggerId, trigger.id), eq(autopilotRuns.status, "skipped")));
    expect(rows).toHaveLength(1);
  });

  it("rotating the URL kills the old one; only webhook triggers rotate; another workspace gets 404, a plain member 403", async () => {
    const ctx = await setup();
    const { ap, trigger } = await hooked(ctx);
    const params = { id: ap.id, triggerId: trigger.id };
    const rotated = await call(rotateToken, { session: ctx.owner, headers: ctx.headers, params });
    expect(rotated.status).toBe(200);
    expect(rotated.body.webhook_token).not.toBe(trigger.webhook_token);
    expect((await post(trigger.webhook_token, "{}")).status).toBe(404);
    expect((await post(rotated.body.webhook_token, "{}")).body.status).toBe("accepted");

    const other = await setup();
    expect((await call(rotateToken, { session: other.owner, headers: other.headers, params })).status).toBe(404);
    const member = await addMember(ctx.workspace.id, "member");
    expect((await call(rotateToken, { session: member, headers: ctx.headers, params })).status).toBe(403);
    const manual = (await call(addTrigger, { session: ctx.owner, headers: ctx.headers, params: { id: ap.id }, body: { kind: "manual" } })).body;
    expect((await call(rotateToken, { session: ctx.owner, headers: ctx.headers, params: { id: ap.id, triggerId: manual.id } })).status).toBe(400);
  });

  it("limits requests per client IP before touching the database", async () => {
    let limited = 0;
    for (let i = 0; i < 40; i++) if ((await post("hello", "{}")).status === 429) limited++;
    expect(limited).toBeGreaterThan(0);
  });
});

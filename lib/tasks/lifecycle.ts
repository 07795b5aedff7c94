import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Db, Tx } from "@/lib/db";
import { agents, agentTasks, issues, runtimes, taskMessages, taskUsage, workspaces } from "@/lib/db/schema";
import { conflict, notFound } from "@/lib/http/errors";
import { classifyFailure, events, FAILURE_REASONS, recordEvent, recordTaskEvent, withEvents } from "@/lib/telemetry";
import { usageCostUsd } from "@/lib/telemetry/pricing";
import type { DaemonPrincipal } from "@/lib/runtimes/auth";
import { loadRuntimesFor } from "@/lib/runtimes/registry";
import { taskEventArgs } from "./context";
import type { Task } from "./enqueue";
import { afterTaskEnqueued } from "./events";
import { finishAutopilotRun } from "@/lib/autopilots/runs";
import { storeAgentReply } from "@/lib/chat/replies";
import { storeIssueResult } from "@/lib/issues/agent-result";

const CANONICAL = new Set<string>(FAILURE_REASONS);
/** Reasons a retry can fix (reference `retryableReasons`). */
const RETRYABLE = new Set(["runtime_offline", "runtime_recovery", "timeout", "codex_semantic_inactivity"]);
const ERROR_TEXT_LIMIT = 4000;

export function taskResponse(t: Task) {
  return {
    id: t.id,
    workspace_id: t.workspaceId,
    agent_id: t.agentId,
    runtime_id: t.runtimeId,
    issue_id: t.issueId,
    chat_session_id: t.chatSessionId,
    autopilot_run_id: t.autopilotRunId,
    status: t.status,
    attempt: t.attempt,
    max_attempts: t.maxAttempts,
    failure_reason: t.failureReason,
    error: t.error,
    result: t.result ?? null,
    created_at: t.createdAt.toISOString(),
    dispatched_at: t.dispatchedAt?.toISOString() ?? null,
    started_at: t.startedAt?.toISOString() ?? null,
    completed_at: t.completedAt?.toISOString() ?? null,
  };
}

/** A task the caller's runtimes may drive; anything else (absent, unassigned, another workspace's) → 404. */
export async function loadTaskFor(db: Db, who: DaemonPrincipal, taskId: string): Promise<Task> {
  const [t] = await db.select().from(agentTasks).where(eq(agentTasks.id, taskId));
  if (!t || !t.runtimeId) throw notFound("task not found");
  // Only a runtime the caller may drive may act on its tasks: "a task that is not this runtime's → 404".
  await loadRuntimesFor(db, who, [t.runtimeId]).catch(() => Promise.reject(notFound("task not found")));
  return t;
}

/**
 * Claims the oldest queued task of a runtime (its own first, else one queued before its agent was bound to it).
 * `FOR UPDATE SKIP LOCKED`: concurrent claims skip a row another transaction holds, so each task goes to one claimer.
 */
export async function claimTask(db: Db, who: DaemonPrincipal, runtimeId: string) {
  await loadRuntimesFor(db, who, [runtimeId]);
  const task = await withEvents(db, async (tx) => {
    const oldestQueued = (where: SQL | undefined) =>
      tx.select({ id: agentTasks.id }).from(agentTasks).where(where).orderBy(asc(agentTasks.createdAt)).limit(1).for("update", { skipLocked: true });
    // Two probes instead of one OR, so the first is an ordered scan of the (runtime_id, status, created_at) index.
    let [candidate] = await oldestQueued(and(eq(agentTasks.runtimeId, runtimeId), eq(agentTasks.status, "queued")));
    if (!candidate) {
      const boundAgents = tx.select({ id: agents.id }).from(agents).where(eq(agents.runtimeId, runtimeId));
      [candidate] = await oldestQueued(and(isNull(agentTasks.runtimeId), eq(agentTasks.status, "queued"), inArray(agentTasks.agentId, boundAgents)));
    }
    if (!candidate) return null;
    const [t] = await tx
      .update(agentTasks)
      .set({ status: "dispatched", dispatchedAt: sql`now()`, runtimeId })
      .where(eq(agentTasks.id, candidate.id))
      .returning();
    await recordTaskEvent(events.agentTaskDispatched(await taskEventArgs(tx, t!)), tx);
    return t!;
  });
  if (!task) return null;
  return { ...taskResponse(task), prompt: task.prompt, ...(await claimDetails(db, task)) };
}

/** What the daemon needs to run the task: the agent's instructions and the issue. */
async function claimDetails(db: Db, task: Task) {
  const [agent] = await db
    .select({ id: agents.id, name: agents.name, instructions: agents.instructions })
    .from(agents)
    .where(eq(agents.id, task.agentId));
  let issue = null;
  if (task.issueId) {
    const [i] = await db
      .select({ id: issues.id, number: issues.number, title: issues.title, description: issues.description, prefix: workspaces.issuePrefix })
      .from(issues)
      .innerJoin(workspaces, eq(workspaces.id, issues.workspaceId))
      .where(eq(issues.id, task.issueId));
    if (i) issue = { id: i.id, identifier: `${i.prefix}-${i.number}`, title: i.title, description: i.description };
  }
  return { agent: agent ?? null, issue };
}

/** dispatched → running. Repeating it is harmless (200, no second event); a finished task → 409. */
export async function startTask(db: Db, who: DaemonPrincipal, taskId: string) {
  const current = await loadTaskFor(db, who, taskId);
  const t = await withEvents(db, async (tx) => {
    const [row] = await tx
      .update(agentTasks)
      .set({ status: "running", startedAt: sql`now()` })
      .where(and(eq(agentTasks.id, current.id), eq(agentTasks.status, "dispatched")))
      .returning();
    if (row) await recordTaskEvent(events.agentTaskStarted(await taskEventArgs(tx, row)), tx);
    return row;
  });
  if (!t) return unchanged(db, current.id, ["running"]);
  return taskResponse(t);
}

/** The current state when a transition found nothing to do: fine if already there, else 409. */
async function unchanged(db: Db, taskId: string, okStatuses: string[]) {
  const [t] = await db.select().from(agentTasks).where(eq(agentTasks.id, taskId));
  if (!t) throw notFound("task not found");
  if (!okStatuses.includes(t.status)) throw conflict(`task is ${t.status}`);
  return taskResponse(t);
}

/** Progress lines and agent messages, stored in order; only while the task is live. */
export async function addTaskMessages(db: Db, who: DaemonPrincipal, taskId: string, kind: "progress" | "message" | "log", contents: string[]) {
  const t = await loadTaskFor(db, who, taskId);
  if (!["dispatched", "running"].includes(t.status)) throw conflict(`task is ${t.status}`);
  if (contents.length === 0) return { stored: 0 };
  const base = Date.now();
  await db.insert(taskMessages).values(contents.map((content, i) => ({ taskId: t.id, kind, content, createdAt: new Date(base + i) })));
  return { stored: contents.length };
}

export async function listTaskMessages(db: Db, taskId: string) {
  // The newest messages only (a long run posts many), shown oldest first.
  const rows = await db.select().from(taskMessages).where(eq(taskMessages.taskId, taskId)).orderBy(desc(taskMessages.createdAt)).limit(200);
  return rows.reverse().map((m) => ({ id: m.id, kind: m.kind, content: m.content, created_at: m.createdAt.toISOString() }));
}

/**
 * dispatched/running → completed (an issue task's answer becomes a comment, the issue moves to in_review), and on the issue's first completion the atomic flip of `first_executed_at`
 * (`issue_executed` at most once per issue, whatever the concurrency). A repeated completion is a 200 no-op.
 */
export async function completeTask(db: Db, who: DaemonPrincipal, taskId: string, result: unknown) {
  const current = await loadTaskFor(db, who, taskId);
  const done = await withEvents(db, async (tx) => {
    const [t] = await tx
      .update(agentTasks)
      .set({ status: "completed", completedAt: sql`now()`, result: result ?? null })
      .where(and(eq(agentTasks.id, current.id), inArray(agentTasks.status, ["dispatched", "running"])))
      .returning();
    if (!t) return null;
    const [first] = t.issueId
      ? await tx
          .update(issues)
          .set({ firstExecutedAt: sql`now()` })
          .where(and(eq(issues.id, t.issueId), isNull(issues.firstExecutedAt)))
          .returning({ id: issues.id, creatorType: issues.creatorType, creatorId: issues.creatorId })
      : [];
    // In the same transaction: a completed chat or issue task never loses its answer, nor its events.
    await storeAgentReply(tx, t);
    await storeIssueResult(tx, t);
    const args = await taskEventArgs(tx, t);
    await recordTaskEvent(events.agentTaskCompleted(args), tx);
    // An autopilot run ends with its task (atomic: a run already finished by its issue is left alone).
    if (t.autopilotRunId) await finishAutopilotRun(tx, t.autopilotRunId, "completed", undefined, t.agentId);
    if (first) {
      recordEvent(
        events.issueExecuted({
          creator: first.creatorType === "agent" ? { agentId: first.creatorId } : { userId: first.creatorId },
          workspaceId: t.workspaceId,
          issueId: first.id,
          taskId: t.id,
          agentId: t.agentId,
          // The analytics source (manual / autopilot), as the reference stamps it — not the task-metrics source.
          source: args.analyticsSource,
          runtimeMode: args.metrics.runtimeMode,
          provider: args.metrics.provider ?? "",
          startedAt: t.startedAt,
          completedAt: t.completedAt,
        }),
        tx,
      );
    }
    return { task: t };
  });
  if (!done) return unchanged(db, current.id, ["completed"]);
  return taskResponse(done.task);
}

/**
 * Reasons daemons send that are outside the canonical taxonomy yet mean something of their own (reference §2.3:
 * they "stay outside the canonical set"): stored as sent, so `error_type` and `will_retry` read them (a
 * `codex_semantic_inactivity` is a retryable timeout); only the metric label normalises them to agent_error.unknown.
 */
const OPERATIONAL_REASONS = new Set(["agent_error", "cancelled", "user_cancelled", "agent_fallback_message", "codex_semantic_inactivity", "registration_failed"]);

/**
 * The stored failure reason: a canonical or operational reason passes as sent; anything else, and a missing
 * reason, is classified from the error text (or the reason's own text) into `agent_error.*` (reference §2.3), so
 * the column holds a bounded set of values.
 */
export function failureReasonOf(reason: string | undefined, errorText: string | undefined): string {
  const r = (reason ?? "").trim();
  if (CANONICAL.has(r) || OPERATIONAL_REASONS.has(r)) return r;
  return classifyFailure(errorText?.trim() ? errorText : r);
}

/** Reference `will_retry`: a retryable reason, attempts left, not a run-only autopilot task, and something to report to. */
export function willRetry(t: Task, reason: string): boolean {
  if (!RETRYABLE.has(reason)) return false;
  if (t.attempt >= t.maxAttempts) return false;
  if (t.autopilotRunId && !t.issueId) return false;
  return Boolean(t.issueId || t.chatSessionId);
}

/** Queues the next attempt of a failed task (same agent, issue or chat; the runtime is re-resolved from the agent). */
async function enqueueRetry(tx: Tx, t: Task): Promise<Task> {
  const [agent] = await tx.select({ runtimeId: agents.runtimeId }).from(agents).where(eq(agents.id, t.agentId));
  const [child] = await tx
    .insert(agentTasks)
    .values({
      workspaceId: t.workspaceId,
      agentId: t.agentId,
      runtimeId: agent?.runtimeId ?? null,
      issueId: t.issueId,
      chatSessionId: t.chatSessionId,
      autopilotRunId: t.autopilotRunId,
      source: t.source,
      prompt: t.prompt,
      attempt: t.attempt + 1,
      maxAttempts: t.maxAttempts,
    })
    .returning();
  return child!;
}

/** A failure's events, staged in its `withEvents` transaction: `agent_task_failed` (+ the retry's `agent_task_queued`). */
async function recordTaskFailure(tx: Tx, failed: Task, retry: Task | null): Promise<void> {
  const args = await taskEventArgs(tx, failed);
  await recordTaskEvent(events.agentTaskFailed({ ...args, willRetry: retry !== null }), tx);
  if (retry) await afterTaskEnqueued(retry, tx);
  if (failed.autopilotRunId && !retry) {
    await finishAutopilotRun(tx, failed.autopilotRunId, "failed", `task ${failed.failureReason ?? "failed"}`, failed.agentId);
  }
}

/** Fails tasks matched by `where` in one UPDATE ... RETURNING, queuing retries in the same transaction. */
export async function failTasksWhere(db: Db, where: SQL | undefined, reason: string) {
  return withEvents(db, async (tx) => {
    const failed = await tx
      .update(agentTasks)
      .set({ status: "failed", failureReason: reason, completedAt: sql`now()` })
      .where(where)
      .returning();
    const pairs: { failed: Task; retry: Task | null }[] = [];
    for (const t of failed) pairs.push({ failed: t, retry: willRetry(t, reason) ? await enqueueRetry(tx, t) : null });
    for (const p of pairs) await recordTaskFailure(tx, p.failed, p.retry);
    return pairs;
  });
}

/** dispatched/running → failed with a classified reason. A repeated failure report is a 200 no-op. */
export async function failTask(db: Db, who: DaemonPrincipal, taskId: string, input: { error?: string; failure_reason?: string }) {
  const current = await loadTaskFor(db, who, taskId);
  const reason = failureReasonOf(input.failure_reason, input.error);
  const done = await withEvents(db, async (tx) => {
    const [t] = await tx
      .update(agentTasks)
      .set({ status: "failed", failureReason: reason, error: input.error?.slice(0, ERROR_TEXT_LIMIT) ?? null, completedAt: sql`now()` })
      .where(and(eq(agentTasks.id, current.id), inArray(agentTasks.status, ["dispatched", "running"])))
      .returning();
    if (!t) return null;
    const retry = willRetry(t, reason) ? await enqueueRetry(tx, t) : null;
    await recordTaskFailure(tx, t, retry);
    return { failed: t, retry };
  });
  if (!done) {
    // A repeated report answers as the first did, retry included.
    const again = await unchanged(db, current.id, ["failed"]);
    const retry = await retryOf(db, current.id);
    return { ...again, will_retry: retry !== null, retry_task_id: retry?.id ?? null };
  }
  return { ...taskResponse(done.failed), will_retry: done.retry !== null, retry_task_id: done.retry?.id ?? null };
}

/**
 * The retry `enqueueRetry` queued for a failed task, if any: the next attempt for the same work, inserted in the
 * failure's own transaction, so its `created_at` is the failure's `completed_at` (both `now()`, the transaction's
 * start).
 */
async function retryOf(db: Db, failedId: string): Promise<{ id: string } | null> {
  const [f] = await db.select().from(agentTasks).where(eq(agentTasks.id, failedId));
  if (!f?.completedAt) return null;
  const same = (col: AnyPgColumn, v: string | null) => (v === null ? isNull(col) : eq(col, v));
  const [retry] = await db
    .select({ id: agentTasks.id })
    .from(agentTasks)
    .where(
      and(
        eq(agentTasks.agentId, f.agentId),
        eq(agentTasks.attempt, f.attempt + 1),
        // Compared in the database: a JS Date holds milliseconds, the column microseconds.
        sql`${agentTasks.createdAt} = (select completed_at from agent_tasks where id = ${f.id})`,
        same(agentTasks.issueId, f.issueId),
        same(agentTasks.chatSessionId, f.chatSessionId),
        same(agentTasks.autopilotRunId, f.autopilotRunId),
      ),
    )
    .limit(1);
  return retry ?? null;
}

/**
 * Cancels the live tasks of an issue (it was reassigned, cancelled or deleted) inside the caller's `withEvents`
 * transaction, with their `agent_task_cancelled` events: read while the issue still exists (a deletion comes
 * after), so they keep its creator and source. After commit the caller passes the result to `afterTasksCancelled`.
 */
export function cancelTasksForIssue(tx: Tx, issueId: string): Promise<Task[]> {
  return cancelLiveTasks(tx, eq(agentTasks.issueId, issueId));
}

/** The same for an agent being archived: none of its work runs any more. */
export function cancelTasksForAgent(tx: Tx, agentId: string): Promise<Task[]> {
  return cancelLiveTasks(tx, eq(agentTasks.agentId, agentId));
}

/** The same for the run-only tasks (no issue) of autopilot runs that end before their tasks (the autopilot is deleted). */
export function cancelRunOnlyTasks(tx: Tx, runIds: string[]): Promise<Task[]> {
  if (runIds.length === 0) return Promise.resolve([]);
  return cancelLiveTasks(tx, and(inArray(agentTasks.autopilotRunId, runIds), isNull(agentTasks.issueId))!);
}

async function cancelLiveTasks(tx: Tx, which: SQL): Promise<Task[]> {
  const cancelled = await tx
    .update(agentTasks)
    .set({ status: "cancelled", completedAt: sql`now()` })
    .where(and(which, inArray(agentTasks.status, ["queued", "dispatched", "running"])))
    .returning();
  for (const t of cancelled) await recordTaskEvent(events.agentTaskCancelled(await taskEventArgs(tx, t)), tx);
  return cancelled;
}

/** After commit: an autopilot run whose task was cancelled ends as failed. */
export async function afterTasksCancelled(db: Db, cancelled: Task[]): Promise<void> {
  for (const t of cancelled) {
    if (t.autopilotRunId) await finishAutopilotRun(db, t.autopilotRunId, "failed", "task cancelled", t.agentId);
  }
}

export type UsageRow = {
  model: string;
  provider?: string;
  input_tokens?: number;
  output_tokens?: number;
  cache_read_tokens?: number;
  cache_write_tokens?: number;
};

const TOKEN_COLUMNS = [
  ["input", "input_tokens", "inputTokens"],
  ["output", "output_tokens", "outputTokens"],
  ["cache_read", "cache_read_tokens", "cacheReadTokens"],
  ["cache_write", "cache_write_tokens", "cacheWriteTokens"],
] as const;

/**
 * Stores cumulative usage per (task, model). Idempotent: each count only grows (GREATEST), and the LLM metrics
 * receive only the growth, so a re-sent report counts nothing and concurrent duplicates (row-locked) count once.
 */
export async function reportUsage(db: Db, who: DaemonPrincipal, taskId: string, rows: UsageRow[]) {
  const t = await loadTaskFor(db, who, taskId);
  const [rt] = await db.select({ provider: runtimes.provider }).from(runtimes).where(eq(runtimes.id, t.runtimeId!));
  const args = await taskEventArgs(db, t);
  const counted = await withEvents(db, async (tx) => {
    let n = 0;
    for (const row of rows) {
      const provider = row.provider?.trim() || rt?.provider || "";
      await tx.insert(taskUsage).values({ taskId: t.id, model: row.model, provider }).onConflictDoNothing();
      const [old] = await tx
        .select()
        .from(taskUsage)
        .where(and(eq(taskUsage.taskId, t.id), eq(taskUsage.model, row.model)))
        .for("update");
      const next: Record<string, number> = {};
      const tokens: Record<string, number> = {};
      for (const [type, field, column] of TOKEN_COLUMNS) {
        const value = Math.max(old![column], row[field] ?? 0);
        next[column] = value;
        if (value > old![column]) tokens[type] = value - old![column];
      }
      if (Object.keys(tokens).length === 0) continue;
      await tx
        .update(taskUsage)
        .set(next)
        .where(and(eq(taskUsage.taskId, t.id), eq(taskUsage.model, row.model)));
      // One request per (task, model), counted when its usage first appears; later reports only add tokens. The
      // event carries only the growth, so a re-sent report emits nothing and the counters stay exact.
      recordEvent(
        events.aiGeneration({
          task: args,
          model: row.model,
          provider,
          tokens,
          costUsd: usageCostUsd(row.model, tokens),
          latencySeconds: t.startedAt ? Math.max(0, (Date.now() - t.startedAt.getTime()) / 1000) : undefined,
          newRequest: TOKEN_COLUMNS.every(([, , column]) => old![column] === 0),
        }),
        tx,
      );
      n++;
    }
    return n;
  });
  return { counted };
}

/** The tasks of an issue, newest first, for the issue page's task status. */
/** The latest task of a chat session (its last message's), or null. */
export async function latestChatTask(db: Db, workspaceId: string, chatSessionId: string) {
  const [row] = await db
    .select()
    .from(agentTasks)
    .where(and(eq(agentTasks.workspaceId, workspaceId), eq(agentTasks.chatSessionId, chatSessionId)))
    .orderBy(sql`${agentTasks.createdAt} desc`)
    .limit(1);
  return row ? taskResponse(row) : null;
}

export async function listIssueTasks(db: Db, workspaceId: string, issueId: string) {
  const rows = await db
    .select()
    .from(agentTasks)
    .where(and(eq(agentTasks.workspaceId, workspaceId), eq(agentTasks.issueId, issueId)))
    .orderBy(sql`${agentTasks.createdAt} desc`)
    .limit(50);
  return rows.map(taskResponse);
}

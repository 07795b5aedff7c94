import { and, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { agents, autopilotRuns, autopilotTriggers, autopilots, runtimes, squads } from "@/lib/db/schema";
import { insertIssue, type Issue } from "@/lib/issues";
import { afterTaskEnqueued, enqueueTask, type Task } from "@/lib/tasks";
import { events, recordEvent, withEvents } from "@/lib/telemetry";
import { runEventArgs, type Autopilot, type AutopilotRun } from "./runs";

export type Trigger = typeof autopilotTriggers.$inferSelect;
export type TriggerKind = "manual" | "schedule" | "webhook";
export type SkipReason = "trigger_disabled" | "already_running" | "runtime_offline";

export type DispatchOutcome =
  | { status: "started"; run: AutopilotRun; issueId: string | null; taskId: string | null }
  | { status: "skipped"; run: AutopilotRun; reason: SkipReason }
  | { status: "failed"; run: AutopilotRun; reason: string }
  /** A scheduled slot another node (or an earlier tick) already filled. */
  | { status: "already_claimed" };

type Admission = { agentId: string | null; skip?: SkipReason; failure?: string };

/** The agent that executes: the assignee, or the squad's leader. */
async function executingAgent(tx: Tx, ap: Autopilot) {
  let agentId = ap.assigneeId;
  if (ap.assigneeType === "squad") {
    const [squad] = await tx.select({ leaderId: squads.leaderId }).from(squads).where(eq(squads.id, ap.assigneeId));
    if (!squad) return null;
    agentId = squad.leaderId;
  }
  const [agent] = await tx
    .select({ id: agents.id, archivedAt: agents.archivedAt, runtimeId: agents.runtimeId, runtimeStatus: runtimes.status })
    .from(agents)
    .leftJoin(runtimes, eq(runtimes.id, agents.runtimeId))
    .where(and(eq(agents.id, agentId), eq(agents.workspaceId, ap.workspaceId)));
  return agent && !agent.archivedAt ? agent : null;
}

async function admit(tx: Tx, ap: Autopilot, trigger: Trigger | null): Promise<Admission> {
  const agent = await executingAgent(tx, ap);
  const agentId = agent?.id ?? null;
  if (!ap.enabled || (trigger && !trigger.enabled)) return { agentId, skip: "trigger_disabled" };
  if (!agent) return { agentId, failure: "dispatch: the assignee agent is archived or gone" };
  const [running] = await tx
    .select({ id: autopilotRuns.id })
    .from(autopilotRuns)
    .where(and(eq(autopilotRuns.autopilotId, ap.id), eq(autopilotRuns.status, "started")))
    .limit(1);
  if (running) return { agentId, skip: "already_running" };
  // A run with no online runtime would only queue a task nobody claims.
  if (!agent.runtimeId || agent.runtimeStatus !== "online") return { agentId, skip: "runtime_offline" };
  return { agentId };
}

/**
 * Fires one run of an autopilot: admission (disabled, already running, runtime offline → a skipped run with its
 * reason), then the work — an issue assigned to the executing agent (`create_issue`) or a task (`run_only`).
 * The autopilot row is locked for the transaction so two concurrent fires cannot both pass "already running";
 * a scheduled slot is claimed by the insert-only unique `(trigger_id, scheduled_for)` so each fires once
 * across nodes. The run's events are staged in the same transaction.
 */
export async function dispatchAutopilot(
  db: Db,
  input: { autopilotId: string; trigger: Trigger | null; kind: TriggerKind; scheduledFor?: Date; context?: string },
): Promise<DispatchOutcome> {
  const claim = async (tx: Tx): Promise<RunResult> => {
    const [ap] = await tx.select().from(autopilots).where(eq(autopilots.id, input.autopilotId)).for("update");
    if (!ap) throw new Error(`autopilot ${input.autopilotId} not found`);
    const admission = await admit(tx, ap, input.trigger);
    const status = admission.skip ? "skipped" : admission.failure ? "failed" : "started";
    const [run] = await tx
      .insert(autopilotRuns)
      .values({
        autopilotId: ap.id,
        workspaceId: ap.workspaceId,
        triggerId: input.trigger?.id ?? null,
        triggerKind: input.kind,
        cadence: input.trigger?.cadence ?? "manual",
        status,
        skipReason: admission.skip ?? null,
        failureReason: admission.failure ?? null,
        scheduledFor: input.scheduledFor ?? null,
        completedAt: status === "started" ? null : new Date(),
      })
      .onConflictDoNothing({ target: [autopilotRuns.triggerId, autopilotRuns.scheduledFor] })
      .returning();
    if (!run) return { status: "already_claimed" };
    if (input.trigger) {
      await tx.update(autopilotTriggers).set({ lastFiredAt: sql`now()` }).where(eq(autopilotTriggers.id, input.trigger.id));
    }
    if (admission.skip) return { status: "skipped", run, reason: admission.skip, ap, agentId: admission.agentId };
    if (admission.failure) return { status: "failed", run, reason: admission.failure, ap, agentId: admission.agentId };

    const agentId = admission.agentId!;
    const prompt = input.context ? `${ap.prompt}\n\n${input.context}` : ap.prompt;
    try {
      // A savepoint: a failing dispatch step fails the run instead of losing it.
      const work = await tx.transaction(async (sp) => {
        if (ap.executionMode === "create_issue") {
          const creator = ap.createdBy ? { type: "member" as const, id: ap.createdBy } : { type: "agent" as const, id: agentId };
          const { issue, task } = await insertIssue(
            sp,
            ap.workspaceId,
            creator,
            { title: ap.name, description: prompt, status: "todo", assignee: { type: "agent", id: agentId }, origin: { type: "autopilot", id: run.id } },
            "autopilot_issue",
            run.id,
          );
          return { issue, task };
        }
        if (ap.executionMode === "run_only") {
          const task = await enqueueTask(sp, { workspaceId: ap.workspaceId, agentId, source: "autopilot", prompt, autopilotRunId: run.id });
          return { issue: null, task };
        }
        throw new Error(`unknown execution_mode ${ap.executionMode}`);
      });
      const [updated] = await tx
        .update(autopilotRuns)
        .set({ issueId: work.issue?.id ?? null, taskId: work.task?.id ?? null })
        .where(eq(autopilotRuns.id, run.id))
        .returning();
      return { status: "started", run: updated!, issueId: work.issue?.id ?? null, taskId: work.task?.id ?? null, ap, agentId, ...work };
    } catch (err) {
      const reason = ap.executionMode === "create_issue" ? `create issue: ${(err as Error).message}` : `enqueue task: ${(err as Error).message}`;
      const [failed] = await tx
        .update(autopilotRuns)
        .set({ status: "failed", failureReason: reason.slice(0, 500), completedAt: new Date() })
        .where(eq(autopilotRuns.id, run.id))
        .returning();
      return { status: "failed", run: failed!, reason, ap, agentId };
    }
  };
  // The run, its work and their events commit together.
  const result = await withEvents(db, async (tx) => {
    const r = await claim(tx);
    if (r.status !== "already_claimed") await recordRunEvents(tx, r);
    return r;
  });
  if (result.status === "already_claimed") return result;
  const { ap: _ap, agentId: _agentId, issue: _issue, task: _task, ...outcome } = result;
  return outcome as DispatchOutcome;
}

type RunResult = DispatchOutcome & { ap?: Autopilot; agentId?: string | null; issue?: Issue | null; task?: Task | null };

async function recordRunEvents(tx: Tx, result: RunResult): Promise<void> {
  if (result.status === "already_claimed") return;
  const { ap, agentId, issue, task } = result;
  const args = runEventArgs(ap!, result.run, agentId ?? null);
  if (result.status === "skipped") {
    recordEvent(events.autopilotRunSkipped({ ...args, reason: result.reason }), tx);
  } else if (result.status === "failed") {
    recordEvent(events.autopilotRunFailed({ ...args, durationMs: 0, failureReason: result.reason }), tx);
  } else {
    recordEvent(events.autopilotRunStarted(args), tx);
    if (issue) {
      recordEvent(
        events.issueCreated({
          creator: ap!.createdBy ? { userId: ap!.createdBy } : { agentId: agentId! },
          workspaceId: ap!.workspaceId,
          issueId: issue.id,
          source: "autopilot",
          platform: "server",
          autopilotRunId: result.run.id,
        }),
        tx,
      );
    }
    if (task) await afterTaskEnqueued(task, tx);
  }
}

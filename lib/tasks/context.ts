import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { agents, autopilotRuns, autopilots, chatSessions, issues, members, runtimes } from "@/lib/db/schema";
import type { TaskEventArgs } from "@/lib/telemetry";
import type { Task } from "./enqueue";

/**
 * Everything a task lifecycle event and its metrics need (reference `taskAnalyticsContext` + `taskMetricsContext`):
 * - analytics source: `manual`, `chat` for chat tasks, `autopilot` for run-only autopilot tasks and for issues an
 *   autopilot created;
 * - metrics source: chat → `chat`; issue → `autopilot_issue` (autopilot-made) or `issue`; run → `autopilot`;
 *   else `quick_create` or the analytics source;
 * - runtime mode and provider from the task's runtime (else the agent's runtime);
 * - the user: the issue / chat / autopilot creator, only when they are a member of the workspace.
 */
export async function taskEventArgs(db: Db | Tx, task: Task): Promise<TaskEventArgs> {
  let analyticsSource = "manual";
  let userId: string | null = null;
  const isMember = async (uid: string | null | undefined) => {
    if (!uid) return false;
    const [m] = await db
      .select({ r: members.role })
      .from(members)
      .where(and(eq(members.workspaceId, task.workspaceId), eq(members.userId, uid)));
    return Boolean(m);
  };
  const autopilotCreator = async (runId: string) => {
    const [r] = await db
      .select({ createdBy: autopilots.createdBy })
      .from(autopilotRuns)
      .innerJoin(autopilots, eq(autopilots.id, autopilotRuns.autopilotId))
      .where(eq(autopilotRuns.id, runId));
    return r?.createdBy ?? null;
  };

  if (task.chatSessionId) {
    analyticsSource = "chat";
    const [s] = await db.select({ creatorId: chatSessions.creatorId }).from(chatSessions).where(eq(chatSessions.id, task.chatSessionId));
    if (await isMember(s?.creatorId)) userId = s!.creatorId;
  } else if (task.issueId) {
    const [i] = await db
      .select({ creatorType: issues.creatorType, creatorId: issues.creatorId, originType: issues.originType, originId: issues.originId })
      .from(issues)
      .where(eq(issues.id, task.issueId));
    if (i?.originType === "autopilot") {
      analyticsSource = "autopilot";
      const creator = i.originId ? await autopilotCreator(i.originId) : null;
      if (await isMember(creator)) userId = creator;
    } else if (i?.creatorType === "member" && (await isMember(i.creatorId))) {
      userId = i.creatorId;
    }
  } else if (task.autopilotRunId) {
    analyticsSource = "autopilot";
    const creator = await autopilotCreator(task.autopilotRunId);
    if (await isMember(creator)) userId = creator;
  }

  let runtimeId = task.runtimeId;
  if (!runtimeId) {
    const [a] = await db.select({ runtimeId: agents.runtimeId }).from(agents).where(eq(agents.id, task.agentId));
    runtimeId = a?.runtimeId ?? null;
  }
  const [rt] = runtimeId
    ? await db.select({ mode: runtimes.runtimeMode, provider: runtimes.provider }).from(runtimes).where(eq(runtimes.id, runtimeId))
    : [];

  const metricsSource = task.chatSessionId
    ? "chat"
    : task.issueId
      ? analyticsSource === "autopilot"
        ? "autopilot_issue"
        : "issue"
      : task.autopilotRunId
        ? "autopilot"
        : task.source === "quick_create"
          ? "quick_create"
          : analyticsSource;

  return {
    taskId: task.id,
    workspaceId: task.workspaceId,
    userId,
    agentId: task.agentId,
    issueId: task.issueId,
    chatSessionId: task.chatSessionId,
    autopilotRunId: task.autopilotRunId,
    analyticsSource,
    metrics: {
      source: metricsSource,
      runtimeMode: rt?.mode ?? "unknown",
      provider: rt?.provider,
      createdAt: task.createdAt,
      dispatchedAt: task.dispatchedAt,
      startedAt: task.startedAt,
      completedAt: task.completedAt,
      attempt: task.attempt,
      failureReason: task.failureReason ?? undefined,
    },
  };
}

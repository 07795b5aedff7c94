import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { agents, agentTasks } from "@/lib/db/schema";

export type Task = typeof agentTasks.$inferSelect;
export type TaskSource = "issue" | "chat" | "autopilot" | "autopilot_issue" | "quick_create" | "manual";

/**
 * Queues a task for an agent, on the agent's runtime (null until the agent is bound to one).
 * Call inside the transaction that creates the issue / message / run; after it commits, call
 * `afterTaskEnqueued(task)` so the `agent_task_queued` event and metrics are recorded once.
 */
export async function enqueueTask(
  db: Db | Tx,
  input: {
    workspaceId: string;
    agentId: string;
    source: TaskSource;
    prompt: string;
    issueId?: string;
    chatSessionId?: string;
    autopilotRunId?: string;
  },
): Promise<Task> {
  const [agent] = await db.select({ runtimeId: agents.runtimeId }).from(agents).where(eq(agents.id, input.agentId));
  const [task] = await db
    .insert(agentTasks)
    .values({
      workspaceId: input.workspaceId,
      agentId: input.agentId,
      runtimeId: agent?.runtimeId ?? null,
      source: input.source,
      prompt: input.prompt,
      issueId: input.issueId,
      chatSessionId: input.chatSessionId,
      autopilotRunId: input.autopilotRunId,
    })
    .returning();
  return task!;
}

/**
 * The agent now runs on `runtimeId`: its tasks still waiting follow it (queued on the old runtime, they would wait
 * for that runtime forever). In the transaction that rebinds the agent.
 */
export async function moveQueuedTasks(tx: Tx, agentId: string, runtimeId: string | null): Promise<void> {
  await tx.update(agentTasks).set({ runtimeId }).where(and(eq(agentTasks.agentId, agentId), eq(agentTasks.status, "queued")));
}

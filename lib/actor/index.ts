import { and, eq, isNull } from "drizzle-orm";
import type { Membership } from "@/lib/auth";
import { isUuid } from "@/lib/auth";
import type { Db, Tx } from "@/lib/db";
import { agents, agentTasks } from "@/lib/db/schema";

/**
 * Who a workspace request acts as (reference `resolveActor`): the member by default, or one of the workspace's
 * agents when the caller names it with `X-Agent-ID` (and, optionally, one of that agent's tasks with `X-Task-ID`).
 * Headers that do not check out are ignored — they never grant anything, the request simply acts as the member.
 */
export type Actor =
  | { type: "member"; id: string; userId: string }
  | { type: "agent"; id: string; userId: string; taskId?: string };

export async function resolveActor(db: Db | Tx, req: Request, m: Membership): Promise<Actor> {
  const member: Actor = { type: "member", id: m.user.id, userId: m.user.id };
  const agentId = req.headers.get("x-agent-id")?.trim();
  if (!agentId || !isUuid(agentId)) return member;
  const [agent] = await db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.id, agentId), eq(agents.workspaceId, m.workspace.id), isNull(agents.archivedAt)));
  if (!agent) return member;
  const taskId = req.headers.get("x-task-id")?.trim();
  if (!taskId) return { type: "agent", id: agent.id, userId: m.user.id };
  if (!isUuid(taskId)) return member;
  const [task] = await db
    .select({ id: agentTasks.id })
    .from(agentTasks)
    .where(and(eq(agentTasks.id, taskId), eq(agentTasks.agentId, agent.id), eq(agentTasks.workspaceId, m.workspace.id)));
  return task ? { type: "agent", id: agent.id, userId: m.user.id, taskId: task.id } : member;
}

/** The analytics actor of the event builders: a member's user id, or the agent. */
export function analyticsActor(a: Actor): { userId: string } | { agentId: string } {
  return a.type === "agent" ? { agentId: a.id } : { userId: a.userId };
}

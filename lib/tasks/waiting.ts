import { eq } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { agents, runtimes } from "@/lib/db/schema";

/**
 * Why a queued task is still waiting, so the issue page can say how to fix it:
 * - `no_runtime`: its agent has no runtime (edit the agent and pick one);
 * - `runtime_offline`: the agent's runtime is offline (start its daemon);
 * - `waiting_for_daemon`: the runtime is online and will claim it on its next poll.
 */
export type WaitReason = { reason: "no_runtime" | "runtime_offline" | "waiting_for_daemon"; agent_id: string; agent_name: string; runtime_name: string | null };

export async function taskWaitReason(db: Db, task: { agent_id: string; runtime_id: string | null }): Promise<WaitReason | null> {
  const [agent] = await db.select({ id: agents.id, name: agents.name, runtimeId: agents.runtimeId }).from(agents).where(eq(agents.id, task.agent_id));
  if (!agent) return null;
  const runtimeId = task.runtime_id ?? agent.runtimeId;
  if (!runtimeId) return { reason: "no_runtime", agent_id: agent.id, agent_name: agent.name, runtime_name: null };
  const [rt] = await db.select({ name: runtimes.name, status: runtimes.status }).from(runtimes).where(eq(runtimes.id, runtimeId));
  if (!rt) return { reason: "no_runtime", agent_id: agent.id, agent_name: agent.name, runtime_name: null };
  return { reason: rt.status === "online" ? "waiting_for_daemon" : "runtime_offline", agent_id: agent.id, agent_name: agent.name, runtime_name: rt.name };
}

import type { Db, Tx } from "@/lib/db";
import { chatMessages } from "@/lib/db/schema";

/**
 * A completed chat task's answer becomes the agent's message in the session (the daemon reports `{output}`).
 * Called by the task pipeline inside the completing transaction; other tasks and empty outputs store nothing.
 * (Its own module so lib/tasks can import it without a cycle through lib/chat → lib/tasks.)
 */
export async function storeAgentReply(db: Db | Tx, task: { id: string; chatSessionId: string | null; workspaceId: string; result: unknown }): Promise<void> {
  if (!task.chatSessionId) return;
  const output = (task.result as { output?: unknown } | null)?.output;
  if (typeof output !== "string" || output.trim() === "") return;
  await db.insert(chatMessages).values({ sessionId: task.chatSessionId, workspaceId: task.workspaceId, role: "agent", content: output.slice(0, 100_000), taskId: task.id });
}

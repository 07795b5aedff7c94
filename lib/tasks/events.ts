import { getDb, type Tx } from "@/lib/db";
import { events, recordTaskEvent } from "@/lib/telemetry";
import { taskEventArgs } from "./context";
import type { Task } from "./enqueue";

/**
 * Records `agent_task_queued` (event + `agent_task_enqueued_total`) for a committed task, through the single
 * task-event helper. Call once per enqueued task: inside its `withEvents` transaction (pass `tx`), or after commit.
 */
export async function afterTaskEnqueued(task: Task, tx?: Tx): Promise<void> {
  await recordTaskEvent(events.agentTaskQueued(await taskEventArgs(tx ?? (await getDb()), task)), tx);
}

import { getDb } from "@/lib/db";
import { events, recordTaskEvent } from "@/lib/telemetry";
import { taskEventArgs } from "./context";
import type { Task } from "./enqueue";

/**
 * Records `agent_task_queued` (event + `agent_task_enqueued_total`) for a committed task, through the single
 * task-event helper. Call once per enqueued task, after its transaction commits.
 */
export async function afterTaskEnqueued(task: Task): Promise<void> {
  const db = await getDb();
  recordTaskEvent(events.agentTaskQueued(await taskEventArgs(db, task)));
}

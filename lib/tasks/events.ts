import type { Task } from "./enqueue";

/**
 * Records `agent_task_queued` (event + typed metrics) for a committed task.
 * (The task pipeline work wires this to the single task-event helper of lib/telemetry.)
 */
export async function afterTaskEnqueued(_task: Task): Promise<void> {}

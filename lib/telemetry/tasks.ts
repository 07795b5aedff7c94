import type { AnalyticsEvent } from "./events";
import {
  recordTaskDispatched,
  recordTaskEnqueued,
  recordTaskFailed,
  recordTaskStarted,
  recordTaskTerminal,
  type TaskTerminal,
} from "./metrics";
import { emitEvent } from "./record";
import type { Tx } from "@/lib/db/client";

/**
 * THE task-event helper (TELEMETRY.md §1 exception): `recordTaskEvent(events.agentTaskFailed({...}))`.
 * Calls the typed task recorders with the event's task labels and timestamps, and captures the event only when
 * its workspace is known (the builder sets `capture` accordingly). Same transaction rules as `recordEvent`.
 */
export function recordTaskEvent(event: AnalyticsEvent, tx?: Tx): Promise<void> {
  const t = event.task;
  if (!t) throw new Error(`recordTaskEvent: ${event.name} is not a task event`);
  return emitEvent(event, () => countTaskEvent(event.name, t), tx);
}

function countTaskEvent(name: string, t: NonNullable<AnalyticsEvent["task"]>): void {
  const terminal = (status: TaskTerminal["status"]) => recordTaskTerminal(t, status);
  switch (name) {
    case "agent_task_queued":
      return recordTaskEnqueued(t);
    case "agent_task_dispatched":
      return recordTaskDispatched(t);
    case "agent_task_started":
      return recordTaskStarted(t);
    case "agent_task_completed":
      return terminal("completed");
    case "agent_task_failed":
      terminal("failed");
      return recordTaskFailed(t);
    case "agent_task_cancelled":
      return terminal("cancelled");
  }
}

import { and, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { autopilotRuns, autopilots } from "@/lib/db/schema";
import { events, recordEvent, withEvents } from "@/lib/telemetry";

export type AutopilotRun = typeof autopilotRuns.$inferSelect;
export type Autopilot = typeof autopilots.$inferSelect;

/** The event fields every run event shares. */
export function runEventArgs(ap: Autopilot, run: AutopilotRun, agentId: string | null) {
  return {
    workspaceId: ap.workspaceId,
    creator: ap.createdBy ? { userId: ap.createdBy } : null,
    autopilotId: ap.id,
    autopilotRunId: run.id,
    cadence: run.cadence,
    triggerKind: run.triggerKind,
    assigneeType: ap.assigneeType as "agent" | "squad",
    squadId: ap.assigneeType === "squad" ? ap.assigneeId : null,
    agentId,
  };
}

/**
 * Moves a started run to completed or failed, exactly once (atomic `WHERE status = 'started'`), and records
 * `autopilot_run_completed` / `autopilot_run_failed`. Called when the run's task finishes (task pipeline) or
 * when the issue it created reaches done / cancelled, whichever comes first. Returns false when the run was
 * not (or no longer) started.
 */
export async function finishAutopilotRun(
  db: Db | Tx,
  runId: string,
  outcome: "completed" | "failed",
  failureReason?: string,
  agentId?: string | null,
): Promise<boolean> {
  return withEvents(db, async (tx) => {
    const [run] = await tx
      .update(autopilotRuns)
      .set({ status: outcome, completedAt: sql`now()`, failureReason: outcome === "failed" ? failureReason || "unknown" : null })
      .where(and(eq(autopilotRuns.id, runId), eq(autopilotRuns.status, "started")))
      .returning();
    if (!run) return false;
    const [ap] = await tx.select().from(autopilots).where(eq(autopilots.id, run.autopilotId));
    if (!ap) return true;
    recordRunEnded(tx, ap, run, agentId ?? null);
    return true;
  });
}

/** `autopilot_run_completed` or `autopilot_run_failed` for a run just moved out of started, by its new status. */
function recordRunEnded(tx: Tx, ap: Autopilot, run: AutopilotRun, agentId: string | null): void {
  const args = runEventArgs(ap, run, agentId);
  const durationMs = run.completedAt ? run.completedAt.getTime() - run.createdAt.getTime() : 0;
  if (run.status === "completed") recordEvent(events.autopilotRunCompleted({ ...args, durationMs }), tx);
  else recordEvent(events.autopilotRunFailed({ ...args, durationMs, failureReason: run.failureReason ?? "unknown" }), tx);
}

/**
 * Ends every started run of an autopilot that is being deleted (inside the deletion's `withEvents` transaction,
 * while its row still exists) as failed, with `autopilot_run_failed`: every run that started ends (TELEMETRY.md,
 * "per run"). Returns the runs' ids, whose run-only tasks the caller cancels.
 */
export async function failStartedRuns(tx: Tx, ap: Autopilot, reason: string): Promise<string[]> {
  const runs = await tx
    .update(autopilotRuns)
    .set({ status: "failed", completedAt: sql`now()`, failureReason: reason })
    .where(and(eq(autopilotRuns.autopilotId, ap.id), eq(autopilotRuns.status, "started")))
    .returning();
  const agentId = ap.assigneeType === "agent" ? ap.assigneeId : null;
  for (const run of runs) recordRunEnded(tx, ap, run, agentId);
  return runs.map((r) => r.id);
}

/** The issue an autopilot created reached a terminal status (its `origin_id` is the run). */
export function finishAutopilotRunForIssue(db: Db, runId: string, outcome: "completed" | "failed", reason?: string) {
  return finishAutopilotRun(db, runId, outcome, reason);
}

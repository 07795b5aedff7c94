import { and, asc, eq, lte } from "drizzle-orm";
import { getDb, type Db } from "@/lib/db";
import { autopilotRuns, autopilotTriggers, autopilots } from "@/lib/db/schema";
import { describeError } from "@/lib/http/errors";
import { events, recordEvent, withEvents } from "@/lib/telemetry";
import { nextRunAfter } from "./cadence";
import { dispatchAutopilot, type Trigger } from "./dispatch";
import { runEventArgs } from "./runs";

const BATCH = 50;
/** A slot whose dispatch throws is tried on this many ticks (15 s apart), then recorded as a failed run. */
export const MAX_DISPATCH_ATTEMPTS = 3;

// Failed attempts per slot, in this process (each node counts its own: the bound is per node, the run is still
// recorded once through the slot's unique claim). An entry lives until its slot is recorded or advanced.
const ATTEMPTS = Symbol.for("tandem.autopilotScheduler.attempts");
type G = typeof globalThis & { [ATTEMPTS]?: Map<string, number> };
const attempts = () => ((globalThis as G)[ATTEMPTS] ??= new Map());

export type ScheduleOptions = { dispatch?: typeof dispatchAutopilot };

/**
 * Fires every schedule trigger whose `next_run_at` has passed, then moves `next_run_at` to the first slot after
 * `now`. Slots missed while no node was running collapse into one run (the latest due slot is not replayed N
 * times). Each slot fires once across nodes and restarts: `dispatchAutopilot` claims `(trigger_id, scheduled_for)`
 * with an insert-only unique row, and `next_run_at` only advances with a compare-and-set on the slot it read.
 * A dispatch that throws (the database went away mid-way...) leaves the slot due, so the next tick retries it; after
 * MAX_DISPATCH_ATTEMPTS the slot is recorded as a failed run (with `autopilot_run_failed`) and the schedule moves on.
 * Returns how many slots this call claimed.
 */
export async function runDueSchedules(db: Db, now = new Date(), opts: ScheduleOptions = {}): Promise<number> {
  const dispatch = opts.dispatch ?? dispatchAutopilot;
  const due = await db
    .select()
    .from(autopilotTriggers)
    .where(and(eq(autopilotTriggers.kind, "schedule"), lte(autopilotTriggers.nextRunAt, now)))
    .orderBy(asc(autopilotTriggers.nextRunAt))
    .limit(BATCH);
  let claimed = 0;
  for (const trigger of due) {
    const slot = trigger.nextRunAt!;
    const key = `${trigger.id}@${slot.toISOString()}`;
    try {
      const outcome = await dispatch(db, { autopilotId: trigger.autopilotId, trigger, kind: "schedule", scheduledFor: slot });
      if (outcome.status !== "already_claimed") claimed++;
    } catch (err) {
      const n = (attempts().get(key) ?? 0) + 1;
      console.error(`autopilot scheduler: trigger ${trigger.id} slot ${slot.toISOString()} attempt ${n}/${MAX_DISPATCH_ATTEMPTS} failed:`, describeError(err));
      if (n < MAX_DISPATCH_ATTEMPTS) {
        attempts().set(key, n);
        continue; // still due: the next tick retries it
      }
      const reason = `dispatch failed after ${n} attempts: ${err instanceof Error ? err.message : String(err)}`;
      try {
        if (await recordFailedSlot(db, trigger, slot, reason)) claimed++;
      } catch (recordErr) {
        console.error(`autopilot scheduler: recording the failed slot of trigger ${trigger.id} failed:`, describeError(recordErr));
        continue; // the database is still away: keep the slot due and try again
      }
    }
    attempts().delete(key);
    const next = trigger.cron && trigger.timezone ? nextRunAfter(trigger.cron, trigger.timezone, now) : null;
    await db
      .update(autopilotTriggers)
      .set({ nextRunAt: next })
      .where(and(eq(autopilotTriggers.id, trigger.id), eq(autopilotTriggers.nextRunAt, slot)));
  }
  return claimed;
}

/** A failed run for a slot whose dispatch kept throwing; claimed like any run of the slot, so it is recorded once. */
async function recordFailedSlot(db: Db, trigger: Trigger, slot: Date, reason: string): Promise<boolean> {
  const [ap] = await db.select().from(autopilots).where(eq(autopilots.id, trigger.autopilotId));
  if (!ap) return false;
  const failureReason = reason.slice(0, 500);
  return withEvents(db, async (tx) => {
    const [run] = await tx
      .insert(autopilotRuns)
      .values({
        autopilotId: ap.id,
        workspaceId: ap.workspaceId,
        triggerId: trigger.id,
        triggerKind: "schedule",
        cadence: trigger.cadence,
        status: "failed",
        failureReason,
        scheduledFor: slot,
        completedAt: new Date(),
      })
      .onConflictDoNothing({ target: [autopilotRuns.triggerId, autopilotRuns.scheduledFor] })
      .returning();
    if (!run) return false; // another node filled the slot
    const agentId = ap.assigneeType === "agent" ? ap.assigneeId : null;
    recordEvent(events.autopilotRunFailed({ ...runEventArgs(ap, run, agentId), durationMs: 0, failureReason }), tx);
    return true;
  });
}

type SchedulerState = { timer: ReturnType<typeof setInterval>; ticking: boolean };
const KEY = Symbol.for("tandem.autopilotScheduler");
type GS = typeof globalThis & { [KEY]?: SchedulerState };

/**
 * Starts the in-process scheduler loop (once per process; call from `instrumentation.ts`). Every node may run it:
 * the claim makes duplicate ticks harmless. The timer does not keep the process alive.
 */
export function startAutopilotScheduler(opts: { intervalMs?: number } = {}): void {
  const g = globalThis as GS;
  if (g[KEY]) return;
  const state: SchedulerState = {
    ticking: false,
    timer: setInterval(async () => {
      if (state.ticking) return; // a slow tick must not overlap the next one
      state.ticking = true;
      try {
        await runDueSchedules(await getDb());
      } catch (err) {
        console.error("autopilot scheduler tick failed:", describeError(err));
      } finally {
        state.ticking = false;
      }
    }, opts.intervalMs ?? 15_000),
  };
  state.timer.unref?.();
  g[KEY] = state;
}

export function stopAutopilotScheduler(): void {
  const g = globalThis as GS;
  const state = g[KEY];
  if (!state) return;
  clearInterval(state.timer);
  delete g[KEY];
}

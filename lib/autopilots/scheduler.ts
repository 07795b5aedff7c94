import { and, asc, eq, lte } from "drizzle-orm";
import { getDb, type Db } from "@/lib/db";
import { autopilotTriggers } from "@/lib/db/schema";
import { nextRunAfter } from "./cadence";
import { dispatchAutopilot } from "./dispatch";

const BATCH = 50;

/**
 * Fires every schedule trigger whose `next_run_at` has passed, then moves `next_run_at` to the first slot after
 * `now`. Slots missed while no node was running collapse into one run (the latest due slot is not replayed N
 * times). Each slot fires once across nodes and restarts: `dispatchAutopilot` claims `(trigger_id, scheduled_for)`
 * with an insert-only unique row, and `next_run_at` only advances with a compare-and-set on the slot it read.
 * Returns how many slots this call claimed.
 */
export async function runDueSchedules(db: Db, now = new Date()): Promise<number> {
  const due = await db
    .select()
    .from(autopilotTriggers)
    .where(and(eq(autopilotTriggers.kind, "schedule"), lte(autopilotTriggers.nextRunAt, now)))
    .orderBy(asc(autopilotTriggers.nextRunAt))
    .limit(BATCH);
  let claimed = 0;
  for (const trigger of due) {
    const slot = trigger.nextRunAt!;
    try {
      const outcome = await dispatchAutopilot(db, { autopilotId: trigger.autopilotId, trigger, kind: "schedule", scheduledFor: slot });
      if (outcome.status !== "already_claimed") claimed++;
    } catch (err) {
      console.error(`autopilot scheduler: trigger ${trigger.id} slot ${slot.toISOString()} failed:`, err);
    }
    const next = trigger.cron && trigger.timezone ? nextRunAfter(trigger.cron, trigger.timezone, now) : null;
    await db
      .update(autopilotTriggers)
      .set({ nextRunAt: next })
      .where(and(eq(autopilotTriggers.id, trigger.id), eq(autopilotTriggers.nextRunAt, slot)));
  }
  return claimed;
}

type SchedulerState = { timer: ReturnType<typeof setInterval>; ticking: boolean };
const KEY = Symbol.for("tandem.autopilotScheduler");
type G = typeof globalThis & { [KEY]?: SchedulerState };

/**
 * Starts the in-process scheduler loop (once per process; call from `instrumentation.ts`). Every node may run it:
 * the claim makes duplicate ticks harmless. The timer does not keep the process alive.
 */
export function startAutopilotScheduler(opts: { intervalMs?: number } = {}): void {
  const g = globalThis as G;
  if (g[KEY]) return;
  const state: SchedulerState = {
    ticking: false,
    timer: setInterval(async () => {
      if (state.ticking) return; // a slow tick must not overlap the next one
      state.ticking = true;
      try {
        await runDueSchedules(await getDb());
      } catch (err) {
        console.error("autopilot scheduler tick failed:", err);
      } finally {
        state.ticking = false;
      }
    }, opts.intervalMs ?? 15_000),
  };
  state.timer.unref?.();
  g[KEY] = state;
}

export function stopAutopilotScheduler(): void {
  const g = globalThis as G;
  const state = g[KEY];
  if (!state) return;
  clearInterval(state.timer);
  delete g[KEY];
}

import { purgeSpentCodes } from "@/lib/auth/codes";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { markStaleRuntimesOffline } from "@/lib/runtimes/registry";
import { expireLeases, expireQueuedTasks, failTasksOfOfflineRuntimes, SWEEP_THRESHOLDS } from "./sweep";

/** One pass of every sweep, in dependency order (stale runtimes first, so their tasks fail in the same pass), then housekeeping. */
export async function runSweepsOnce(): Promise<void> {
  const db = await getDb();
  await markStaleRuntimesOffline(db, SWEEP_THRESHOLDS.runtimeStale);
  await failTasksOfOfflineRuntimes(db);
  await expireQueuedTasks(db);
  await expireLeases(db);
  await purgeSpentCodes(db);
}

const KEY = Symbol.for("tandem.sweepers");
type State = { timer: NodeJS.Timeout; running: Promise<void> | null };
type G = typeof globalThis & { [KEY]?: State };

export const SWEEP_INTERVAL_MS = 30_000;

/**
 * Starts the in-process sweep timer (idempotent; off when SWEEPERS_ENABLED=false). Safe on several nodes: every
 * sweep is an atomic UPDATE ... RETURNING, so nodes never double-emit. Passes never overlap within a process.
 */
export function startSweepers(intervalMs = SWEEP_INTERVAL_MS): void {
  const g = globalThis as G;
  if (g[KEY] || !config().SWEEPERS_ENABLED) return;
  const state: State = {
    running: null,
    timer: setInterval(() => {
      if (state.running) return;
      state.running = runSweepsOnce()
        .catch((err) => console.error("sweepers: pass failed:", err))
        .finally(() => (state.running = null));
    }, intervalMs),
  };
  state.timer.unref();
  g[KEY] = state;
}

/** Stops the timer and waits for a pass in flight (graceful shutdown). */
export async function stopSweepers(): Promise<void> {
  const g = globalThis as G;
  const state = g[KEY];
  if (!state) return;
  clearInterval(state.timer);
  delete g[KEY];
  await state.running;
}

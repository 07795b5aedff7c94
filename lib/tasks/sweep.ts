import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Db } from "@/lib/db";
import { agentTasks, runtimes } from "@/lib/db/schema";
import { recordLeaseExpired, recordQueuedExpired } from "@/lib/telemetry";
import { taskEventArgs } from "./context";
import { failTasksWhere } from "./lifecycle";

/** Reference thresholds (seconds). */
export const SWEEP_THRESHOLDS = {
  runtimeStale: 150,
  queuedTtl: 2 * 3600,
  dispatchedLease: 300,
  runningLease: 9000,
};

const olderThan = (col: AnyPgColumn, seconds: number): SQL => sql`${col} < now() - make_interval(secs => ${seconds})`;

/**
 * Each sweep is one UPDATE ... RETURNING (inside failTasksWhere), so when several nodes sweep at once a row is
 * returned — and its event emitted — by exactly one of them.
 */
export async function failTasksOfOfflineRuntimes(db: Db) {
  const offline = db.select({ id: runtimes.id }).from(runtimes).where(eq(runtimes.status, "offline"));
  return failTasksWhere(db, and(inArray(agentTasks.status, ["dispatched", "running"]), inArray(agentTasks.runtimeId, offline)), "runtime_offline");
}

export async function expireQueuedTasks(db: Db, ttlSeconds = SWEEP_THRESHOLDS.queuedTtl) {
  const expired = await failTasksWhere(db, and(eq(agentTasks.status, "queued"), olderThan(agentTasks.createdAt, ttlSeconds)), "queued_expired");
  for (const { failed } of expired) recordQueuedExpired((await taskEventArgs(db, failed)).metrics);
  return expired;
}

export async function expireLeases(
  db: Db,
  dispatchedSeconds = SWEEP_THRESHOLDS.dispatchedLease,
  runningSeconds = SWEEP_THRESHOLDS.runningLease,
) {
  const expired = await failTasksWhere(
    db,
    sql`((${agentTasks.status} = 'dispatched' and ${olderThan(agentTasks.dispatchedAt, dispatchedSeconds)})
      or (${agentTasks.status} = 'running' and ${olderThan(agentTasks.startedAt, runningSeconds)}))`,
    "timeout",
  );
  for (const { failed } of expired) recordLeaseExpired((await taskEventArgs(db, failed)).metrics);
  return expired;
}

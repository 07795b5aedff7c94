import { sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getStore } from "@/lib/store";

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms).unref())]);

/** db + redis status; each check is bounded so a hung dependency reports instead of hanging the probe. */
export async function checkHealth() {
  let db = "ok";
  let redis: string = config().REDIS_URL ? "ok" : "disabled";
  try {
    await withTimeout(getDb().then((d) => d.execute(sql`select 1`)), 2000);
  } catch {
    db = "unavailable";
  }
  if (redis === "ok") {
    try {
      await withTimeout(getStore().then((s) => s.ping()), 2000);
    } catch {
      redis = "unavailable";
    }
  }
  return { status: db === "ok" && redis !== "unavailable" ? "ok" : "degraded", db, redis };
}

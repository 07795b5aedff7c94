import { sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { deadlineSignal } from "@/lib/ops/deadline";
import type { Db, Tx } from "@/lib/db/client";
import { analyticsErasures } from "@/lib/db/schema/telemetry";
import { countErasure } from "./metrics";
import { backoffDelay, rowsOf } from "./relay";
import { trimTrailingSlashes } from "@/lib/http/text";

/**
 * Account erasure reaches PostHog (issue 16): the deletion transaction records a request; the relay sends it to
 * PostHog's persons API (`bulk_delete` by distinct id, with the person's events), retrying with backoff until
 * PostHog accepts it. Without POSTHOG_PERSONAL_API_KEY + POSTHOG_PROJECT_ID nothing can be sent: it is logged and
 * counted as not propagated.
 */
export type ErasureTarget = { apiHost: string; projectId: string; personalApiKey: string };

/** PostHog Cloud's private API lives on the app host, not the ingestion host; self-hosted uses one host for both. */
export function postHogApiHost(ingestHost: string): string {
  const h = trimTrailingSlashes(ingestHost);
  const cloud = /^https:\/\/(us|eu)\.i\.posthog\.com$/.exec(h);
  return cloud ? `https://${cloud[1]}.posthog.com` : h;
}

export function erasureTarget(): ErasureTarget | null {
  const c = config();
  if (!c.POSTHOG_PERSONAL_API_KEY || !c.POSTHOG_PROJECT_ID) return null;
  return {
    apiHost: c.POSTHOG_API_HOST ?? postHogApiHost(c.POSTHOG_HOST ?? "https://us.i.posthog.com"),
    projectId: c.POSTHOG_PROJECT_ID,
    personalApiKey: c.POSTHOG_PERSONAL_API_KEY,
  };
}

/** In the account-deletion transaction. */
export async function requestPersonErasure(tx: Tx, distinctId: string): Promise<void> {
  if (!erasureTarget()) {
    console.warn("analytics: account erased here but not in PostHog (set POSTHOG_PERSONAL_API_KEY and POSTHOG_PROJECT_ID)");
    countErasure("not_propagated");
    return;
  }
  await tx.insert(analyticsErasures).values({ distinctId }).onConflictDoNothing();
  countErasure("requested");
}


/** Sends due requests (claimed with a lease, so nodes never send one twice at once); returns how many went out. */
export async function sendPendingErasures(db: Db, target: ErasureTarget, opts: { timeoutMs: number; backoffMinMs: number; backoffMaxMs: number }): Promise<number> {
  const lease = Math.ceil((2 * opts.timeoutMs + 5000) / 1000);
  const rows = rowsOf<{ distinct_id: string; attempts: number }>(
    await db.execute(sql`
      update analytics_erasures set next_attempt_at = now() + make_interval(secs => ${lease}), attempts = attempts + 1
      where distinct_id in (
        select distinct_id from analytics_erasures where completed_at is null and next_attempt_at <= now()
        order by next_attempt_at limit 100 for update skip locked)
      returning distinct_id, attempts`),
  );
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.distinct_id);
  let status = 0;
  const deadline = deadlineSignal(opts.timeoutMs);
  try {
    const res = await fetch(`${trimTrailingSlashes(target.apiHost)}/api/projects/${target.projectId}/persons/bulk_delete/`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${target.personalApiKey}` },
      body: JSON.stringify({ distinct_ids: ids, delete_events: true }),
      signal: deadline.signal,
    });
    await res.arrayBuffer().catch(() => undefined);
    status = res.status;
  } catch {
    status = 0;
  } finally {
    deadline.clear();
  }
  const list = `{${ids.map((id) => `"${id.replace(/["\\]/g, "")}"`).join(",")}}`;
  if (status >= 200 && status < 300) {
    await db.execute(sql`update analytics_erasures set completed_at = now(), last_status = ${status} where distinct_id = any(${list}::text[])`);
    countErasure("propagated", rows.length);
    return rows.length;
  }
  const attempts = Math.max(...rows.map((r) => r.attempts));
  const delay = backoffDelay(attempts, opts.backoffMinMs, opts.backoffMaxMs);
  await db.execute(
    sql`update analytics_erasures set next_attempt_at = now() + make_interval(secs => ${delay / 1000}), last_status = ${status} where distinct_id = any(${list}::text[])`,
  );
  countErasure("failed", rows.length);
  console.warn(`analytics: PostHog refused or missed ${rows.length} erasure request(s) (status ${status || "none"}); retrying`);
  return 0;
}

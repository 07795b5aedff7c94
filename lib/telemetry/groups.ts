import { config } from "@/lib/config";
import type { Tx } from "@/lib/db/client";
import { emitEvent } from "./record";

/** Member count as a bounded bucket: a group property that says how big a workspace is without counting people. */
export function memberCountBucket(n: number): string {
  if (n <= 1) return "1";
  if (n <= 5) return "2-5";
  if (n <= 20) return "6-20";
  if (n <= 100) return "21-100";
  return "100+";
}

/**
 * PostHog group analytics (POSTHOG_GROUPS, issue 16): `$groupidentify` for a workspace, staged in the transaction
 * that created or renamed it. Only non-personal properties: size bucket and creation time (the name is left out:
 * it is free text a person typed). Not a catalog event: no product counter pairs with it.
 */
export function identifyWorkspaceGroup(tx: Tx, w: { workspaceId: string; actorId: string; memberCount: number; createdAt: Date }): void {
  if (!config().POSTHOG_GROUPS) return;
  void emitEvent(
    {
      name: "$groupidentify",
      distinctId: w.actorId,
      properties: {
        $group_type: "workspace",
        $group_key: w.workspaceId,
        $group_set: { member_count_bucket: memberCountBucket(w.memberCount), created_at: w.createdAt.toISOString() },
      },
      capture: true,
    },
    () => {},
    tx,
  );
}

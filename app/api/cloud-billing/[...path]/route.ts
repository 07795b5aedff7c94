import { requireHumanUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { route } from "@/lib/http";
import { proxyBilling } from "@/lib/cloud/billing";

/** Human callers only (403 for cloud-node and daemon tokens); proxied to the fleet's billing API. */
const handler = route("/api/cloud-billing/[...path]", async (req) => {
  const principal = await requireHumanUser(req, await getDb());
  return proxyBilling(req, { userId: principal.user.id, actorSource: "human" });
});

export const GET = handler;
export const POST = handler;

import { actorSourceOf, requireUser, requireWorkspace } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { route } from "@/lib/http";
import { proxyCloudRuntime } from "@/lib/cloud/runtime";
import { fleetBaseUrl } from "@/lib/cloud/fleet";

/**
 * Authenticated workspace members (people and cloud nodes), as the reference's Auth + RequireWorkspaceMember
 * (inventory §3.1: no workspace → 400, not a member → 404); proxied to the cloud fleet, which is user-scoped, with
 * our own identity headers. 503 when no fleet is configured, once the caller is known.
 */
const handler = route("/api/cloud-runtime/[[...path]]", async (req) => {
  const db = await getDb();
  const principal = await requireUser(req, db);
  await requireWorkspace(req, principal, db);
  fleetBaseUrl();
  return proxyCloudRuntime(req, { userId: principal.user.id, actorSource: actorSourceOf(principal) });
});

export const GET = handler;
export const POST = handler;
export const DELETE = handler;

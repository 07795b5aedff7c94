import { actorSourceOf, requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { route } from "@/lib/http";
import { proxyCloudRuntime } from "@/lib/cloud/runtime";
import { fleetBaseUrl } from "@/lib/cloud/fleet";

/** Authenticated callers (people and cloud nodes); proxied to the cloud fleet with our own identity headers. */
const handler = route("/api/cloud-runtime/[[...path]]", async (req) => {
  fleetBaseUrl(); // 503 before anything else when no fleet is configured
  const principal = await requireUser(req, await getDb());
  return proxyCloudRuntime(req, { userId: principal.user.id, actorSource: actorSourceOf(principal) });
});

export const GET = handler;
export const POST = handler;
export const DELETE = handler;

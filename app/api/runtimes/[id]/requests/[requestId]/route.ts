import { requireUser, requireWorkspace } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, notFound, route } from "@/lib/http";
import { getRuntimeRequest, idParam } from "@/lib/runtimes";

export const GET = route("/api/runtimes/[id]/requests/[requestId]", async (req, { id, requestId }) => {
  const principal = await requireUser(req);
  const db = await getDb();
  const m = await requireWorkspace(req, principal, db);
  if (!requestId || !/^[0-9a-f]{32}$/.test(requestId)) throw notFound("request not found");
  return json(await getRuntimeRequest(db, m, idParam(id, "runtime"), requestId));
});

import { requireUser, requireWorkspace } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, route } from "@/lib/http";
import { listRuntimes } from "@/lib/runtimes";

export const GET = route("/api/runtimes", async (req) => {
  const principal = await requireUser(req);
  const db = await getDb();
  const m = await requireWorkspace(req, principal, db);
  return json({ runtimes: await listRuntimes(db, m.workspace.id) });
});

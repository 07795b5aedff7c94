import { requireUser, requireWorkspaceMember } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, route } from "@/lib/http";
import { connectUrl } from "@/lib/github/installations";

/** Owner/admin: the GitHub App install URL (`configured:false` and an empty URL when the app is not set up). */
export const GET = route("/api/workspaces/[id]/github/connect", async (req, { id }) => {
  const db = await getDb();
  const m = await requireWorkspaceMember(db, (await requireUser(req, db)).user, id!);
  return json(connectUrl(m), 200, { "cache-control": "no-store" });
});

import { requireUser, requireWorkspaceMember } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, route } from "@/lib/http";
import { listMembers } from "@/lib/workspaces";

export const GET = route("/api/workspaces/[id]/members", async (req, { id }) => {
  const { user } = await requireUser(req);
  const db = await getDb();
  const m = await requireWorkspaceMember(db, user, id!);
  return json({ members: await listMembers(db, m.workspace.id) });
});

import { requireUser, requireWorkspaceMember } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, route } from "@/lib/http";
import { workspaceResponse } from "@/lib/workspaces";

export const GET = route("/api/workspaces/[id]", async (req, { id }) => {
  const { user } = await requireUser(req);
  const m = await requireWorkspaceMember(await getDb(), user, id!);
  return json(workspaceResponse(m.workspace, m.role));
});

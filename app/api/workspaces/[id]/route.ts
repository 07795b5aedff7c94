import { requireUser, requireWorkspaceMember, requireWorkspaceRole } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, patchBody, readJson, route } from "@/lib/http";
import { renameWorkspace, workspaceName, workspaceResponse } from "@/lib/workspaces";

export const GET = route("/api/workspaces/[id]", async (req, { id }) => {
  const { user } = await requireUser(req);
  const m = await requireWorkspaceMember(await getDb(), user, id!);
  return json(workspaceResponse(m.workspace, m.role));
});

const patch = patchBody({ name: workspaceName.optional() });

/** Owners and admins rename a workspace (the slug stays, so links keep working). */
export const PATCH = route("/api/workspaces/[id]", async (req, { id }) => {
  const { user } = await requireUser(req);
  const db = await getDb();
  const m = requireWorkspaceRole(await requireWorkspaceMember(db, user, id!), ["owner", "admin"]);
  const { name } = await readJson(req, patch, 4096);
  return json(workspaceResponse(await renameWorkspace(db, user, m.workspace, name!), m.role));
});

import { z } from "zod";
import { expectedOrigin, normalizeEmail, requireUser, requireWorkspaceMember, requireWorkspaceRole } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, readJson, requiredString, route } from "@/lib/http";
import { createInvitation, listInvitations } from "@/lib/workspaces";

const body = z.object({
  email: requiredString("email"),
  role: z.enum(["admin", "member"], { error: "role must be admin or member" }).default("member"),
});

export const POST = route("/api/workspaces/[id]/invitations", async (req, { id }) => {
  const { user } = await requireUser(req);
  const db = await getDb();
  const m = requireWorkspaceRole(await requireWorkspaceMember(db, user, id!), ["owner", "admin"]);
  const input = await readJson(req, body, 4096);
  const invitation = await createInvitation(db, m, { email: normalizeEmail(input.email), role: input.role }, expectedOrigin(req));
  return json(invitation, 201);
});

export const GET = route("/api/workspaces/[id]/invitations", async (req, { id }) => {
  const { user } = await requireUser(req);
  const db = await getDb();
  const m = requireWorkspaceRole(await requireWorkspaceMember(db, user, id!), ["owner", "admin"]);
  return json({ invitations: await listInvitations(db, m.workspace.id) });
});

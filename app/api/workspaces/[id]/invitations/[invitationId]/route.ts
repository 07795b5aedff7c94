import { requireUser, requireWorkspaceMember } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { noContent, route } from "@/lib/http";
import { revokeInvitation } from "@/lib/workspaces";

/** Withdraws a pending invitation (owner/admin). */
export const DELETE = route("/api/workspaces/[id]/invitations/[invitationId]", async (req, { id, invitationId }) => {
  const { user } = await requireUser(req);
  const db = await getDb();
  const m = await requireWorkspaceMember(db, user, id!);
  await revokeInvitation(db, m, invitationId!);
  return noContent();
});

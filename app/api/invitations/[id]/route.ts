import { isUuid, requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, notFound, route } from "@/lib/http";
import { getInvitationForUser } from "@/lib/workspaces";

export const GET = route("/api/invitations/[id]", async (req, { id }) => {
  const { user } = await requireUser(req);
  if (!isUuid(id!)) throw notFound("invitation not found");
  return json(await getInvitationForUser(await getDb(), user, id!));
});

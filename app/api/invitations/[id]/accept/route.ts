import { isUuid, requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, notFound, route } from "@/lib/http";
import { acceptInvitation } from "@/lib/workspaces";

export const POST = route("/api/invitations/[id]/accept", async (req, { id }) => {
  const { user } = await requireUser(req);
  if (!isUuid(id!)) throw notFound("invitation not found");
  const { workspace } = await acceptInvitation(await getDb(), user, id!);
  return json({ workspace });
});

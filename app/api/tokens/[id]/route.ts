import { isUuid, requireUser, revokeAccessToken } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { noContent, notFound, route } from "@/lib/http";

export const DELETE = route("/api/tokens/[id]", async (req, { id }) => {
  const { user } = await requireUser(req);
  if (!isUuid(id!)) throw notFound("token not found");
  await revokeAccessToken(await getDb(), user.id, id!);
  return noContent();
});

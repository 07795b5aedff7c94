import { workspaceRequest } from "@/lib/auth";
import { json, noContent, route } from "@/lib/http";
import { deleteSquad, getSquad } from "@/lib/agents";

export const GET = route("/api/squads/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  return json(await getSquad(db, m, id!));
});

export const DELETE = route("/api/squads/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  await deleteSquad(db, m, id!);
  return noContent();
});

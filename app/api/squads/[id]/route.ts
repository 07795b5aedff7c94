import { requireUser, requireWorkspace } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, noContent, route } from "@/lib/http";
import { deleteSquad, getSquad } from "@/lib/agents";

export const GET = route("/api/squads/[id]", async (req, { id }) => {
  const db = await getDb();
  const m = await requireWorkspace(req, await requireUser(req, db), db);
  return json(await getSquad(db, m, id!));
});

export const DELETE = route("/api/squads/[id]", async (req, { id }) => {
  const db = await getDb();
  const m = await requireWorkspace(req, await requireUser(req, db), db);
  await deleteSquad(db, m, id!);
  return noContent();
});

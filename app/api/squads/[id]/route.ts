import { z } from "zod";
import { workspaceRequest } from "@/lib/auth";
import { json, noContent, patchBody, readJson, route } from "@/lib/http";
import { deleteSquad, getSquad, updateSquad } from "@/lib/agents";

const patch = patchBody({
  name: z.string().trim().min(1, "name must not be empty").max(100, "name is too long").optional(),
  leader_id: z.uuid("leader_id must be a UUID").optional(),
  member_ids: z.array(z.uuid("member_ids must be UUIDs")).max(50, "member_ids: at most 50").optional(),
});

export const GET = route("/api/squads/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  return json(await getSquad(db, m, id!));
});

export const DELETE = route("/api/squads/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  await deleteSquad(db, m, id!);
  return noContent();
});

export const PATCH = route("/api/squads/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  const input = await readJson(req, patch, 16 * 1024);
  return json(await updateSquad(db, m, id!, { name: input.name, leaderId: input.leader_id, memberIds: input.member_ids }));
});

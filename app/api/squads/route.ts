import { z } from "zod";
import { workspaceRequest } from "@/lib/auth";
import { json, readJson, requiredString, route } from "@/lib/http";
import { createSquad, listSquads } from "@/lib/agents";

const body = z.object({
  name: requiredString("name").trim().min(1, "name is required").max(100, "name is too long"),
  leader_id: z.uuid("leader_id must be a UUID"),
  member_ids: z.array(z.uuid("member_ids must be UUIDs")).max(50, "member_ids: at most 50").optional(),
});

export const POST = route("/api/squads", async (req) => {
  const { db, m } = await workspaceRequest(req);
  const input = await readJson(req, body, 16 * 1024);
  return json(await createSquad(db, m, { name: input.name, leaderId: input.leader_id, memberIds: input.member_ids }), 201);
});

export const GET = route("/api/squads", async (req) => {
  const { db, m } = await workspaceRequest(req);
  return json({ squads: await listSquads(db, m) });
});

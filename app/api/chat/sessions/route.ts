import { z } from "zod";
import { workspaceRequest } from "@/lib/auth";
import { json, readJson, route } from "@/lib/http";
import { createSession, listSessions } from "@/lib/chat";

const body = z.object({
  agent_id: z.uuid("agent_id must be a UUID"),
  title: z.string().trim().max(200, "title is too long").optional(),
});

export const POST = route("/api/chat/sessions", async (req) => {
  const { db, m } = await workspaceRequest(req);
  const input = await readJson(req, body, 4096);
  return json(await createSession(db, m, { agentId: input.agent_id, title: input.title }), 201);
});

export const GET = route("/api/chat/sessions", async (req) => {
  const { db, m } = await workspaceRequest(req);
  return json({ sessions: await listSessions(db, m) });
});

import { z } from "zod";
import { workspaceRequest } from "@/lib/auth";
import { clientPlatform, json, readJson, requiredString, route } from "@/lib/http";
import { listMessages, sendMessage } from "@/lib/chat";

const body = z.object({
  content: requiredString("content").trim().min(1, "content is required").max(32_000, "content is too long"),
});

export const POST = route("/api/chat/sessions/[id]/messages", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  const input = await readJson(req, body, 128 * 1024);
  return json(await sendMessage(db, m, id!, input.content, clientPlatform(req)), 201);
});

export const GET = route("/api/chat/sessions/[id]/messages", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  return json({ messages: await listMessages(db, m, id!) });
});

import { z } from "zod";
import { workspaceRequest } from "@/lib/auth";
import { json, patchBody, readJson, route } from "@/lib/http";
import { archiveAgent, getAgent, updateAgent } from "@/lib/agents";

const patch = patchBody({
  name: z.string().trim().min(1, "name must not be empty").max(100, "name is too long").optional(),
  instructions: z.string().max(50_000, "instructions are too long").optional(),
  runtime_id: z.uuid("runtime_id must be a UUID").nullish(),
});

export const GET = route("/api/agents/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  return json(await getAgent(db, m, id!));
});

export const PATCH = route("/api/agents/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  const input = await readJson(req, patch, 64 * 1024);
  return json(await updateAgent(db, m, id!, { name: input.name, instructions: input.instructions, runtimeId: input.runtime_id }));
});

/** Archives (agents are referenced by issues and tasks, so they are never hard-deleted). */
export const DELETE = route("/api/agents/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  return json(await archiveAgent(db, m, id!));
});

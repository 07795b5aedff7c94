import { z } from "zod";
import { workspaceRequest } from "@/lib/auth";
import { json, readJson, requiredString, route } from "@/lib/http";
import { createAgent, listAgents } from "@/lib/agents";

const body = z.object({
  name: requiredString("name").trim().min(1, "name is required").max(100, "name is too long"),
  instructions: z.string().max(50_000, "instructions are too long").optional(),
  runtime_id: z.uuid("runtime_id must be a UUID").nullish(),
  // A template is an identifier (it is sent to analytics), never free text.
  template: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "template must be a template id (letters, digits, - and _)")
    .nullish(),
});

export const POST = route("/api/agents", async (req) => {
  const { db, m } = await workspaceRequest(req);
  const input = await readJson(req, body, 64 * 1024);
  return json(await createAgent(db, m, { name: input.name, instructions: input.instructions, runtimeId: input.runtime_id, template: input.template || null }), 201);
});

export const GET = route("/api/agents", async (req) => {
  const { db, m } = await workspaceRequest(req);
  const includeArchived = new URL(req.url).searchParams.get("include_archived") === "true";
  return json({ agents: await listAgents(db, m, { includeArchived }) });
});

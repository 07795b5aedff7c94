import { z } from "zod";
import { workspaceRequest } from "@/lib/auth";
import { json, readJson, requiredString, route } from "@/lib/http";
import { createAutopilot, listAutopilots } from "@/lib/autopilots";
import { triggerSchema } from "@/lib/autopilots/schemas";

const body = z.object({
  name: requiredString("name").trim().min(1, "name is required").max(200, "name is too long"),
  assignee_type: z.enum(["agent", "squad"], { error: "assignee_type must be agent or squad" }),
  assignee_id: z.uuid("assignee_id must be a UUID"),
  execution_mode: z.enum(["create_issue", "run_only"], { error: "execution_mode must be create_issue or run_only" }),
  prompt: requiredString("prompt").trim().min(1, "prompt is required").max(50_000, "prompt is too long"),
  enabled: z.boolean().optional(),
  triggers: z.array(triggerSchema).max(10, "triggers: at most 10").optional(),
});

export const POST = route("/api/autopilots", async (req) => {
  const { db, m } = await workspaceRequest(req);
  const b = await readJson(req, body, 64 * 1024);
  const created = await createAutopilot(db, m, {
    name: b.name,
    assigneeType: b.assignee_type,
    assigneeId: b.assignee_id,
    executionMode: b.execution_mode,
    prompt: b.prompt,
    enabled: b.enabled,
    triggers: b.triggers,
  });
  return json(created, 201);
});

export const GET = route("/api/autopilots", async (req) => {
  const { db, m } = await workspaceRequest(req);
  return json({ autopilots: await listAutopilots(db, m) });
});
